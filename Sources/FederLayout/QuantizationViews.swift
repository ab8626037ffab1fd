import FederIndex
import FederProjection
import FederSearch
import Foundation

/// What quantization did to a search: every scored vector's approximate distance (what faiss computed from
/// its code) against its true distance (from the vectors that were added), the refine step as a before/after
/// ranking, and how a product quantizer's codebooks are used.
public enum QuantizationViews {
    public struct Input: Sendable {
        public var trace: SearchTrace
        /// The query as given (before any pre-transform): true distances are taken in the original space.
        public var query: [Float]
        /// The vectors that were added, row r the vector of internal id r.
        public var base: VectorTable
        /// Row → label when the index maps ids.
        public var baseLabels: MappedArray<Int64>?
        public var metric: Metric
        public var seed: UInt64

        public init(trace: SearchTrace, query: [Float], base: VectorTable, baseLabels: MappedArray<Int64>?, metric: Metric, seed: UInt64) {
            self.trace = trace
            self.query = query
            self.base = base
            self.baseLabels = baseLabels
            self.metric = metric
            self.seed = seed
        }

        /// The row of label `label` (nil when no row has it).
        func row(of label: Int64) -> Int? {
            if let baseLabels { return baseLabels.firstIndex(of: label) }
            return label >= 0 && label < Int64(base.count) ? Int(label) : nil
        }
    }

    /// Every vector the search scored, once, by internal id (= row), with the distance the search computed.
    public static func scored(_ trace: SearchTrace) -> [(row: Int, approximate: Float)] {
        var seen = Set<Int>()
        var out: [(row: Int, approximate: Float)] = []
        func add(_ row: Int, _ distance: Float) {
            if row >= 0, seen.insert(row).inserted { out.append((row, distance)) }
        }
        if let ivf = trace.ivf {
            for entry in ivf.scanned { add(Int(truncatingIfNeeded: entry.id), entry.distance) }
        } else if let hnsw = trace.hnsw {
            add(hnsw.entryPoint, hnsw.entryDistance)
            for level in hnsw.upperLevels { for pass in level.passes { for edge in pass { add(edge.to, edge.distance) } } }
            for step in hnsw.level0.steps {
                for event in step.neighbors { if let distance = event.distance { add(event.id, distance) } }
            }
        } else if let rows = trace.scoredRows {
            for (row, distance) in rows.enumerated() { add(row, distance) }
        }
        return out
    }

    /// The scatter of approximate against true distance.
    public static func scatter(_ input: Input, in rect: Rect, theme: Theme, measurer: TextMeasurer) -> [Mark] {
        let trace = input.trace
        let k = trace.parameters.k
        let distanceName = ViewKit.distanceName(metric: trace.metric, hnswlib: false)
        let kernel = FaissKernel(input.metric) ?? .l2
        let function = kernel.resolved()
        let dim = input.base.dim
        var points = scored(trace).filter { $0.row < input.base.count }
        let resultRank = Dictionary(
            trace.results.enumerated().compactMap { $0.element.internalID >= 0 ? ($0.element.internalID, $0.offset + 1) : nil },
            uniquingKeysWith: { first, _ in first })
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
        let truths: [Float] = input.query.withUnsafeBytes { q in
            guard let q = q.baseAddress, input.query.count == dim else { return [] }
            return points.map { function(q, input.base.rowPointer($0.row), dim: dim) }
        }
        guard truths.count == points.count, !points.isEmpty else {
            return ViewKit.panel(
                title: "Quantization — approximate vs true distance", subtitle: "No scored vectors to compare.", in: rect, theme: theme,
                measurer: measurer
            ).marks
        }

        let codes = trace.codes ?? "codes"
        let sampled = points.count < drawnCount ? " (\(points.count) of \(drawnCount))" : ""
        let subtitle =
            "\(codes). Dots: vectors the search scored\(sampled); across, the true \(distanceName); up, faiss's distance from the "
            + "code. Dashed: equal; grey: the k-th result's."
        var (marks, content) = ViewKit.panel(
            title: "Quantization — approximate vs true distance", subtitle: subtitle, in: rect, theme: theme, measurer: measurer)
        let legendItems: [(ViewKit.Symbol, String)] = [
            (.dot(theme.scored), "scored"), (.badge(theme.result), "top-\(k) by approximate distance, ranked"),
            (.ring(theme.truth), "exact top-\(k)"), (.ring(Color(hex: 0xD55E00)), "exact neighbour ranked out by the codes"),
        ]
        let (area, legendMarks) = ViewKit.withLegend(legendItems, in: content, theme: theme, measurer: measurer)
        var summary = "\(truthRows.count - rankedOut.count - unscored) of the exact top-\(truthRows.count) in the results"
        if !rankedOut.isEmpty { summary += " · \(rankedOut.count) scored but ranked out by the approximation" }
        if unscored > 0 { summary += " · \(unscored) never scored (\(trace.ivf != nil ? "in lists not probed" : "not reached"))" }
        if truthRows.isEmpty { summary = "no exact neighbours known for this query" }
        marks.append(
            .text(
                TextMark(
                    summary, at: Point(area.x, area.y), font: theme.labelFont, color: theme.text, width: area.width * 0.55, maxLines: 2)))
        let plot = Rect(x: area.x + 46, y: area.y + 16, width: max(10, area.width - 56), height: max(10, area.height - 44))

        let approximations = points.map { Double($0.approximate) }
        let trueValues = truths.map(Double.init)
        let all = (approximations + trueValues).filter(\.isFinite)
        // Zoomed on where the ranking is decided: the results and the exact neighbours, with room around them.
        let special = points.indices.filter { resultRank[points[$0].row] != nil || truthRows.contains(points[$0].row) }
        let focus = special.flatMap { [approximations[$0], trueValues[$0]] }.filter(\.isFinite)
        let low = all.min() ?? 0
        let dataHigh = all.max() ?? 1
        let high = focus.max().map { min(dataHigh, $0 + 0.75 * max($0 - low, 1e-9)) } ?? dataHigh
        let span = max(high - low, 1e-9)
        let outside = points.indices.filter { approximations[$0] > high || trueValues[$0] > high }.count
        if outside > 0 {
            marks.append(
                .text(
                    TextMark(
                        "zoomed on the results and the exact neighbours: \(outside) farther dots beyond the axes",
                        at: Point(area.maxX, area.y), font: theme.smallFont, color: theme.mutedText, alignment: .right)))
        }
        let lowEdge = low - span * 0.03
        let highEdge = high + span * 0.03
        func place(_ x: Double, _ y: Double) -> Point {
            Point(
                plot.x + (x - lowEdge) / (highEdge - lowEdge) * plot.width,
                plot.maxY - (y - lowEdge) / (highEdge - lowEdge) * plot.height)
        }
        for tick in ViewKit.niceTicks(lowEdge, highEdge, count: 5) {
            let p = place(tick, tick)
            marks.append(.polyline([Point(plot.x, p.y), Point(plot.maxX, p.y)], stroke: Stroke(theme.grid, width: 0.5)))
            marks.append(.polyline([Point(p.x, plot.y), Point(p.x, plot.maxY)], stroke: Stroke(theme.grid, width: 0.5)))
            marks.append(
                .text(
                    TextMark(
                        ViewKit.formatTick(tick), at: Point(plot.x - 4, p.y - 4), font: theme.smallFont, color: theme.mutedText,
                        alignment: .right)))
            marks.append(
                .text(
                    TextMark(
                        ViewKit.formatTick(tick), at: Point(p.x, plot.maxY + 3), font: theme.smallFont, color: theme.mutedText,
                        alignment: .center)))
        }
        marks.append(.rect(plot, fill: nil, stroke: Stroke(theme.mutedText, width: 0.6), cornerRadius: 0))
        marks.append(
            .polyline([place(lowEdge, lowEdge), place(highEdge, highEdge)], stroke: Stroke(theme.mutedText, width: 0.9, dash: [4, 3])))
        if let cutoff = (trace.refine?.base.results ?? trace.results).last(where: { $0.id >= 0 })?.distance, cutoff.isFinite {
            let y = place(lowEdge, Double(cutoff)).y
            if y >= plot.y, y <= plot.maxY {
                marks.append(.polyline([Point(plot.x, y), Point(plot.maxX, y)], stroke: Stroke(theme.quiet, width: 1.2)))
            }
        }
        marks.append(
            .text(
                TextMark(
                    "true \(distanceName)", at: Point(plot.maxX, plot.maxY + 13), font: theme.labelFont, color: theme.mutedText,
                    alignment: .right)))
        marks.append(
            .text(
                TextMark(
                    "approximate (from the code)", at: Point(area.x + 4, plot.y + plot.height / 2), font: theme.labelFont,
                    color: theme.mutedText, alignment: .center, rotation: -90)))

        // Plain dots first, then the true neighbours' rings, then the ranked results on top.
        var order = Array(points.indices)
        order.sort { (resultRank[points[$0].row] ?? Int.max, points[$0].row) > (resultRank[points[$1].row] ?? Int.max, points[$1].row) }
        order.removeAll { approximations[$0] > high || trueValues[$0] > high }
        for index in order where resultRank[points[index].row] == nil {
            marks.append(
                .circle(
                    center: place(trueValues[index], approximations[index]), radius: 1.8, fill: theme.scored.withAlpha(0.55), stroke: nil))
        }
        for index in order where truthRows.contains(points[index].row) {
            let color = rankedOut.contains(points[index].row) ? Color(hex: 0xD55E00) : theme.truth
            marks.append(
                .circle(center: place(trueValues[index], approximations[index]), radius: 5, fill: nil, stroke: Stroke(color, width: 1.6)))
        }
        for index in order {
            guard let rank = resultRank[points[index].row] else { continue }
            let center = place(trueValues[index], approximations[index])
            if rank <= 20 {
                marks += ViewKit.badge(rank, at: center, color: theme.result, theme: theme, radius: 5)
            } else {
                marks.append(.circle(center: center, radius: 2.5, fill: theme.result, stroke: nil))
            }
        }
        return marks + legendMarks
    }
}
