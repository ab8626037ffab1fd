import Foundation

extension IVFViews {
    // MARK: fine search, polar

    public static func finePolar(_ input: Input, in rect: Rect, theme: Theme, measurer: TextMeasurer) -> [Mark] {
        guard let ivf = input.trace.ivf else { return [] }
        let k = input.trace.parameters.k
        // Codes (PQ, SQ) are scored by the distance they approximate: the panel says so, and draws them hollow.
        let codes = input.trace.codes
        let radiusName = codes.map { "\(input.distanceName) as the codes give it (\($0))" } ?? input.distanceName
        let subtitle =
            codes == nil
            ? "Radius: \(radiusName) to the query (centre). One sector per probed list, width ∝ vectors scanned, angle inside "
                + "it seeded jitter; the top \(k) numbered."
            : "Radius: \(radiusName) to the query (centre). A sector per probed list, width ∝ codes scanned; the top \(k) numbered."
        let what = codes == nil ? "vectors" : "codes"
        var (marks, content) = ViewKit.panel(
            title: "IVF fine search — \(ivf.scanned.count) \(what) scored", subtitle: subtitle, in: rect, theme: theme, measurer: measurer)
        let probedForLegend = ivf.probes.filter { $0.size > 0 }
        var legendItems: [(ViewKit.Symbol, String)] = [(.star(theme.query), "query"), (.badge(theme.result), "top-\(k) result, by rank")]
        // Every colour drawn is in the legend: up to six lists each in its own, the rest grey under one entry.
        let named = probedForLegend.count <= 6 ? probedForLegend.count : 5
        let coloured = Set(probedForLegend.prefix(named).map(\.rank))
        func listColor(_ rank: Int) -> Color { coloured.contains(rank) ? theme.category(rank) : theme.quiet }
        for probe in probedForLegend.prefix(named) {
            let color = theme.category(probe.rank)
            legendItems.append((codes == nil ? .dot(color) : .ring(color), "list #\(probe.list) (probe \(probe.rank + 1))"))
        }
        if probedForLegend.count > named {
            legendItems.append((codes == nil ? .dot(theme.quiet) : .ring(theme.quiet), "\(probedForLegend.count - named) more lists"))
        }
        legendItems.append((.line(theme.grid, dashed: false), "rings: \(input.distanceName)\(codes == nil ? "" : " from the codes")"))
        let (plot, legendMarks) = ViewKit.withLegend(legendItems, in: content, theme: theme, measurer: measurer)
        let center = plot.center
        let outer = min(plot.width, plot.height) / 2 - 14
        let inner = 0.0
        guard !ivf.scanned.isEmpty, outer > 10 else { return marks }
        guard let axis = input.axis ?? input.distanceRange else { return marks }
        let best = input.largerIsBetter ? axis.upperBound : axis.lowerBound
        let worst = input.largerIsBetter ? axis.lowerBound : axis.upperBound
        // Radius grows with badness: L2 from 0 at the centre; IP from the best score.
        let start = input.largerIsBetter ? best : 0.0
        let span = abs(worst - start) > 0 ? abs(worst - start) : 1
        func radius(_ d: Double) -> Double { inner + (outer - inner) * min(abs(d - start) / span, 1) }

        // Scale rings; their labels go on top of the dots, on a backing, and no badge covers them.
        let ticks = ViewKit.niceTicks(min(start, worst), max(start, worst), count: 4)
        var ringLabels: [Mark] = []
        var ringBoxes: [Rect] = []
        for tick in ticks where abs(tick - start) > 1e-12 {
            let r = radius(tick)
            marks.append(.circle(center: center, radius: r, fill: nil, stroke: Stroke(theme.grid, width: 0.6)))
            let text = ViewKit.formatTick(tick)
            let size = measurer.measure(text, font: theme.smallFont, width: nil)
            let origin = Point(center.x + 2, center.y - r - size.height - 0.5)
            let box = Rect(x: origin.x - 1, y: origin.y, width: size.width + 2, height: size.height)
            // Near the centre of a small chart the inner rings' labels would stack: keep those with room.
            guard !ringBoxes.contains(where: { $0.intersects(box) }) else { continue }
            ringBoxes.append(box)
            ringLabels.append(.rect(box, fill: theme.panel.withAlpha(0.85), stroke: nil, cornerRadius: 1.5))
            ringLabels.append(.text(TextMark(text, at: origin, font: theme.smallFont, color: theme.mutedText)))
        }
        // Sectors by probed non-empty list.
        let probed = ivf.probes.filter { $0.size > 0 }
        let counts = Dictionary(grouping: ivf.scanned, by: \.list).mapValues(\.count)
        let total = Double(probed.reduce(0) { $0 + (counts[$1.list] ?? 0) })
        let minimum = 0.02 * 2 * Double.pi
        var weights = probed.map { max(Double(counts[$0.list] ?? 0) / max(total, 1) * 2 * Double.pi, minimum) }
        let scale = 2 * Double.pi / max(weights.reduce(0, +), 1e-9)
        weights = weights.map { $0 * scale }
        var angle = -Double.pi / 2
        var sector: [Int: (start: Double, width: Double, rank: Int)] = [:]
        var sectorBoxes: [Rect] = []
        for (position, probe) in probed.enumerated() {
            sector[probe.list] = (angle, weights[position], probe.rank)
            marks.append(
                .polyline(
                    [center, Point(center.x + cos(angle) * (outer + 4), center.y + sin(angle) * (outer + 4))],
                    stroke: Stroke(theme.grid, width: 0.6)))
            if weights[position] > 0.18 {
                let mid = angle + weights[position] / 2
                let text = "#\(probe.list)"
                let at = Point(center.x + cos(mid) * (outer + 8), center.y + sin(mid) * (outer + 8) - 4)
                let width = measurer.measure(text, font: theme.smallFont, width: nil).width
                let box = Rect(x: at.x - width / 2, y: at.y, width: width, height: theme.smallFont.size * 1.2)
                if !(ringBoxes + sectorBoxes).contains(where: { $0.intersects(box) }) {
                    sectorBoxes.append(box)
                    marks.append(.text(TextMark(text, at: at, font: theme.smallFont, color: theme.mutedText, alignment: .center)))
                }
            }
            angle += weights[position]
        }
        let topK = ViewKit.resultRanks(input.trace, by: \.id)
        var results: [(rank: Int, point: Point)] = []
        var others: [Point] = []
        var hits: [Mark] = []
        let dotRadius = ivf.scanned.count > 3000 ? 1.1 : (ivf.scanned.count > 800 ? 1.6 : 2.2)
        for scanned in ivf.scanned {
            guard let slot = sector[scanned.list] else { continue }
            let jitter = 0.08 + 0.84 * ViewKit.hashUnit(scanned.id, seed: input.seed)
            let theta = slot.start + slot.width * jitter
            let r = radius(Double(scanned.distance))
            let point = Point(center.x + cos(theta) * r, center.y + sin(theta) * r)
            let label = input.trace.nodeLabels?[Int(scanned.id)] ?? scanned.id
            if let rank = topK[label] {
                results.append((rank, point))
            } else {
                marks.append(
                    codes == nil
                        ? .circle(center: point, radius: dotRadius, fill: listColor(slot.rank).withAlpha(0.75), stroke: nil)
                        : .circle(center: point, radius: dotRadius, fill: nil, stroke: Stroke(listColor(slot.rank), width: 0.9)))
                others.append(point)
            }
            hits.append(
                scannedTarget(
                    scanned, label: label, probeRank: slot.rank, rank: topK[label], at: point, radius: max(dotRadius, 2.5),
                    unsigned: input.trace.labels.isUnsigned))
        }
        let star = Rect(x: center.x - 6, y: center.y - 6, width: 12, height: 12)
        let (badges, unlabelled) = ViewKit.rankBadges(
            results, color: theme.result, theme: theme, dotRadius: 3.5, avoid: ringBoxes + sectorBoxes + [star], crowd: others,
            away: center, bounds: plot)
        marks += badges
        // Over every dot, results' too: a scale label stays readable; numbers and leaders keep off it.
        marks += ringLabels
        marks.append(.polygon(ViewKit.star(center: center, radius: 6), fill: theme.query, stroke: Stroke(theme.background, width: 0.8)))
        marks += hits
        marks += ViewKit.crowdedOutNote(unlabelled, at: Point(plot.maxX, plot.maxY - theme.smallFont.size * 1.3), theme: theme)
        return marks + legendMarks
    }
}
