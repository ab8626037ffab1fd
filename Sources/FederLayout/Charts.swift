import FederSearch
import Foundation

/// Charts for comparisons: paired bars and line charts, in the shared theme.
public enum Charts {
    /// One row of a paired-bar table: a measure for the left and the right side.
    public struct BarRow: Sendable {
        public var label: String
        public var left: Double?
        public var right: Double?
        /// How a value is printed.
        public var format: @Sendable (Double) -> String
        /// Small text under the values (e.g. "p50 12 · p95 40").
        public var leftNote: String?
        public var rightNote: String?
        /// Whether larger is better (shapes the delta's wording).
        public var higherIsBetter: Bool
        /// Whether a relative change means anything (not for distances from two different indexes).
        public var showsChange = true
        /// Whether neither direction is better (path lengths, distances reached): the change is printed in grey.
        public var neutral = false
        /// Whether the two values share a scale that bars can show (not distances of two different vector spaces).
        public var drawsBars = true
        /// A measure of the pair (such as result overlap): one value across both columns, no bars.
        public var shared = false
        /// How a shared row says its value ("4 of 8 shared"); nil: the formatted value.
        public var sharedText: String?

        public init(
            label: String, left: Double?, right: Double?, higherIsBetter: Bool = false, leftNote: String? = nil,
            rightNote: String? = nil, format: @escaping @Sendable (Double) -> String = { ViewKit.format($0) }
        ) {
            self.label = label
            self.left = left
            self.right = right
            self.format = format
            self.leftNote = leftNote
            self.rightNote = rightNote
            self.higherIsBetter = higherIsBetter
        }
    }

    /// A table: label, the left value with its bar, the right value with its bar, and the change.
    public static func pairedBars(
        _ rows: [BarRow], leftName: String, rightName: String, in rect: Rect, theme: Theme, measurer: TextMeasurer,
        leftColor: Color, rightColor: Color
    ) -> [Mark] {
        var marks: [Mark] = []
        let available = (rect.height - theme.labelFont.size * 1.7) / Double(max(rows.count, 1))
        // Many rows (deep HNSW graphs) share the height in smaller type rather than overflow the panel.
        let font = available < theme.labelFont.size * 2 ? theme.smallFont : theme.labelFont
        let header = Font(size: theme.labelFont.size, weight: .bold)
        let labelWidth = min(150, rect.width * 0.26)
        // The change column only when some row shows a change (counts of misses by reason show none).
        let showsChanges = rows.contains { $0.showsChange && $0.left != nil && $0.right != nil }
        let deltaWidth = showsChanges ? 64.0 : 0
        let columnWidth = (rect.width - labelWidth - deltaWidth - 12) / 2
        let leftX = rect.x + labelWidth
        let rightX = leftX + columnWidth + 6
        let deltaX = rect.maxX
        // A side's name in smaller type when the column is too narrow for it.
        func headerFont(_ name: String) -> Font {
            measurer.measure(name, font: header, width: nil).width <= columnWidth - 4
                ? header : Font(size: theme.smallFont.size, weight: .bold)
        }
        marks.append(
            .text(
                TextMark(
                    leftName, at: Point(leftX, rect.y), font: headerFont(leftName), color: leftColor, width: columnWidth - 4, maxLines: 1)))
        marks.append(
            .text(
                TextMark(
                    rightName, at: Point(rightX, rect.y), font: headerFont(rightName), color: rightColor, width: columnWidth - 4,
                    maxLines: 1)))
        if showsChanges {
            marks.append(.text(TextMark("change", at: Point(deltaX, rect.y), font: header, color: theme.mutedText, alignment: .right)))
        }
        let rowHeight = min(maximumBarRowHeight, max(font.size * 1.3, available))
        var y = rect.y + font.size * 1.7
        for (index, row) in rows.enumerated() {
            if index % 2 == 0 {
                marks.append(
                    .rect(
                        Rect(x: rect.x - 4, y: y - 2, width: rect.width + 8, height: rowHeight), fill: theme.grid.withAlpha(0.35),
                        stroke: nil, cornerRadius: 2))
            }
            marks.append(
                .text(TextMark(row.label, at: Point(rect.x, y + 1), font: font, color: theme.text, width: labelWidth - 6, maxLines: 2)))
            if row.shared, let value = row.left {
                marks.append(
                    .text(
                        TextMark(
                            row.sharedText ?? (row.format(value) + "  (one value for the pair)"),
                            at: Point((leftX + rightX + columnWidth) / 2, y + 1),
                            font: font, color: theme.text, alignment: .center)))
                y += rowHeight
                continue
            }
            let scale = max(abs(row.left ?? 0), abs(row.right ?? 0), 1e-12)
            let barHeight = min(7, rowHeight * 0.3)
            for (value, note, x, color) in [(row.left, row.leftNote, leftX, leftColor), (row.right, row.rightNote, rightX, rightColor)] {
                guard let value else {
                    marks.append(.text(TextMark("—", at: Point(x, y + 1), font: font, color: theme.mutedText)))
                    continue
                }
                let text = row.format(value)
                let textWidth = measurer.measure(text, font: font, width: nil).width
                marks.append(.text(TextMark(text, at: Point(x, y + 1), font: font, color: theme.text)))
                let barX = x + max(textWidth + 6, 44)
                let barWidth = max(0, (columnWidth - (barX - x) - 8) * abs(value) / scale)
                if row.drawsBars {
                    marks.append(
                        .rect(
                            Rect(x: barX, y: y + 3, width: max(barWidth, 0.5), height: barHeight), fill: color, stroke: nil,
                            cornerRadius: 1.5))
                }
                if let note, rowHeight >= font.size * 2.4 {
                    marks.append(
                        .text(
                            TextMark(
                                note, at: Point(x, y + font.size * 1.3), font: theme.smallFont, color: theme.mutedText,
                                width: columnWidth - 8, maxLines: 1)))
                }
            }
            if let left = row.left, let right = row.right, row.showsChange {
                marks.append(
                    .text(
                        TextMark(
                            delta(left, right), at: Point(deltaX, y + 1), font: font,
                            color: row.neutral
                                ? theme.mutedText : deltaColor(left, right, higherIsBetter: row.higherIsBetter, theme: theme),
                            alignment: .right)))
            }
            y += rowHeight
        }
        return marks
    }

    /// "−23 %" / "+5 %" / "±0 %" from left to right.
    public static func delta(_ left: Double, _ right: Double) -> String {
        guard left != 0 else { return right == 0 ? "±0 %" : "new" }
        let change = (right - left) / abs(left) * 100
        if abs(change) < 0.5 { return "±0 %" }
        return String(format: "%@%.0f %%", change > 0 ? "+" : "−", abs(change))
    }

    static func deltaColor(_ left: Double, _ right: Double, higherIsBetter: Bool, theme: Theme) -> Color {
        // A change too small to print ("±0 %") is not coloured as better or worse either.
        guard left != right, delta(left, right) != "±0 %" else { return theme.mutedText }
        let better = higherIsBetter ? right > left : right < left
        return better ? theme.truth : theme.query
    }

    /// One series of a line chart.
    public struct Series: Sendable {
        public var name: String
        public var color: Color
        public var points: [(x: Double, y: Double)]
        public var dashed: Bool

        public init(name: String, color: Color, points: [(x: Double, y: Double)], dashed: Bool = false) {
            self.name = name
            self.color = color
            self.points = points
            self.dashed = dashed
        }
    }

    /// Where a recall axis starts: 0 when the lowest recall drawn is below 0.5, else a little under it (rounded down to
    /// 0.05), so points close to 1 do not all sit on the top line.
    public static func recallAxisFloor(lowest: Double) -> Double {
        lowest >= 0.5 ? floor((lowest - max((1 - lowest) * 0.15, 0.01)) * 20) / 20 : 0
    }

    /// The height `pairedBars` needs for `rows` rows at their largest (a row is at most 28 pt), its header included.
    public static func pairedBarsHeight(rows: Int, theme: Theme) -> Double {
        theme.labelFont.size * 1.7 + Double(rows) * maximumBarRowHeight + 4
    }

    static let maximumBarRowHeight = 28.0

    /// A line chart with axes, ticks, labels and a legend; x on a log₂ scale when `logX`.
    public static func lineChart(
        title: String, series: [Series], xLabel: String, yLabel: String, logX: Bool, yRange: ClosedRange<Double>? = nil,
        xTicks chosenTicks: [Double]? = nil, subtitle: String = "", in rect: Rect, theme: Theme, measurer: TextMeasurer
    ) -> [Mark] {
        var (marks, content) = ViewKit.panel(title: title, subtitle: subtitle, in: rect, theme: theme, measurer: measurer)
        // A series that runs on the first one (same x, y within 1 % of the y range, everywhere) says so in the legend.
        let allY = series.flatMap { $0.points.map(\.y) }
        let ySpan = max((yRange?.upperBound ?? allY.max() ?? 1) - (yRange?.lowerBound ?? min(0, allY.min() ?? 0)), 1e-12)
        let firstPoints = series.first?.points.sorted { $0.x < $1.x } ?? []
        let coincides = series.enumerated().map { position, line in
            let points = line.points.sorted { $0.x < $1.x }
            return position > 0 && !points.isEmpty && points.count == firstPoints.count
                && zip(points, firstPoints).allSatisfy { $0.x == $1.x && abs($0.y - $1.y) <= ySpan * 0.01 }
        }
        let legendItems = zip(series, coincides).map { line, same in
            (ViewKit.Symbol.line(line.color, dashed: line.dashed), same ? "\(line.name) (on the same line)" : line.name)
        }
        let (area, legendMarks) = ViewKit.withLegend(legendItems, in: content, theme: theme, measurer: measurer)
        let plot = Rect(x: area.x + 44, y: area.y + 4, width: area.width - 52, height: area.height - 30)
        let xs = series.flatMap { $0.points.map(\.x) }
        let ys = series.flatMap { $0.points.map(\.y) }
        guard let xMin = xs.min(), let xMax = xs.max(), let yMinData = ys.min(), let yMaxData = ys.max() else { return marks }
        func tx(_ x: Double) -> Double {
            let (low, high, value) = logX ? (log2(max(xMin, 1e-9)), log2(max(xMax, 1e-9)), log2(max(x, 1e-9))) : (xMin, xMax, x)
            return plot.x + (high > low ? (value - low) / (high - low) : 0.5) * plot.width
        }
        let yLow = yRange?.lowerBound ?? min(0, yMinData)
        let yHigh = yRange?.upperBound ?? (yMaxData > yLow ? yMaxData * 1.05 : yLow + 1)
        func ty(_ y: Double) -> Double { plot.maxY - (y - yLow) / max(yHigh - yLow, 1e-12) * plot.height }
        // As many ticks as the height holds apart (a short chart in a compact layout gets two or three).
        marks += ViewKit.ticks(
            ViewKit.niceTicks(yLow, yHigh, count: max(2, min(5, Int(plot.height / 16)))),
            on: .left(of: plot, line: .grid, labelRaise: 4, y: ty), theme: theme)
        let xTicks = chosenTicks?.filter { $0 >= xMin && $0 <= xMax } ?? Array(Set(xs)).sorted()
        marks += ViewKit.ticks(xTicks, on: .bottom(of: plot, line: .stub(3), labelGap: 5, x: tx), theme: theme)
        marks.append(ViewKit.axisLines(plot, theme: theme))
        marks.append(ViewKit.xAxisName(xLabel, under: plot, gap: 14, theme: theme))
        // The axis name, when it fits along the axis (the panel title names the measure too).
        if measurer.measure(yLabel, font: theme.labelFont, width: nil).width <= plot.height {
            marks.append(ViewKit.yAxisName(yLabel, at: area.x, along: plot, theme: theme))
        }
        // The first series is drawn wide and pale under the others, so a line that runs on top of it leaves it visible.
        let drawn = series.map { line in line.points.sorted { $0.x < $1.x }.map { Point(tx($0.x), ty($0.y)) } }
        for (position, line) in series.enumerated() {
            let points = drawn[position]
            let under = position == 0 && series.count > 1
            marks.append(
                .polyline(
                    points,
                    stroke: Stroke(line.color.withAlpha(under ? 0.45 : 1), width: under ? 4.5 : 1.8, dash: line.dashed ? [4, 3] : [])))
            for point in points {
                marks.append(
                    .circle(
                        center: point, radius: under ? 3.8 : 2.6, fill: line.color.withAlpha(under ? 0.55 : 1),
                        stroke: Stroke(theme.panel, width: 0.8)))
            }
        }
        return marks + legendMarks
    }

    /// A histogram of two samples on shared bins (distributions over a query set).
    public static func pairedHistogram(
        title: String, left: [Double], right: [Double], leftName: String, rightName: String, xLabel: String,
        in rect: Rect, theme: Theme, measurer: TextMeasurer, leftColor: Color, rightColor: Color
    ) -> [Mark] {
        var (marks, content) = ViewKit.panel(title: title, subtitle: "", in: rect, theme: theme, measurer: measurer)
        let (area, legendMarks) = ViewKit.withLegend(
            [(.square(leftColor), leftName), (.square(rightColor), rightName)], in: content, theme: theme, measurer: measurer)
        let all = left + right
        guard let low = all.min(), let high = all.max() else { return marks }
        let bins = 12
        let width = max((high - low) / Double(bins), 1e-9)
        func counts(_ values: [Double]) -> [Int] {
            var result = [Int](repeating: 0, count: bins)
            for value in values { result[min(bins - 1, max(0, Int((value - low) / width)))] += 1 }
            return result
        }
        let leftCounts = counts(left)
        let rightCounts = counts(right)
        let highest = Double(max(leftCounts.max() ?? 1, rightCounts.max() ?? 1, 1))
        let plot = Rect(x: area.x + 38, y: area.y + 2, width: area.width - 42, height: area.height - 26)
        // Whole numbers of queries.
        let (axisMarks, top) = countAxis(highest: highest, ticks: 3, wholeOnly: true, plot: plot, theme: theme)
        marks += axisMarks
        let slot = plot.width / Double(bins)
        for bin in 0..<bins {
            for (offset, (count, color)) in [(leftCounts[bin], leftColor), (rightCounts[bin], rightColor)].enumerated() {
                let height = plot.height * Double(count) / top
                let x = plot.x + Double(bin) * slot + 1 + Double(offset) * (slot - 2) / 2
                marks.append(
                    .rect(
                        Rect(x: x, y: plot.maxY - height, width: (slot - 2) / 2, height: height), fill: color, stroke: nil, cornerRadius: 1)
                )
            }
        }
        marks.append(.polyline([Point(plot.x, plot.maxY), Point(plot.maxX, plot.maxY)], stroke: Stroke(theme.mutedText, width: 0.8)))
        marks += ViewKit.ticks(
            ViewKit.niceTicks(low, high, count: 4),
            on: .bottom(of: plot, line: .none, labelGap: 3) { tick in plot.x + (tick - low) / (width * Double(bins)) * plot.width },
            theme: theme)
        marks.append(ViewKit.xAxisName(xLabel, under: plot, gap: 12, theme: theme))
        if measurer.measure("queries", font: theme.smallFont, width: nil).width <= plot.height {
            marks.append(ViewKit.yAxisName("queries", at: area.x, along: plot, font: theme.smallFont, theme: theme))
        }
        return marks + legendMarks
    }

    /// A count axis for bars in `plot`: gridlines and labels from 0, and the value at the top of the plot (the last
    /// tick, at or above `highest`). With `wholeOnly`, fractional ticks are left out.
    static func countAxis(highest: Double, ticks count: Int, wholeOnly: Bool, plot: Rect, theme: Theme) -> (marks: [Mark], top: Double) {
        var ticks = ViewKit.niceTicks(0, highest, count: max(1, min(count, Int(plot.height / 14))))
        if wholeOnly { ticks = ticks.filter { $0 == $0.rounded() } }
        let top = max(ticks.last ?? highest, highest)
        let marks = ViewKit.ticks(
            ticks,
            on: .left(of: plot, line: .grid, labelRaise: theme.smallFont.size * 0.6) { tick in plot.maxY - tick / top * plot.height },
            theme: theme)
        return (marks, top)
    }

    /// Bars of `bins` with a count axis on the left and the bins' ranges beneath.
    public static func binned(_ bins: [IVFHealth.Bin], unit: String, axis: String, in rect: Rect, theme: Theme) -> [Mark] {
        guard !bins.isEmpty, rect.height > 40 else { return [] }
        var marks: [Mark] = []
        let plot = Rect(x: rect.x + 34, y: rect.y + 4, width: rect.width - 40, height: rect.height - 30)
        let highest = Double(bins.map(\.count).max() ?? 1)
        let (axisMarks, top) = countAxis(highest: max(highest, 1), ticks: 4, wholeOnly: false, plot: plot, theme: theme)
        marks += axisMarks
        let slot = plot.width / Double(bins.count)
        for (position, bin) in bins.enumerated() {
            let height = Double(bin.count) / top * plot.height
            marks.append(
                .rect(
                    Rect(x: plot.x + Double(position) * slot + 1, y: plot.maxY - height, width: max(1, slot - 2), height: height),
                    fill: theme.accent, stroke: nil, cornerRadius: 1))
        }
        // Every other bin's range beneath when they would crowd.
        let every = slot < 34 ? Int((34 / slot).rounded(.up)) : 1
        for (position, bin) in bins.enumerated() where position % every == 0 {
            marks.append(
                .text(
                    TextMark(
                        bin.from == bin.to ? "\(bin.from)" : "\(bin.from)–\(bin.to)",
                        at: Point(plot.x + (Double(position) + 0.5) * slot, plot.maxY + 3), font: theme.smallFont, color: theme.mutedText,
                        alignment: .center)))
        }
        marks.append(ViewKit.axisLines(plot, theme: theme))
        marks.append(ViewKit.xAxisName(axis, under: plot, gap: 14, theme: theme))
        marks.append(ViewKit.yAxisName(unit, at: rect.x + 4, along: plot, theme: theme))
        return marks
    }

}
