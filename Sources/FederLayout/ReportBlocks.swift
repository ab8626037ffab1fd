import FederSearch
import Foundation

/// The report's own blocks — the summary table, the work table, the misses block, index health — drawn from plain
/// figures the report composes from its results. Nothing here reads a result file; the report draws nothing.
public enum ReportBlocks {
    /// Green when the right side is better, vermillion when worse, plain when the shown change rounds to 0.
    public static func changeColor(_ left: Double, _ right: Double, higherIsBetter: Bool, theme: Theme) -> Color {
        guard abs(left - right) > 1e-12, Charts.delta(left, right) != "±0 %" else { return theme.text }
        return (higherIsBetter ? right > left : right < left) ? theme.truth : theme.query
    }

    /// How a table prints a count: a mean over a query set as a decimal, a single query's count whole.
    public static func countFormat(mean: Bool) -> @Sendable (Double) -> String {
        if mean { return { ViewKit.format($0) } }
        return { value in value.isFinite && abs(value) < 1e15 ? ViewKit.grouped(Int(value.rounded())) : ViewKit.format(value) }
    }

    /// The coloured bar at the left edge of a side's column (left or right side's colour), and the rectangle beside it.
    public static func sideColumn(_ column: Int, in rect: Rect, theme: Theme) -> (marks: [Mark], content: Rect) {
        let chip = Mark.rect(
            Rect(x: rect.x, y: rect.y, width: 4, height: rect.height), fill: column == 0 ? theme.left : theme.right, stroke: nil,
            cornerRadius: 2)
        return ([chip], Rect(x: rect.x + 7, y: rect.y, width: rect.width - 7, height: rect.height))
    }

    /// The note under two sides drawn on scales of their own, on the last line of `rect` (kept free of panels).
    public static func ownScalesNote(in rect: Rect, theme: Theme) -> Mark {
        .text(
            TextMark(
                "Each side is drawn on its own distance scale (different indexes).",
                at: Point(rect.maxX, rect.maxY - theme.smallFont.size * 1.25), font: theme.smallFont, color: theme.mutedText,
                alignment: .right))
    }
}

// MARK: the summary table

extension ReportBlocks {
    /// One comparison's line on the summary page.
    public struct SummaryRow: Sendable {
        public var title: String
        /// "left index · query\n→ right index · query".
        public var sides: String
        public var visited: (left: Double, right: Double)
        public var distanceComputations: (left: Double, right: Double)
        /// Mean recall of each side; nil for a side without exact truth.
        public var recall: (left: Double?, right: Double?)
        public var overlap: String?
        /// The larger side's query count when a side ran more than one query (the counts are then means), else nil.
        public var meanOver: Int?

        public init(
            title: String, sides: String, visited: (left: Double, right: Double), distanceComputations: (left: Double, right: Double),
            recall: (left: Double?, right: Double?), overlap: String?, meanOver: Int?
        ) {
            self.title = title
            self.sides = sides
            self.visited = visited
            self.distanceComputations = distanceComputations
            self.recall = recall
            self.overlap = overlap
            self.meanOver = meanOver
        }
    }

    /// Every comparison's line, numbered, from `top` down in `area` (rows that do not fit are left out), and the
    /// note saying what the columns count at the foot of `area`.
    public static func summaryTable(_ rows: [SummaryRow], in area: Rect, top: Double, theme: Theme, measurer: TextMeasurer) -> [Mark] {
        var marks: [Mark] = []
        var y = top
        let columns: [(String, Double)] = [
            ("#", 0.04), ("comparison", 0.34), ("left → right", 0.22), ("visited", 0.1), ("distance computations", 0.14), ("recall@k", 0.1),
            ("overlap", 0.06),
        ]
        var x = area.x
        let header = Font(size: theme.labelFont.size, weight: .bold)
        for (name, share) in columns {
            marks.append(
                .text(TextMark(name, at: Point(x, y), font: header, color: theme.mutedText, width: area.width * share - 4, maxLines: 2)))
            x += area.width * share
        }
        y += header.size * 2.6
        let rowHeight = max(theme.labelFont.size * 3.3, min(34, (area.maxY - y) / Double(max(rows.count, 1))))
        func color(_ left: Double, _ right: Double, higherIsBetter: Bool) -> Color {
            changeColor(left, right, higherIsBetter: higherIsBetter, theme: theme)
        }
        for (position, row) in rows.enumerated() where y + rowHeight <= area.maxY + 1 {
            if position % 2 == 0 {
                marks.append(
                    .rect(
                        Rect(x: area.x - 4, y: y - 3, width: area.width + 8, height: rowHeight), fill: theme.grid.withAlpha(0.35),
                        stroke: nil, cornerRadius: 2))
            }
            let (visitedL, visitedR) = row.visited
            let (distL, distR) = row.distanceComputations
            let set = row.meanOver.map { " (mean of \($0) queries)" } ?? ""
            // One query's counts are whole numbers; a query set's are means.
            let count = countFormat(mean: !set.isEmpty)
            var cells: [(String, Color)] = [
                ("\(position + 1)", theme.mutedText),
                (row.title + set, theme.text),
                (row.sides, theme.mutedText),
                (
                    "\(count(visitedL)) → \(count(visitedR))\n\(Charts.delta(visitedL, visitedR))",
                    color(visitedL, visitedR, higherIsBetter: false)
                ),
                (
                    "\(count(distL)) → \(count(distR))\n\(Charts.delta(distL, distR))",
                    color(distL, distR, higherIsBetter: false)
                ),
            ]
            if let recallL = row.recall.left, let recallR = row.recall.right {
                let shown = (String(format: "%.2f", recallL), String(format: "%.2f", recallR))
                cells.append(("\(shown.0) → \(shown.1)", shown.0 == shown.1 ? theme.text : color(recallL, recallR, higherIsBetter: true)))
            } else if row.recall.left != nil || row.recall.right != nil {
                // One side has no exact truth (codes without their vectors): say which, keep the other's number.
                let shown = [row.recall.left, row.recall.right].map { $0.map { String(format: "%.2f", $0) } ?? "—" }
                cells.append(("\(shown[0]) → \(shown[1])", theme.text))
            } else {
                cells.append(("—", theme.mutedText))
            }
            cells.append((row.overlap ?? "—", theme.text))
            x = area.x
            for ((text, textColor), (_, share)) in zip(cells, columns) {
                marks.append(
                    .text(
                        TextMark(text, at: Point(x, y), font: theme.labelFont, color: textColor, width: area.width * share - 6, maxLines: 3)
                    ))
                x += area.width * share
            }
            y += rowHeight
        }
        let note =
            "visited = distinct vectors whose distance was computed; recall@k against exact search over each index's own vectors; "
            + "overlap = answers both sides returned (one query), or the mean Jaccard overlap of the result lists (query sets). "
            + "Green: better on the right; vermillion: worse."
        let noteHeight = min(measurer.measure(note, font: theme.labelFont, width: area.width).height, theme.labelFont.size * 1.3 * 3)
        let noteY = min(y + 6, area.maxY - noteHeight)
        marks.append(
            .text(TextMark(note, at: Point(area.x, noteY), font: theme.labelFont, color: theme.mutedText, width: area.width, maxLines: 3)))
        // Below the table, where the page has room: each comparison's recall and work as one picture.
        let glance = Rect(x: area.x - 4, y: noteY + noteHeight + 12, width: area.width + 8, height: area.maxY - noteY - noteHeight - 12)
        if glance.height >= max(120, Double(rows.count) * 9 + 70), !rows.isEmpty {
            marks += summaryGlance(rows, in: glance, theme: theme, measurer: measurer)
        }
        return marks
    }

    /// Two panels under the summary table: each comparison (numbered as in the table) as a line from its left
    /// side's value to its right side's, recall@k and distance computations, so the comparisons read at a glance.
    static func summaryGlance(_ rows: [SummaryRow], in rect: Rect, theme: Theme, measurer: TextMeasurer) -> [Mark] {
        let gap = 10.0
        let half = (rect.width - gap) / 2
        var marks: [Mark] = []
        let recalls = rows.flatMap { [$0.recall.left, $0.recall.right].compactMap { $0 } }
        let lowest = recalls.min() ?? 0
        let recallLow = Charts.recallAxisFloor(lowest: lowest)
        let work = rows.flatMap { [$0.distanceComputations.left, $0.distanceComputations.right] }
        let panels: [(String, String, ClosedRange<Double>, (SummaryRow) -> (Double?, Double?), Bool)] = [
            ("Recall@k, left → right", "recall@k", recallLow...1, { ($0.recall.left, $0.recall.right) }, true),
            (
                "Distance computations, left → right", "distance computations (per query)", 0...max(work.max() ?? 1, 1) * 1.05,
                { ($0.distanceComputations.left, $0.distanceComputations.right) }, false
            ),
        ]
        for (position, (title, axisName, range, value, higherIsBetter)) in panels.enumerated() {
            let panel = Rect(x: rect.x + Double(position) * (half + gap), y: rect.y, width: half, height: rect.height)
            let (panelMarks, content) = ViewKit.panel(
                title: title, subtitle: "", in: panel, theme: theme, measurer: measurer)
            marks += panelMarks
            let legend: [(ViewKit.Symbol, String)] = [(.dot(theme.left), "left"), (.dot(theme.right), "right")]
            let (area, legendMarks) = ViewKit.withLegend(legend, in: content, theme: theme, measurer: measurer)
            let plot = Rect(x: area.x + 22, y: area.y + 2, width: area.width - 34, height: area.height - 26)
            func x(_ value: Double) -> Double {
                plot.x + (min(max(value, range.lowerBound), range.upperBound) - range.lowerBound)
                    / max(range.upperBound - range.lowerBound, 1e-12) * plot.width
            }
            let ticks = ViewKit.niceTicks(range.lowerBound, range.upperBound, count: 5)
            marks += ViewKit.ticks(ticks, on: .bottom(of: plot, line: .grid, labelGap: 4, x: x), theme: theme)
            marks.append(ViewKit.xAxisName(axisName, under: plot, gap: 13, theme: theme))
            let step = plot.height / Double(rows.count)
            for (index, row) in rows.enumerated() {
                let y = plot.y + step * (Double(index) + 0.5)
                marks.append(
                    .text(
                        TextMark(
                            "\(index + 1)", at: Point(plot.x - 6, y - theme.smallFont.size * 0.62), font: theme.smallFont,
                            color: theme.mutedText, alignment: .right)))
                let (left, right) = value(row)
                if let left, let right {
                    let changed = Charts.deltaColor(left, right, higherIsBetter: higherIsBetter, theme: theme)
                    marks.append(
                        .polyline([Point(x(left), y), Point(x(right), y)], stroke: Stroke(left == right ? theme.grid : changed, width: 2)))
                }
                // The right side's dot a little smaller, on top: equal values show both colours.
                if let left { marks.append(.circle(center: Point(x(left), y), radius: 4, fill: theme.left, stroke: nil)) }
                if let right {
                    marks.append(
                        .circle(center: Point(x(right), y), radius: 2.6, fill: theme.right, stroke: Stroke(theme.panel, width: 0.6)))
                }
            }
            marks += legendMarks
        }
        return marks
    }
}

// MARK: the work table

extension ReportBlocks {
    /// The paired-bar table of the measures that compare (`rows` as the report composes them), in its panel.
    public static func workTable(
        _ rows: [Charts.BarRow], querySet: Bool, leftName: String, rightName: String, in rect: Rect, theme: Theme,
        measurer: TextMeasurer
    ) -> [Mark] {
        let title = querySet ? "Work and quality — means over the query set" : "Work and quality"
        let subtitle = "Bars compare the two sides row by row; change is right relative to left."
        // As tall as its rows need (a row is at most 28 pt): a slide's tall block keeps no empty panel under the table.
        let needed =
            ViewKit.notePanelHeight(title: title, subtitle: subtitle, width: rect.width, theme: theme, measurer: measurer)
            + Charts.pairedBarsHeight(rows: rows.count, theme: theme)
        let (panelMarks, content) = ViewKit.panel(
            title: title, subtitle: subtitle, in: Rect(x: rect.x, y: rect.y, width: rect.width, height: min(rect.height, needed)),
            theme: theme, measurer: measurer)
        return panelMarks
            + Charts.pairedBars(
                rows, leftName: "left: \(leftName)", rightName: "right: \(rightName)", in: content, theme: theme, measurer: measurer,
                leftColor: theme.left, rightColor: theme.right)
    }
}
