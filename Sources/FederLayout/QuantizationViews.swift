import FederIndex
import FederSearch
import Foundation

/// What quantization did to a search: every scored vector's approximate distance (what faiss computed from
/// its code) against its true distance (from the vectors that were added), the refine step as a before/after
/// ranking, and how a product quantizer's codebooks are used.
public enum QuantizationViews {
    public struct Input: Sendable {
        public var trace: SearchTrace
        /// The scored vectors' approximate and true distances (from the vectors that were added).
        public var approximation: CodeApproximation
        /// How many vectors were added (row r the vector of internal id r).
        public var rows: Int
        /// Row → label when the index maps ids.
        public var baseLabels: MappedArray<Int64>?
        public var seed: UInt64

        public init(trace: SearchTrace, approximation: CodeApproximation, rows: Int, baseLabels: MappedArray<Int64>?, seed: UInt64) {
            self.trace = trace
            self.approximation = approximation
            self.rows = rows
            self.baseLabels = baseLabels
            self.seed = seed
        }

        /// The row of label `label` (nil when no row has it).
        func row(of label: Int64) -> Int? {
            if let baseLabels { return baseLabels.firstIndex(of: label) }
            return label >= 0 && label < Int64(rows) ? Int(label) : nil
        }
    }

    /// The scatter of approximate against true distance.
    public static func scatter(_ input: Input, in rect: Rect, theme: Theme, measurer: TextMeasurer) -> [Mark] {
        let trace = input.trace
        let k = trace.parameters.k
        let distanceName = ViewKit.distanceName(of: trace)
        var points = input.approximation.points
        let resultRank = ViewKit.resultRanks(trace, by: \.internalID)
        let truthRows = Set((trace.measures?.exact ?? []).prefix(k).compactMap { input.row(of: $0.id) })
        let scoredRows = Set(points.map(\.row))
        let rankedOut = truthRows.filter { scoredRows.contains($0) && resultRank[$0] == nil }
        let unscored = truthRows.count - truthRows.intersection(scoredRows).count
        // At most 4,000 dots: every n-th scored vector, and every result and true neighbour.
        let stride = max(1, points.count / 4000)
        let drawnCount = points.count
        points = points.enumerated().filter {
            $0.offset % stride == 0 || resultRank[$0.element.row] != nil || truthRows.contains($0.element.row)
        }
        .map(\.element)
        guard !points.isEmpty else {
            return ViewKit.panel(
                title: "Quantization — approximate vs true distance", subtitle: "No scored vectors to compare.", in: rect, theme: theme,
                measurer: measurer
            ).marks
        }

        let codes = trace.codes ?? "codes"
        let sampled = points.count < drawnCount ? " (\(points.count) of \(drawnCount))" : ""
        let subtitle =
            "\(codes). Each dot a scored vector\(sampled): true \(distanceName) across, faiss's from the code up; dashed: equal; "
            + "grey: the k-th result's."
        var (marks, content) = ViewKit.panel(
            title: "Quantization — approximate vs true distance", subtitle: subtitle, in: rect, theme: theme, measurer: measurer)
        // The ranked-out ring is in the legend when one is drawn.
        let legendItems: [(ViewKit.Symbol, String)] =
            [
                (.dot(theme.scored), "scored"), (.badge(theme.result), "top-\(k) by approximate distance, ranked"),
                (.ring(theme.truth), "exact top-\(k)"),
            ] + (rankedOut.isEmpty ? [] : [(.ring(Color(hex: 0xD55E00)), "exact neighbour ranked out by the codes")])
        let (area, legendMarks) = ViewKit.withLegend(legendItems, in: content, theme: theme, measurer: measurer)
        var summary = "\(truthRows.count - rankedOut.count - unscored) of the exact top-\(truthRows.count) in the results"
        if !rankedOut.isEmpty { summary += " · \(rankedOut.count) scored but ranked out by the approximation" }
        if unscored > 0 { summary += " · \(unscored) never scored (\(trace.ivf != nil ? "in lists not probed" : "not reached"))" }
        if truthRows.isEmpty { summary = "no exact neighbours known for this query" }
        // On one line where it fits, else two.
        let summaryHeight = min(
            measurer.measure(summary, font: theme.labelFont, width: area.width).height, theme.labelFont.size * 1.25 * 2 + 1)
        marks.append(
            .text(
                TextMark(
                    summary, at: Point(area.x, area.y), font: theme.labelFont, color: theme.text, width: area.width, maxLines: 2)))

        let approximations = points.map { Double($0.approximate) }
        let trueValues = points.map { Double($0.exact) }
        let all = (approximations + trueValues).filter(\.isFinite)
        // Zoomed on where the ranking is decided: the results and the exact neighbours, with room around them.
        let special = points.indices.filter { resultRank[points[$0].row] != nil || truthRows.contains(points[$0].row) }
        let focus = special.flatMap { [approximations[$0], trueValues[$0]] }.filter(\.isFinite)
        let low = all.min() ?? 0
        let dataHigh = all.max() ?? 1
        let high = focus.max().map { min(dataHigh, $0 + 0.75 * max($0 - low, 1e-9)) } ?? dataHigh
        let span = max(high - low, 1e-9)
        let outside = points.indices.filter { approximations[$0] > high || trueValues[$0] > high }.count
        // The zoom said beside the summary when it fits there, else on a line of its own beneath it.
        var top = area.y + max(16, summaryHeight + 4)
        if outside > 0 {
            let note = "zoomed in on the results: \(outside) farther dots off the axes"
            let room = area.width - measurer.measure(summary, font: theme.labelFont, width: nil).width - 12
            let fits = measurer.measure(note, font: theme.smallFont, width: nil).width <= room
            if fits {
                marks.append(
                    .text(
                        TextMark(
                            note, at: Point(area.maxX, area.y + 1), font: theme.smallFont, color: theme.mutedText, alignment: .right)))
            } else {
                marks.append(
                    .text(
                        TextMark(
                            note, at: Point(area.x, area.y + summaryHeight + 1), font: theme.smallFont,
                            color: theme.mutedText, width: area.width, maxLines: 1)))
                top += theme.smallFont.size * 1.35
            }
        }
        let plot = Rect(x: area.x + 46, y: top, width: max(10, area.width - 56), height: max(10, area.maxY - 28 - top))

        let lowEdge = low - span * 0.03
        let highEdge = high + span * 0.03
        func place(_ x: Double, _ y: Double) -> Point {
            Point(
                plot.x + (x - lowEdge) / (highEdge - lowEdge) * plot.width,
                plot.maxY - (y - lowEdge) / (highEdge - lowEdge) * plot.height)
        }
        // Both axes share the ticks: each tick's two gridlines, then its two labels.
        marks += ViewKit.ticks(
            ViewKit.niceTicks(lowEdge, highEdge, count: 5),
            on: [
                .left(of: plot, line: .grid, labelRaise: 4) { place($0, $0).y },
                .bottom(of: plot, line: .grid, labelGap: 3) { place($0, $0).x },
            ], theme: theme)
        marks.append(.rect(plot, fill: nil, stroke: Stroke(theme.mutedText, width: 0.6), cornerRadius: 0))
        marks.append(
            .polyline([place(lowEdge, lowEdge), place(highEdge, highEdge)], stroke: Stroke(theme.mutedText, width: 0.9, dash: [4, 3])))
        if let cutoff = (trace.refine?.base.results ?? trace.results).last(where: { $0.id >= 0 })?.distance, cutoff.isFinite {
            let y = place(lowEdge, Double(cutoff)).y
            if y >= plot.y, y <= plot.maxY {
                marks.append(.polyline([Point(plot.x, y), Point(plot.maxX, y)], stroke: Stroke(theme.quiet, width: 1.2)))
            }
        }
        marks.append(ViewKit.xAxisName("true \(distanceName)", under: plot, gap: 13, theme: theme))
        // The axis name along the axis, in smaller type or shorter when the plot is short.
        let axisName = ["approximate (from the code)", "approximate"].first {
            measurer.measure($0, font: theme.labelFont, width: nil).width <= plot.height
        }
        if let axisName { marks.append(ViewKit.yAxisName(axisName, at: area.x + 4, along: plot, theme: theme)) }

        // Plain dots first, then the true neighbours' rings, then the ranked results on top.
        var order = Array(points.indices)
        order.sort { (resultRank[points[$0].row] ?? Int.max, points[$0].row) > (resultRank[points[$1].row] ?? Int.max, points[$1].row) }
        order.removeAll { approximations[$0] > high || trueValues[$0] > high }
        for index in order where resultRank[points[index].row] == nil {
            marks.append(
                .circle(
                    center: place(trueValues[index], approximations[index]), radius: 1.8, fill: theme.scored.withAlpha(0.55), stroke: nil))
        }
        var rings: [Rect] = []
        for index in order where truthRows.contains(points[index].row) {
            let color = rankedOut.contains(points[index].row) ? Color(hex: 0xD55E00) : theme.truth
            let center = place(trueValues[index], approximations[index])
            marks.append(.circle(center: center, radius: 5, fill: nil, stroke: Stroke(color, width: 1.6)))
            rings.append(Rect(x: center.x - 5, y: center.y - 5, width: 10, height: 10))
        }
        // The first 20 results numbered beside their dot, clear of one another and of the rings.
        var numbered: [(rank: Int, point: Point)] = []
        for index in order {
            guard let rank = resultRank[points[index].row] else { continue }
            let center = place(trueValues[index], approximations[index])
            if rank <= 20 {
                numbered.append((rank, center))
            } else {
                marks.append(.circle(center: center, radius: 2.5, fill: theme.result, stroke: nil))
            }
        }
        let (badges, unlabelled) = ViewKit.rankBadges(
            numbered, color: theme.result, theme: theme, dotRadius: 3, avoid: rings,
            crowd: order.filter { resultRank[points[$0].row] == nil }.map { place(trueValues[$0], approximations[$0]) }, bounds: plot)
        marks += badges
        // Targets: every dot drawn, by its label, with both distances.
        for index in order.reversed() {
            let row = points[index].row
            let label = trace.nodeLabels?[row] ?? (input.baseLabels.map { row < $0.count ? $0[row] : Int64(row) } ?? Int64(row))
            var fields = [
                HitMark.Field("code distance", ViewKit.format(approximations[index])),
                HitMark.Field("true distance", ViewKit.format(trueValues[index])),
            ]
            if let rank = resultRank[row] { fields.insert(HitMark.Field("rank", "\(rank)"), at: 0) }
            if truthRows.contains(row) {
                fields.append(
                    HitMark.Field("exact", rankedOut.contains(row) ? "exact neighbour ranked out by the codes" : "exact neighbour"))
            }
            marks.append(
                .hit(
                    HitMark(
                        id: ViewKit.targetID(label, unsigned: trace.labels.isUnsigned),
                        center: place(trueValues[index], approximations[index]), radius: 3, fields: fields)))
        }
        marks += ViewKit.crowdedOutNote(unlabelled, at: Point(plot.maxX - 3, plot.maxY - 12), theme: theme)
        return marks + legendMarks
    }
}

extension QuantizationViews {
    /// The refine step: the base index's shortlist (left, by its approximate distance) and the final top-k
    /// (right, by the refine index's distance), a line for every entry that made it; exact neighbours ringed;
    /// exact neighbours the shortlist missed listed below.
    public static func refine(
        _ trace: SearchTrace, exactRows: [Int64]?, unsignedLabels: Bool, in rect: Rect, theme: Theme, measurer: TextMeasurer
    ) -> [Mark] {
        guard let refine = trace.refine else { return [] }
        let k = trace.parameters.k
        let shortlist = refine.base.results.filter { $0.id >= 0 }
        let final = trace.results.filter { $0.id >= 0 }
        let exact = Set((exactRows ?? []).prefix(k))
        let finalRank = Dictionary(final.enumerated().map { ($0.element.id, $0.offset) }, uniquingKeysWith: { first, _ in first })
        let missed = (exactRows ?? []).prefix(k).filter { id in !shortlist.contains { $0.id == id } }
        var subtitle =
            "Left: the base's shortlist of \(refine.kBase) (k_factor \(ViewKit.format(Double(refine.kFactor))) × k \(k)), "
            + "by the code's distance; right: the top-\(k) after \(refine.refineIndex) re-scored it."
        if exactRows != nil {
            subtitle +=
                missed.isEmpty
                ? " Every exact neighbour was in the shortlist." : " \(missed.count) exact neighbours were not in the shortlist."
        }
        var (marks, content) = ViewKit.panel(
            title: "Refine — shortlist re-scored", subtitle: subtitle, in: rect, theme: theme, measurer: measurer)
        var legendItems: [(ViewKit.Symbol, String)] = [
            (.line(theme.accent, dashed: false), "kept: shortlist rank → final rank"), (.dot(theme.quiet), "dropped"),
        ]
        if exactRows != nil { legendItems.append((.ring(theme.truth), "exact top-\(k)")) }
        let (area, legendMarks) = ViewKit.withLegend(legendItems, in: content, theme: theme, measurer: measurer)
        // The shortlist's first rows (as many as fit, up to 30), then any farther entry that reached the top-k.
        let fitting = Int((area.height - 14 - (missed.isEmpty ? 0 : theme.labelFont.size * 1.8)) / 7.5) - 2
        let shownLimit = max(min(30, fitting - final.count / 3), min(final.count, 8))
        var left = Array(shortlist.prefix(shownLimit).enumerated())
        let beyond = shortlist.enumerated().filter { $0.offset >= shownLimit && finalRank[$0.element.id] != nil }
        left += beyond
        let missedNote = missed.isEmpty ? 0.0 : theme.labelFont.size * 1.8
        let rows = max(left.count + (beyond.isEmpty ? 0 : 1) + (shortlist.count > shownLimit ? 1 : 0), final.count, 1)
        let rowHeight = min(16, max(6, (area.height - 14 - missedNote) / Double(rows)))
        let font = Font(size: min(theme.smallFont.size, rowHeight * 0.8), monospace: true)
        let columnWidth = min(170, area.width * 0.3)
        let leftX = area.x
        let rightX = area.maxX - columnWidth
        let top = area.y + 12
        marks.append(
            .text(TextMark("shortlist rank · id · code distance", at: Point(leftX, area.y), font: theme.smallFont, color: theme.mutedText)))
        marks.append(
            .text(TextMark("final rank · id · distance", at: Point(rightX, area.y), font: theme.smallFont, color: theme.mutedText)))
        func name(_ id: Int64) -> String { "\(Label(bits: id, unsigned: unsignedLabels))" }
        var leftY: [Int64: Double] = [:]
        for (row, entry) in left.enumerated() {
            let shift = row >= shownLimit ? 1.0 : 0.0
            let y = top + (Double(row) + shift) * rowHeight
            leftY[entry.element.id] = y + rowHeight / 2
            let kept = finalRank[entry.element.id] != nil
            let text = "\(entry.offset + 1). \(name(entry.element.id))  \(ViewKit.format(Double(entry.element.distance)))"
            marks.append(
                .text(
                    TextMark(
                        text, at: Point(leftX + 10, y + (rowHeight - font.size * 1.2) / 2), font: font,
                        color: kept ? theme.text : theme.mutedText,
                        width: columnWidth - 10, maxLines: 1)))
            marks.append(
                .circle(center: Point(leftX + 4, y + rowHeight / 2), radius: 2.2, fill: kept ? theme.accent : theme.quiet, stroke: nil))
            var fields = [
                HitMark.Field("shortlist rank", "\(entry.offset + 1)"),
                HitMark.Field("code distance", ViewKit.format(Double(entry.element.distance))),
            ]
            if let rank = finalRank[entry.element.id] { fields.append(HitMark.Field("final rank", "\(rank + 1)")) }
            if exact.contains(entry.element.id) { fields.append(HitMark.Field("exact", "exact neighbour")) }
            marks.append(
                .hit(
                    HitMark(
                        id: "id \(name(entry.element.id))", rect: Rect(x: leftX, y: y, width: columnWidth, height: rowHeight),
                        fields: fields)))
            if exact.contains(entry.element.id) {
                marks.append(
                    .circle(center: Point(leftX + 4, y + rowHeight / 2), radius: 4, fill: nil, stroke: Stroke(theme.truth, width: 1.3)))
            }
        }
        if shortlist.count > shownLimit {
            // Beneath every row drawn: the first ones, the "…" row and the farther entries that reached the top-k.
            let y = top + Double(left.count + (beyond.isEmpty ? 0 : 1)) * rowHeight
            let hidden = shortlist.count - shownLimit - beyond.count
            let note =
                beyond.isEmpty
                ? "ranks \(shownLimit + 1)–\(shortlist.count) not shown: none reached the top-\(k)"
                : "\(hidden) more not shown: none reached the top-\(k)"
            marks.append(
                .text(
                    TextMark(
                        note, at: Point(leftX + 10, y + 2), font: theme.smallFont, color: theme.mutedText, width: columnWidth * 1.6,
                        maxLines: 2)))
        }
        if !beyond.isEmpty {
            let y = top + Double(shownLimit) * rowHeight
            marks.append(.text(TextMark("…", at: Point(leftX + 10, y), font: font, color: theme.mutedText)))
        }
        for (rank, entry) in final.enumerated() {
            let y = top + Double(rank) * rowHeight
            let text = "\(rank + 1). \(name(entry.id))  \(ViewKit.format(Double(entry.distance)))"
            marks.append(
                .text(
                    TextMark(
                        text, at: Point(rightX + 10, y + (rowHeight - font.size * 1.2) / 2), font: font, color: theme.text,
                        width: columnWidth - 10, maxLines: 1)))
            marks.append(.circle(center: Point(rightX + 4, y + rowHeight / 2), radius: 2.2, fill: theme.result, stroke: nil))
            var fields = [HitMark.Field("rank", "\(rank + 1)"), HitMark.Field("distance", ViewKit.format(Double(entry.distance)))]
            if let position = shortlist.firstIndex(where: { $0.id == entry.id }) {
                fields.append(HitMark.Field("shortlist rank", "\(position + 1)"))
            }
            if exact.contains(entry.id) { fields.append(HitMark.Field("exact", "exact neighbour")) }
            marks.append(
                .hit(
                    HitMark(id: "id \(name(entry.id))", rect: Rect(x: rightX, y: y, width: columnWidth, height: rowHeight), fields: fields))
            )
            if exact.contains(entry.id) {
                marks.append(
                    .circle(center: Point(rightX + 4, y + rowHeight / 2), radius: 4, fill: nil, stroke: Stroke(theme.truth, width: 1.3)))
            }
            if let from = leftY[entry.id] {
                let start = Point(leftX + columnWidth + 4, from)
                let end = Point(rightX - 4, y + rowHeight / 2)
                marks.append(
                    .polyline(
                        [start, Point(start.x + 12, start.y), Point(end.x - 12, end.y), end],
                        stroke: Stroke(theme.accent.withAlpha(0.7), width: 1)))
            }
        }
        if !missed.isEmpty {
            let text =
                "Missed by the shortlist: " + missed.prefix(12).map { "id \(name($0))" }.joined(separator: ", ")
                + (missed.count > 12 ? " …" : "")
            marks.append(
                .text(
                    TextMark(
                        text, at: Point(area.x, area.maxY - missedNote + 2), font: theme.labelFont, color: Color(hex: 0xD55E00),
                        width: area.width, maxLines: 1)))
        }
        return marks + legendMarks
    }

    /// How a product quantizer's codebooks are used: for every sub-quantizer (row) and codeword (column), the
    /// share of the index's codes that use it.
    public static func codebooks(
        counts: [[Int]], codes: Int, summary: String, in rect: Rect, theme: Theme, measurer: TextMeasurer
    ) -> [Mark] {
        let rows = counts.count
        let columns = counts.first?.count ?? 0
        let unused = counts.reduce(0) { $0 + $1.count(where: { $0 == 0 }) }
        let busiest = counts.map { ($0.max() ?? 0) }.max() ?? 0
        // Perplexity per sub-quantizer: 2^entropy, the number of equally used codewords with the same spread.
        let perplexities: [Double] = counts.map { row in
            let total = Double(row.reduce(0, +))
            guard total > 0 else { return 0 }
            let entropy = row.reduce(0.0) { sum, count in
                guard count > 0 else { return sum }
                let p = Double(count) / total
                return sum - p * log2(p)
            }
            return pow(2, entropy)
        }
        let meanPerplexity = perplexities.isEmpty ? 0 : perplexities.reduce(0, +) / Double(perplexities.count)
        let subtitle =
            "\(summary): \(codes) codes. A row per sub-quantizer, its \(columns) codewords sorted by use, most used first; "
            + "right: perplexity, the codewords an even spread with the same entropy would use (mean "
            + "\(ViewKit.format(meanPerplexity))). \(unused) of \(rows * columns) codewords unused."
        var (marks, content) = ViewKit.panel(
            title: "PQ codebook use", subtitle: subtitle, in: rect, theme: theme, measurer: measurer, subtitleLines: 4)
        guard rows > 0, columns > 0 else { return marks }
        let scale = log(Double(max(busiest, 1)) + 1)
        let middle = Int((exp(scale / 2) - 1).rounded())
        let legendItems: [(ViewKit.Symbol, String)] = [
            (.square(theme.ramp(0)), "unused"), (.square(theme.ramp(log(2) / scale)), "1 code"),
            (.square(theme.ramp(0.5)), "\(middle) codes"), (.square(theme.ramp(1)), "\(busiest) codes"),
        ]
        let (area, legendMarks) = ViewKit.withLegend(legendItems, in: content, theme: theme, measurer: measurer)
        let labelWidth = 36.0
        let rightWidth = 40.0
        let grid = Rect(x: area.x + labelWidth, y: area.y + 2, width: area.width - labelWidth - rightWidth, height: area.height - 16)
        let cellWidth = grid.width / Double(columns)
        let cellHeight = min(28, grid.height / Double(rows))
        for (m, unsorted) in counts.enumerated() {
            let row = unsorted.sorted(by: >)
            let y = grid.y + Double(m) * cellHeight
            for (j, count) in row.enumerated() {
                marks.append(
                    .rect(
                        Rect(x: grid.x + Double(j) * cellWidth, y: y, width: cellWidth + 0.2, height: cellHeight - 0.5),
                        fill: theme.ramp(count == 0 ? 0 : log(Double(count) + 1) / scale), stroke: nil, cornerRadius: 0))
            }
            // Every row named where rows are a line tall; else every n-th, as many as fit.
            let every = max(1, Int((theme.smallFont.size * 1.25 / cellHeight).rounded(.up)), rows > 32 ? rows / 16 : 1)
            if m % every == 0 {
                let textY = y + (cellHeight - theme.smallFont.size * 1.2) / 2
                marks.append(
                    .text(
                        TextMark("m \(m)", at: Point(grid.x - 4, textY), font: theme.smallFont, color: theme.mutedText, alignment: .right)))
                marks.append(
                    .text(
                        TextMark(
                            ViewKit.format(perplexities[m]), at: Point(grid.maxX + 4, textY), font: theme.smallFont, color: theme.mutedText)
                    ))
            }
        }
        let gridBottom = grid.y + Double(rows) * cellHeight
        marks.append(
            .rect(
                Rect(x: grid.x, y: grid.y, width: grid.width, height: gridBottom - grid.y), fill: nil,
                stroke: Stroke(theme.panelBorder, width: 0.6), cornerRadius: 0))
        marks.append(
            .text(
                TextMark(
                    "codewords, most used first →", at: Point(grid.x, gridBottom + 2), font: theme.smallFont, color: theme.mutedText)))
        return marks + legendMarks
    }
}
