import FederSearch
import Foundation

extension HNSWViews {
    // MARK: search

    /// The range of every distance a search scored.
    static func distanceRange(_ trace: SearchTrace) -> ClosedRange<Double>? {
        guard let hnsw = trace.hnsw else { return nil }
        var values: [Double] = [Double(hnsw.entryDistance)]
        for level in hnsw.upperLevels { for pass in level.passes { values += pass.map { Double($0.distance) } } }
        for step in hnsw.level0.steps {
            values.append(Double(step.distance))
            values += step.neighbors.compactMap { $0.distance.map(Double.init) }
        }
        // Missed neighbours are drawn too (at their exact distance, often nearer than anything scored).
        values += (trace.measures?.misses ?? []).map { Double($0.approximateDistance ?? $0.distance) }
        let finite = values.filter { $0.isFinite && abs($0) < 1e37 }.sorted()
        guard let low = finite.first, var high = finite.last else { return nil }
        // A few far nodes (upper levels, first hops) would squash the rest: the axis ends at the 95th
        // percentile (never before the descent's path and the results), and farther nodes sit at the edge.
        let largerIsBetter = trace.distance.largerIsBetter
        if !largerIsBetter, finite.count >= 20 {
            let percentile = finite[Int(Double(finite.count - 1) * 0.95)]
            let must =
                (hnsw.upperLevels.map { Double($0.exitDistance) } + trace.results.map { Double($0.distance) } + [Double(hnsw.entryDistance)])
                .filter { $0.isFinite && abs($0) < 1e37 }.max() ?? percentile
            high = min(high, max(percentile, must))
        }
        return low...max(high, low)
    }

    public static func search(_ input: Input, in rect: Rect, theme: Theme, measurer: TextMeasurer) -> [Mark] {
        guard let hnsw = input.trace.hnsw else { return [] }
        let counts = input.trace.counts
        let misses = (input.trace.measures?.misses ?? []).filter { $0.node != nil }
        let scale = (input.axis ?? input.distanceRange).map { range in
            DistanceScale(
                best: input.start ?? input.start(in: range), worst: input.largerIsBetter ? range.lowerBound : range.upperBound,
                knee: input.knee ?? input.knee(in: range))
        }
        // The query sits on the axis unless it starts past 0 (squared L2 and hnswlib distances).
        let queryOnAxis = input.largerIsBetter || (scale?.best ?? 0) <= 0
        var axisNote = queryOnAxis ? "" : " from \(ViewKit.format(scale?.best ?? 0)) (the query is at 0)"
        if let knee = scale?.description { axisNote += ", " + knee }
        var subtitle =
            "x = \(input.distanceName) to the query\(axisNote); far nodes sit at the right end; one band per level, top first. "
            + "\(counts.distanceComputations) distances · \(counts.visited) visited · \(counts.hops ?? 0) hops."
        if !misses.isEmpty { subtitle += " Missed: " + missSummary(misses) + "." }
        var (marks, content) = ViewKit.panel(
            title: "HNSW search — descent and layer-0 beam (ef \(hnsw.level0.ef))", subtitle: subtitle, in: rect, theme: theme,
            measurer: measurer, subtitleLines: 3)
        // Every scored distance, per node.
        let distance = scoredDistances(hnsw)
        let expanded = hnsw.level0.steps.filter(\.expanded).map(\.node)
        guard let scale else { return marks }
        let best = scale.best
        let alarm = Color(hex: 0xD55E00)
        // An expanded node that is a result wears its rank badge instead of the ring: the ring is in the legend only
        // when one is drawn.
        let ranks = ViewKit.resultRanks(input.trace, by: \.internalID)
        let ringed = expanded.contains { ranks[$0] == nil }
        let legendItems: [(ViewKit.Symbol, String)] =
            (queryOnAxis ? [(.line(theme.query, dashed: true), "query")] : [])
            + [(.arrow(theme.accent), "greedy path"), (.dot(theme.scored), "scored")]
            + (ringed ? [(.ring(theme.truth), "expanded (layer 0)")] : [])
            + (ranks.isEmpty ? [] : [(.badge(theme.result), "result, by rank")]) + [(.dot(theme.accent), "entry")]
            + (misses.isEmpty ? [] : [(.ring(alarm), "missed exact neighbour (exact rank)")])
        let (plotArea, legendMarks) = ViewKit.withLegend(legendItems, in: content, theme: theme, measurer: measurer)
        let axisHeight = 26.0
        let labelWidth = 104.0
        let plot = Rect(
            x: plotArea.x + labelWidth, y: plotArea.y, width: plotArea.width - labelWidth - 6, height: plotArea.height - axisHeight)
        func x(_ d: Double) -> Double { plot.x + 6 + (plot.width - 12) * scale.fraction(d) }
        // Bands: upper levels share 55 % of the height, level 0 gets the rest (or all when there are none).
        let upperCount = hnsw.upperLevels.count
        let upperHeight = upperCount == 0 ? 0 : plot.height * 0.5
        let bandHeight = upperCount == 0 ? 0 : upperHeight / Double(upperCount)
        let level0Band = Rect(x: plot.x, y: plot.y + upperHeight, width: plot.width, height: plot.height - upperHeight)
        func y(_ node: Int, in band: Rect) -> Double {
            band.y + band.height * (0.15 + 0.7 * ViewKit.hashUnit(Int64(node), seed: input.seed))
        }

        // Axis.
        marks += ViewKit.ticks(scale.ticks(), on: .bottom(of: plot, line: .grid, labelGap: 3, x: x), theme: theme)
        let kneeNote = scale.knee == nil ? "" : " (log scale past \(ViewKit.format(scale.knee ?? 0)))"
        marks.append(ViewKit.xAxisName("\(input.distanceName) to the query\(kneeNote) →", under: plot, gap: 13, theme: theme))
        if queryOnAxis {
            marks.append(
                .polyline([Point(x(best), plot.y), Point(x(best), plot.maxY)], stroke: Stroke(theme.query, width: 1.2, dash: [3, 2])))
        }

        // Hover and click targets for the HTML report: every node drawn, by its label.
        var hits: [Mark] = []
        let results = ViewKit.resultRanks(input.trace, by: \.internalID)
        // Layer 0 step by step, for the replay: the step at which each node was first scored (the entry before any)
        // and the step that popped it.
        var scoredAt: [Int: Int] = [hnsw.level0.entry: 0]
        var poppedAt: [Int: Int] = [:]
        // Whether the scoring admitted the node to the candidates (and results when good enough) or rejected it.
        var outcome: [Int: String] = [hnsw.level0.entry: "entry"]
        for (step, record) in hnsw.level0.steps.enumerated() {
            if poppedAt[record.node] == nil { poppedAt[record.node] = step + 1 }
            for event in record.neighbors where event.distance != nil && scoredAt[event.id] == nil {
                scoredAt[event.id] = step + 1
                outcome[event.id] = event.outcome == .admitted ? "admitted" : "rejected"
            }
        }
        let view = "hnsw-\(Int(rect.x))-\(Int(rect.y))"
        let parents = Self.parents(hnsw)
        func name(_ node: Int) -> String {
            ViewKit.targetID(input.trace.nodeLabels?[node] ?? Int64(node), unsigned: input.trace.labels.isUnsigned)
        }
        func hit(_ node: Int, at point: Point, level: Int) {
            var fields = [HitMark.Field("distance", ViewKit.format(Double(distance[node] ?? .nan))), HitMark.Field("level", "\(level)")]
            if level == 0, let rank = results[node] { fields.insert(HitMark.Field("rank", "\(rank)"), at: 0) }
            if level == 0, let step = scoredAt[node] { fields.append(HitMark.Field("step", "\(step)")) }
            if level == 0, let step = poppedAt[node] { fields.append(HitMark.Field("popped", "\(step)")) }
            if level == 0, let outcome = outcome[node] { fields.append(HitMark.Field("outcome", outcome)) }
            var target = HitMark(id: name(node), center: point, radius: 3, fields: fields)
            target.view = view
            target.from = parents[level]?[node].map(name)
            hits.append(.hit(target))
        }
        var previousExit: (node: Int, y: Double)?
        for (row, level) in hnsw.upperLevels.enumerated() {
            let band = Rect(x: plot.x, y: plot.y + Double(row) * bandHeight, width: plot.width, height: bandHeight)
            marks.append(.rect(band, fill: row % 2 == 0 ? theme.background.withAlpha(0.6) : nil, stroke: nil, cornerRadius: 0))
            var scored: Set<Int> = []
            for pass in level.passes { for edge in pass { scored.insert(edge.to) } }
            for node in scored.sorted() where !level.path.contains(node) {
                marks.append(
                    .circle(center: Point(x(Double(distance[node] ?? 0)), y(node, in: band)), radius: 2, fill: theme.scored, stroke: nil))
            }
            for node in scored.union(level.path).sorted() {
                hit(node, at: Point(x(Double(distance[node] ?? 0)), y(node, in: band)), level: level.level)
            }
            if let previous = previousExit, let first = level.path.first {
                marks.append(
                    .polyline(
                        [Point(x(Double(distance[first] ?? 0)), previous.y), Point(x(Double(distance[first] ?? 0)), y(first, in: band))],
                        stroke: Stroke(theme.accent, width: 1, dash: [2, 2])))
            }
            for (from, to) in zip(level.path, level.path.dropFirst()) {
                marks.append(
                    .arrow(
                        from: Point(x(Double(distance[from] ?? 0)), y(from, in: band)),
                        to: Point(x(Double(distance[to] ?? 0)), y(to, in: band)), stroke: Stroke(theme.accent, width: 1.4), head: 6))
            }
            for node in level.path {
                marks.append(
                    .circle(
                        center: Point(x(Double(distance[node] ?? 0)), y(node, in: band)), radius: 3, fill: theme.accent,
                        stroke: Stroke(theme.background, width: 0.6)))
            }
            if let last = level.path.last { previousExit = (last, y(last, in: band)) }
            let font = bandHeight < theme.labelFont.size * 2.6 ? theme.smallFont : theme.labelFont
            let lines = max(1, Int((bandHeight - 2) / (font.size * 1.25)))
            // The counts as trace prints them; the passes and the best distance go first where the band is short.
            let counts = "\(level.distanceComputations) computed (\(level.nodesScored) nodes)"
            let passes = "\(level.passes.count) pass\(level.passes.count == 1 ? "" : "es")"
            let best = "best \(ViewKit.format(Double(level.exitDistance)))"
            let forms = [
                "L\(level.level) · \(passes) · \(counts) · \(best)", "L\(level.level) · \(passes) · \(counts)",
                "L\(level.level) · \(counts)",
            ]
            let lineHeight = measurer.measure("L", font: font, width: nil).height
            let text =
                forms.first { measurer.measure($0, font: font, width: labelWidth - 6).height <= lineHeight * Double(lines) + 0.5 }
                ?? forms[forms.count - 1]
            marks.append(
                .text(
                    TextMark(text, at: Point(content.x, band.y + 1), font: font, color: theme.text, width: labelWidth - 6, maxLines: lines))
            )
        }

        // Layer 0.
        let expandedSet = Set(expanded)
        var scored0: Set<Int> = []
        for step in hnsw.level0.steps { for event in step.neighbors where event.distance != nil { scored0.insert(event.id) } }
        scored0.insert(hnsw.level0.entry)
        if let previous = previousExit {
            let entry = hnsw.level0.entry
            marks.append(
                .polyline(
                    [Point(x(Double(distance[entry] ?? 0)), previous.y), Point(x(Double(distance[entry] ?? 0)), y(entry, in: level0Band))],
                    stroke: Stroke(theme.accent, width: 1, dash: [2, 2])))
        }
        let dot = scored0.count > 1500 ? 1.0 : 1.8
        for node in scored0.sorted() where results[node] == nil && !expandedSet.contains(node) {
            marks.append(
                .circle(
                    center: Point(x(Double(distance[node] ?? 0)), y(node, in: level0Band)), radius: dot, fill: theme.scored.withAlpha(0.8),
                    stroke: nil))
        }
        marks.append(
            .circle(
                center: Point(x(Double(distance[hnsw.level0.entry] ?? 0)), y(hnsw.level0.entry, in: level0Band)), radius: 4,
                fill: theme.accent, stroke: Stroke(theme.background, width: 0.8)))
        // Drawn over the entry's dot: the entry is expanded first, and its ring goes round the dot.
        for node in expandedSet.sorted() where results[node] == nil {
            marks.append(
                .circle(
                    center: Point(x(Double(distance[node] ?? 0)), y(node, in: level0Band)),
                    radius: node == hnsw.level0.entry ? 5.6 : 2.6, fill: nil, stroke: Stroke(theme.truth, width: 1.2)))
        }
        // Missed exact neighbours at their exact distance (a dropped one where the search scored it), each labelled
        // with its exact rank below its ring, or above it when another label is there.
        var missMarks: [Mark] = []
        var missBoxes: [Rect] = []
        for miss in misses.sorted(by: { $0.exactRank < $1.exactRank }) {
            guard let node = miss.node else { continue }
            let point = Point(x(Double(miss.approximateDistance ?? miss.distance)), y(node, in: level0Band))
            missMarks.append(.circle(center: point, radius: 4.2, fill: nil, stroke: Stroke(alarm, width: 1.6, dash: [2, 1.5])))
            missBoxes.append(Rect(x: point.x - 4.2, y: point.y - 4.2, width: 8.4, height: 8.4))
            let label = "#\(miss.exactRank)"
            let size = measurer.measure(label, font: theme.smallFont, width: nil)
            let below = Rect(x: point.x - size.width / 2, y: point.y + 5, width: size.width, height: size.height)
            let above = Rect(x: below.x, y: point.y - 5 - size.height, width: size.width, height: size.height)
            let right = Rect(x: point.x + 5.5, y: point.y - size.height / 2, width: size.width, height: size.height)
            let left = Rect(x: point.x - 5.5 - size.width, y: right.y, width: size.width, height: size.height)
            // The first side free of other rings and labels; with none free the ring goes unlabelled (its rank is in
            // the result strip's misses line).
            let taken = missBoxes.dropLast()
            guard let box = [below, above, right, left].first(where: { side in !taken.contains(where: { $0.intersects(side) }) }) else {
                continue
            }
            missBoxes.append(box)
            missMarks.append(
                .text(TextMark(label, at: Point(box.x + box.width / 2, box.y), font: theme.smallFont, color: alarm, alignment: .center)))
        }
        let placed = results.map { node, rank in (rank: rank, point: Point(x(Double(distance[node] ?? 0)), y(node, in: level0Band))) }
        let (badges, unlabelled) = ViewKit.rankBadges(
            placed, color: theme.result, theme: theme, avoid: missBoxes,
            crowd: scored0.sorted().filter { results[$0] == nil }.map { Point(x(Double(distance[$0] ?? 0)), y($0, in: level0Band)) },
            bounds: Rect(x: plot.x, y: level0Band.y, width: plot.width, height: level0Band.height))
        marks += badges + missMarks
        for node in scored0.sorted() { hit(node, at: Point(x(Double(distance[node] ?? 0)), y(node, in: level0Band)), level: 0) }
        marks += hits
        marks += ViewKit.crowdedOutNote(unlabelled, at: Point(plot.maxX - 2, level0Band.y + 2), theme: theme)
        let stop = hnsw.level0.stopReason.rawValue.replacingOccurrences(of: "([A-Z])", with: " $1", options: .regularExpression)
            .lowercased()
        var text = "L0 · \(expanded.count) expansions · \(hnsw.level0.visitedCount) visited · stop: \(stop)"
        if !misses.isEmpty { text += " · \(misses.count) missed" }
        marks.append(
            .text(
                TextMark(
                    text, at: Point(content.x, level0Band.y + 2), font: theme.labelFont, color: theme.text, width: labelWidth - 6,
                    maxLines: 5)))
        return marks + legendMarks
    }

    /// "reachable, not reached × 2 (3–5 hops away), unreachable in the graph × 1": the misses by reason (in the words
    /// every output uses, `Miss.Reason.label`), most common first.
    static func missSummary(_ misses: [Miss]) -> String {
        var byReason: [Miss.Reason: [Miss]] = [:]
        for miss in misses { byReason[miss.reason, default: []].append(miss) }
        return byReason.sorted { $0.value.count != $1.value.count ? $0.value.count > $1.value.count : $0.key.rawValue < $1.key.rawValue }
            .map { reason, group in
                var part = "\(reason.label) × \(group.count)"
                let hops = group.compactMap(\.hops)
                if let low = hops.min(), let high = hops.max() {
                    part += low == high ? " (\(low) hop\(low == 1 ? "" : "s") away)" : " (\(low)–\(high) hops away)"
                }
                return part
            }
            .joined(separator: ", ")
    }
}
