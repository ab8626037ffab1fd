import FederSearch
import Foundation

// MARK: index health

extension ReportBlocks {
    /// An index's health before any query: its key numbers (IVF balance; HNSW reachability) and a histogram (IVF list
    /// sizes, HNSW in-degrees), titled with the index's name and its file's name.
    public static func healthPanel(
        index: String, file: String, health: IndexHealth, in rect: Rect, theme: Theme, measurer: TextMeasurer
    ) -> [Mark] {
        let title = "\(index) — \(health.kind), \(health.count) \(health.hnsw != nil ? "nodes" : "vectors")"
        var lines: [(String, Color)] = []
        let bins: [IVFHealth.Bin]
        let axis: String
        if let ivf = health.ivf {
            let top = max(1, Int((Double(ivf.nlist) * 0.01).rounded(.up)))
            lines.append(
                (
                    "Imbalance factor \(String(format: "%.2f", ivf.imbalanceFactor)) (1 = every list equal; faiss's imbalance_factor)",
                    ivf.imbalanceFactor > 2 ? Color(hex: 0xD55E00) : theme.text
                ))
            lines.append(
                (
                    "\(ivf.nlist) lists · sizes p50 \(ivf.sizes.p50), p95 \(ivf.sizes.p95), max \(ivf.sizes.max) · \(ivf.emptyLists) empty · "
                        + "the largest \(top == 1 ? "list holds" : "\(top) lists hold") \(String(format: "%.1f", ivf.largestListsShare * 100)) % "
                        + "of the vectors", theme.text
                ))
            bins = ivf.histogram
            axis = "list size (vectors)"
        } else if let hnsw = health.hnsw {
            lines.append(
                (
                    hnsw.unreachable == 0
                        ? "Every live node is reachable from the entry point on layer 0."
                        : "\(hnsw.unreachable) live node\(hnsw.unreachable == 1 ? " is" : "s are") unreachable on layer 0: no search finds "
                            + "\(hnsw.unreachable == 1 ? "it" : "them") at any ef",
                    hnsw.unreachable > 0 ? Color(hex: 0xD55E00) : theme.text
                ))
            var second =
                "\(hnsw.inDegreeZero) with no incoming link · \(hnsw.components) component\(hnsw.components == 1 ? "" : "s") "
                + "(largest \(hnsw.largestComponent)) · top level \(hnsw.maxLevel)"
            if hnsw.deleted > 0 { second += " · \(hnsw.deleted) deleted, \(hnsw.reachableOnlyThroughDeleted) reachable only through them" }
            lines.append((second, theme.text))
            bins = hnsw.inDegreeHistogram
            axis = "layer-0 in-degree (links pointing to a node)"
        } else {
            return []
        }
        // The engine's own findings (dead rows awaiting VACUUM, lists trained on too few rows), the alarming ones red.
        for note in health.notes ?? [] {
            lines.append((note, note.hasPrefix("no ") ? theme.text : Color(hex: 0xD55E00)))
        }
        var (marks, content) = ViewKit.panel(
            title: title, subtitle: (file as NSString).lastPathComponent, in: rect, theme: theme, measurer: measurer)
        var y = content.y
        for (text, color) in lines {
            marks.append(
                .text(TextMark(text, at: Point(content.x, y), font: theme.labelFont, color: color, width: content.width, maxLines: 3)))
            y += measurer.measure(text, font: theme.labelFont, width: content.width).height + 3
        }
        let unit = health.ivf != nil ? "lists" : "nodes"
        marks += Charts.binned(
            bins, unit: unit, axis: axis, in: Rect(x: content.x, y: y + 4, width: content.width, height: content.maxY - y - 4), theme: theme
        )
        return marks
    }
}
