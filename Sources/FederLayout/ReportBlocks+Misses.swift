import FederIndex
import FederSearch
import Foundation

// MARK: why exact neighbours were missed

extension ReportBlocks {
    /// One side's misses over its queries.
    public struct MissSide: Sendable {
        /// How the legend names the side.
        public var name: String
        /// Exact neighbours not returned, by reason, over every query.
        public var reasons: [Miss.Reason: Int]
        /// The parameter ("nprobe" or "ef") and, for each query where it is known, the smallest value that returns
        /// every exact neighbour, sorted; nil when no query knows one.
        public var needed: (parameter: String, values: [Int])?
        /// How many query outcomes the shares are taken over.
        public var queries: Int
        /// How many queries the side counts in its title ("over N queries").
        public var queryCount: Int

        public init(
            name: String, reasons: [Miss.Reason: Int], needed: (parameter: String, values: [Int])?, queries: Int, queryCount: Int
        ) {
            self.name = name
            self.reasons = reasons
            self.needed = needed
            self.queries = queries
            self.queryCount = queryCount
        }
    }

    /// Why exact neighbours were missed (bars by reason, both sides) and, when a side knows the parameter each query
    /// needed, the cumulative share of queries each value serves fully.
    public static func misses(
        left: MissSide, right: MissSide, k: Int, in rect: Rect, theme: Theme, measurer: TextMeasurer
    ) -> [Mark] {
        let parameters = [left, right].compactMap { $0.needed?.parameter }
        let parameter = Set(parameters).count == 1 ? parameters[0] : parameters.joined(separator: " (left) / ") + " (right)"
        let neededSeries = [(left, theme.left, false), (right, theme.right, true)].compactMap {
            side, color, dashed -> Charts.Series? in
            guard let values = side.needed?.values else { return nil }
            // A step per distinct value: the share of queries whose every exact neighbour's list is probed by then.
            let points = Array(Set(values)).sorted().map { value in
                (x: Double(value), y: Double(values.count { $0 <= value }) / Double(side.queries))
            }
            return Charts.Series(name: side.name, color: color, points: points, dashed: dashed)
        }
        let (barsRect, curveRect) =
            neededSeries.isEmpty ? (rect, Rect(x: rect.maxX, y: rect.y, width: 0, height: 0)) : rect.sliceLeft(rect.width / 2)
        let queries = max(left.queryCount, right.queryCount)
        let over = queries > 1 ? " over \(queries) queries" : ""
        let rows = Miss.Reason.tableOrder.filter { left.reasons[$0] != nil || right.reasons[$0] != nil }.map { reason in
            var row = Charts.BarRow(
                label: reason.label, left: left.reasons[reason].map(Double.init) ?? 0, right: right.reasons[reason].map(Double.init) ?? 0,
                format: { String(Int($0)) })
            row.showsChange = false
            return row
        }
        let total = [left.reasons, right.reasons].map { $0.values.reduce(0, +) }
        let title = "Why exact neighbours were missed\(over)"
        let subtitle = "Exact top-\(k) neighbours not returned, by reason: left \(total[0]), right \(total[1])."
        // The panel as tall as its rows need (a row is at most 28 pt), not the block's whole height.
        let needed =
            ViewKit.notePanelHeight(title: title, subtitle: subtitle, width: barsRect.width, theme: theme, measurer: measurer)
            + (rows.isEmpty ? theme.labelFont.size * 1.6 : Charts.pairedBarsHeight(rows: rows.count, theme: theme))
        var (marks, content) = ViewKit.panel(
            title: title, subtitle: subtitle,
            in: Rect(x: barsRect.x, y: barsRect.y, width: barsRect.width, height: min(barsRect.height, needed)), theme: theme,
            measurer: measurer)
        if rows.isEmpty {
            marks.append(
                .text(
                    TextMark(
                        "No exact neighbour was missed.", at: Point(content.x, content.y), font: theme.labelFont, color: theme.mutedText)))
        } else {
            marks += Charts.pairedBars(
                rows, leftName: "left: \(left.name)", rightName: "right: \(right.name)", in: content, theme: theme, measurer: measurer,
                leftColor: theme.left, rightColor: theme.right)
        }
        guard !neededSeries.isEmpty else { return marks }
        // "left: nprobe 8 for 95 % of the queries" — the number a reader takes away.
        let served = [(left, "left"), (right, "right")].compactMap { side, name -> String? in
            guard let (parameter, values) = side.needed else { return nil }
            let wanted = Int((0.95 * Double(side.queries)).rounded(.up))
            guard wanted <= values.count else {
                let never = side.queries - values.count
                return parameter == "ef"
                    ? "\(name): \(never) of \(side.queries) queries have an exact neighbour no ef up to \(Explanations.efCap) returns"
                    : "\(name): known for \(values.count) of \(side.queries) queries only"
            }
            return "\(name): \(parameter) \(values[max(wanted - 1, 0)]) for 95 % of the queries"
        }
        let highest = neededSeries.flatMap { $0.points.map(\.x) }.max() ?? 1
        let ticks = (0...20).map { pow(2.0, Double($0)) }.filter { $0 <= highest * 2 }
        return marks
            + Charts.lineChart(
                title: "The \(parameters.first ?? "nprobe") each query needed\(over)", series: neededSeries,
                xLabel: parameter, yLabel: "share of queries", logX: true, yRange: 0...1.05,
                xTicks: ticks,
                subtitle: (parameters.contains("nprobe")
                    ? "nprobe: share of queries whose every exact neighbour's list is among the first nprobe. "
                    : "")
                    + (parameters.contains("ef") ? "ef: share of queries whose search at that ef returns every exact neighbour. " : "")
                    + served.joined(separator: "; ") + ".",
                in: Rect(x: curveRect.x + 5, y: curveRect.y, width: curveRect.width - 5, height: curveRect.height),
                theme: theme, measurer: measurer)
    }

    /// "Missed: id 1286 (exact #3): list not probed: list 17 (coarse rank 2) · … — nprobe 2 would probe every exact
    /// neighbour's list"; nil when nothing was missed.
    public static func missNote(_ measures: SearchMeasures?, unsigned: Bool) -> String? {
        guard let measures, let misses = measures.misses, !misses.isEmpty else { return nil }
        let parts = misses.map { miss -> String in
            let head = "id \(Label(bits: miss.id, unsigned: unsigned)) (exact #\(miss.exactRank))"
            switch miss.reason {
            case .unprobedList:
                return head + ": list \(miss.list.map(String.init) ?? "?") not probed"
                    + (miss.listRank.map { " (coarse rank \($0))" } ?? "")
            case .notReached, .deletedPath:
                return head + ": \(miss.reason.label)" + (miss.hops.map { ", \($0) hop\($0 == 1 ? "" : "s") away" } ?? "")
            default: return head + ": \(miss.reason.label)"
            }
        }
        let needed =
            measures.needed?.nprobe.map { " — nprobe \($0) would probe every exact neighbour's list" }
            ?? measures.needed?.ef.map { " — ef \($0) would return them all" } ?? ""
        // Past four, the rest by reason: the note keeps to its two lines.
        guard parts.count > 4 else { return "Missed: " + parts.joined(separator: " · ") + needed }
        var counts: [(String, Int)] = []
        for miss in misses.dropFirst(3) {
            if let at = counts.firstIndex(where: { $0.0 == miss.reason.label }) {
                counts[at].1 += 1
            } else {
                counts.append((miss.reason.label, 1))
            }
        }
        let rest = counts.map { "\($0.0) × \($0.1)" }.joined(separator: ", ")
        return "Missed \(misses.count): " + parts.prefix(3).joined(separator: " · ") + " · and \(misses.count - 3) more (\(rest))" + needed
    }

    /// A result strip with, on a line beneath it, why its exact neighbours are missing (`missNote`).
    public static func resultsWithNote(
        _ note: String?, in area: Rect, theme: Theme, measurer: TextMeasurer, strip: (Rect) -> [Mark]
    ) -> [Mark] {
        let noteHeight =
            note.map { min(measurer.measure($0, font: theme.smallFont, width: area.width - 16).height, theme.smallFont.size * 2.6) + 2 }
            ?? 0
        var marks = strip(Rect(x: area.x, y: area.y, width: area.width, height: area.height - 4 - noteHeight))
        if let note {
            marks.append(
                .text(
                    TextMark(
                        note, at: Point(area.x + 8, area.maxY - noteHeight - 2), font: theme.smallFont, color: Color(hex: 0xD55E00),
                        width: area.width - 16, maxLines: 2)))
        }
        return marks
    }
}
