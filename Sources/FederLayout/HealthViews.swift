import FederIndex
import FederProjection
import FederSearch
import Foundation

/// An index's health drawn: where HNSW's unreachable nodes sit among the others, and the histograms of layer-0
/// in-degrees or IVF list sizes.
public enum HealthViews {
    /// The view: for HNSW a projection of the nodes (a sample of the reachable ones, every unreachable one marked)
    /// beside the in-degree histogram; for IVF the list-size histogram.
    public static func view(
        _ health: IndexHealth, graph: HNSWGraphView?, seed: UInt64, in rect: Rect, theme: Theme, measurer: TextMeasurer
    ) -> [Mark] {
        let alarm = Color(hex: 0xD55E00)
        if let ivf = health.ivf {
            let top = max(1, Int((Double(ivf.nlist) * 0.01).rounded(.up)))
            let subtitle =
                "\(ivf.nlist) lists of \(health.count) vectors: imbalance factor \(String(format: "%.2f", ivf.imbalanceFactor)) (faiss's "
                + "imbalance_factor; 1 = even), \(ivf.emptyLists) empty, the largest \(top == 1 ? "list holds" : "\(top) lists hold") "
                + "\(String(format: "%.1f", ivf.largestListsShare * 100)) % of the vectors."
                + (health.notes ?? []).map { " " + $0.prefix(1).uppercased() + $0.dropFirst() + "." }.joined()
            var (marks, content) = ViewKit.panel(
                title: "IVF health — list sizes", subtitle: subtitle, in: rect, theme: theme, measurer: measurer)
            marks += Charts.binned(ivf.histogram, unit: "lists", axis: "list size (vectors)", in: content, theme: theme)
            return marks
        }
        guard let hnsw = health.hnsw else { return [] }
        var subtitle =
            hnsw.unreachable == 0
            ? "Every live node is reachable from the entry point on layer 0. "
            : "\(hnsw.unreachable) of \(health.count) live nodes are unreachable from the entry point on layer 0: no search finds them "
                + "at any ef. "
        subtitle +=
            "\(hnsw.inDegreeZero) have no incoming layer-0 link; \(hnsw.components) component\(hnsw.components == 1 ? "" : "s") with "
            + "links taken both ways."
        subtitle += (health.notes ?? []).map { " " + $0.prefix(1).uppercased() + $0.dropFirst() + "." }.joined()
        var (marks, content) = ViewKit.panel(
            title: "HNSW health — reachability", subtitle: subtitle, in: rect, theme: theme, measurer: measurer)
        let (left, right) = content.sliceLeft(content.width * 0.58)
        if let graph {
            marks += map(
                graph, health: hnsw, seed: seed, in: Rect(x: left.x, y: left.y, width: left.width - 8, height: left.height), theme: theme,
                measurer: measurer, alarm: alarm)
        }
        marks += Charts.binned(
            hnsw.inDegreeHistogram, unit: "nodes", axis: "layer-0 in-degree",
            in: Rect(x: right.x + 8, y: right.y, width: right.width - 8, height: right.height),
            theme: theme)
        return marks
    }

    /// The nodes by PCA of their vectors: a seeded sample of the reachable ones in grey, every unreachable one (up
    /// to 4,000) in vermilion, the entry point as a star.
    static func map(
        _ graph: HNSWGraphView, health: HNSWHealth, seed: UInt64, in rect: Rect, theme: Theme, measurer: TextMeasurer, alarm: Color
    ) -> [Mark] {
        var marks: [Mark] = []
        let unreachableLabels = Set(health.unreachableLabels)
        var unreachable: [Int] = []
        var sample: [Int] = []
        let budget = 2500.0
        for node in 0..<graph.count {
            if unreachableLabels.contains(graph.label(node)) {
                if unreachable.count < 4000 { unreachable.append(node) }
            } else if ViewKit.hashUnit(Int64(node), seed: seed) < budget / Double(max(graph.count, 1)) {
                sample.append(node)
            }
        }
        let fitted = Array((sample + unreachable).prefix(4000))
        guard !fitted.isEmpty else { return marks }
        let rows = fitted.map { node in (0..<graph.dim).map { graph.vector(node).loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) } }
        let pca = PCA.fit(rows, components: 2)
        var points: [Int: Point] = [:]
        for node in fitted + [graph.entryPoint] where node >= 0 && node < graph.count {
            points[node] = Point(pca.project(pointer: graph.vector(node), dim: graph.dim))
        }
        let xs = points.values.map(\.x)
        let ys = points.values.map(\.y)
        let low = Point(xs.min() ?? 0, ys.min() ?? 0)
        let span = max((xs.max() ?? 1) - low.x, (ys.max() ?? 1) - low.y, 1e-12)
        // The star as drawn (the query's colour); the unreachable entry only when some are drawn.
        let legendItems: [(ViewKit.Symbol, String)] =
            [(.dot(theme.scored), "reachable (\(sample.count) sampled)")]
            + (unreachable.isEmpty ? [] : [(.dot(alarm), "unreachable (\(unreachable.count))")])
            + (points[graph.entryPoint] == nil ? [] : [(.star(theme.query), "entry point")])
        let (area, legendMarks) = ViewKit.withLegend(legendItems, in: rect, theme: theme, measurer: measurer)
        let square = ClusterMap.square(in: area)
        func place(_ p: Point) -> Point {
            Point(
                square.x + (0.04 + 0.92 * (p.x - low.x) / span) * square.width,
                square.y + (0.04 + 0.92 * (p.y - low.y) / span) * square.height)
        }
        marks.append(.rect(square, fill: nil, stroke: Stroke(theme.grid, width: 0.6), cornerRadius: 0))
        for node in sample {
            if let p = points[node] { marks.append(.circle(center: place(p), radius: 1.6, fill: theme.scored.withAlpha(0.5), stroke: nil)) }
        }
        for node in unreachable {
            if let p = points[node] { marks.append(.circle(center: place(p), radius: 2.4, fill: alarm, stroke: nil)) }
        }
        if let p = points[graph.entryPoint] {
            marks.append(
                .polygon(ViewKit.star(center: place(p), radius: 6.5), fill: theme.query, stroke: Stroke(theme.background, width: 0.8)))
        }
        marks.append(
            .text(
                TextMark(
                    "PCA of the nodes' vectors", at: Point(square.x + 4, square.y + 3), font: theme.smallFont, color: theme.mutedText)))
        return marks + legendMarks
    }
}
