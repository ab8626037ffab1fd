import Foundation

extension IVFViews {
    // MARK: coarse search

    public static func coarse(_ input: Input, in rect: Rect, theme: Theme, measurer: TextMeasurer) -> [Mark] {
        guard let ivf = input.trace.ivf else { return [] }
        let nprobe = input.trace.parameters.nprobe ?? ivf.probes.count
        let subtitle =
            ivf.coarseCounts.map { coarse in
                "The quantizer's HNSW graph scores \(coarse.distanceComputations) of the \(ivf.centroidDistances.count) "
                    + "centroids (\(input.distanceName)) and returns the \(nprobe) nearest it found; they are probed in "
                    + "rank order, empty ones skipped."
            }
            ?? "The query is compared with all \(ViewKit.grouped(ivf.centroidDistances.count)) centroids (\(input.distanceName)); "
            + "the \(nprobe) best lists are probed in rank order, empty ones skipped."
        var (marks, content) = ViewKit.panel(
            title: "IVF coarse search — nprobe \(nprobe)", subtitle: subtitle, in: rect, theme: theme, measurer: measurer)
        // Beneath the map, when there is room: every centroid by its distance, so the reason the probed lists were
        // chosen (they are the nearest) is seen whatever the projection does to them.
        let stripHeight = content.height > 200 ? 50.0 : 40.0
        var strip: Rect?
        if content.height > 150, ivf.centroidDistances.count > ivf.probes.count {
            let (upper, lower) = content.sliceTop(content.height - stripHeight)
            content = upper
            strip = Rect(x: lower.x, y: lower.y + 4, width: lower.width, height: lower.height - 4)
        }
        let (mapPart, listPart) = content.sliceRight(min(170, content.width * 0.34))
        // Lists not probed that hold an exact neighbour the search missed, with their coarse rank.
        let missed = Dictionary(
            (input.trace.measures?.misses ?? []).filter { $0.reason == .unprobedList }.compactMap { miss in
                miss.list.map { ($0, miss.listRank ?? 0) }
            }, uniquingKeysWith: { first, _ in first })
        let alarm = Color(hex: 0xD55E00)
        var legendItems: [(ViewKit.Symbol, String)] = [
            (.star(theme.query), "query (projected)"), (.badge(theme.accent), "probed, by rank"),
            (.line(theme.truth, dashed: false), "nearest centroid"), (.square(theme.quiet), "not probed"),
        ]
        if !missed.isEmpty { legendItems.append((.line(alarm, dashed: true), "holds a missed exact neighbour (coarse rank)")) }
        let (mapArea, legendMarks) = ViewKit.withLegend(
            legendItems, in: Rect(x: mapPart.x, y: mapPart.y, width: mapPart.width - 8, height: mapPart.height), theme: theme,
            measurer: measurer)
        let square = ClusterMap.square(in: mapArea)
        let probeOf = Dictionary(ivf.probes.map { ($0.list, $0) }, uniquingKeysWith: { first, _ in first })
        // Where a list sits: its cell's centroid, or its point on a map of points.
        func center(of list: Int) -> Point? {
            guard list >= 0, list < input.map.sizes.count else { return nil }
            if input.map.hasCells {
                guard input.map.cells[list].count >= 3 else { return nil }
                return PowerDiagram.centroid(input.map.cells[list].map { ClusterMap.map($0, into: square) })
            }
            return ClusterMap.map(input.map.sites[list], into: square)
        }
        // Where the missed lists' "rank N" labels sit: the probes' numbers keep off them.
        var missedBoxes: [Rect] = []
        // The query's star, which a label keeps off.
        let starPoint = ClusterMap.map(input.map.place(input.query), into: square)
        let starBox = Rect(x: starPoint.x - 7, y: starPoint.y - 7, width: 14, height: 14)
        func missedLabel(_ text: String, at preferred: Point) -> [Mark] {
            let width = measurer.measure(text, font: theme.smallFont, width: nil).width
            let height = theme.smallFont.size * 1.2
            func box(_ origin: Point) -> Rect { Rect(x: origin.x - width / 2, y: origin.y, width: width, height: height) }
            // Where it is asked for, else just above or below, else clear of the star at a larger step.
            let steps: [Double] = [0, -height - 2, height + 2, -2 * height - 4, 2 * height + 4, 18, -18 - height]
            let origin =
                steps.map { preferred + Point(0, $0) }.first { candidate in
                    let b = box(candidate)
                    return !b.intersects(starBox) && !missedBoxes.contains(where: { $0.intersects(b) })
                } ?? preferred
            let box = box(origin)
            missedBoxes.append(box)
            // On a backing, so the cell's dashed outline does not run through the words.
            return [
                .rect(box.insetBy(-1.5, 0), fill: theme.panel.withAlpha(0.85), stroke: nil, cornerRadius: 1.5),
                .text(TextMark(text, at: Point(box.x + width / 2, box.y), font: theme.smallFont, color: alarm, alignment: .center)),
            ]
        }
        if !input.map.hasCells {
            marks += listPoints(input.map, square: square, theme: theme) { list in
                input.map.sizes[list] == 0 ? theme.background : theme.quiet.withAlpha(0.6)
            }
            for (list, rank) in missed.sorted(by: { $0.key < $1.key }) {
                guard let point = center(of: list) else { continue }
                marks.append(.circle(center: point, radius: 4, fill: nil, stroke: Stroke(alarm, width: 1.4, dash: [2, 1.5])))
                marks += missedLabel("rank \(rank)", at: point + Point(0, 4))
            }
        }
        for (list, cell) in input.map.cells.enumerated() where cell.count >= 3 {
            let points = cell.map { ClusterMap.map($0, into: square) }
            if let rank = probeOf[list]?.rank {
                let strength = 1 - Double(rank) / Double(max(ivf.probes.count, 1)) * 0.6
                marks.append(.polygon(points, fill: theme.accent.withAlpha(0.25 + 0.55 * strength), stroke: Stroke(theme.panel, width: 1)))
            } else {
                marks.append(
                    .polygon(
                        points, fill: input.map.sizes[list] == 0 ? theme.background : theme.quiet.withAlpha(0.45),
                        stroke: Stroke(theme.panel, width: 1)))
            }
        }
        if let nearest = ivf.probes.first, input.map.cells[nearest.list].count >= 3 {
            let points = input.map.cells[nearest.list].map { ClusterMap.map($0, into: square) }
            marks.append(.polygon(points, fill: nil, stroke: Stroke(theme.truth, width: 2.2)))
        }
        for (list, rank) in missed.sorted(by: { $0.key < $1.key }) where list < input.map.cells.count && input.map.cells[list].count >= 3 {
            let points = input.map.cells[list].map { ClusterMap.map($0, into: square) }
            marks.append(.polygon(points, fill: nil, stroke: Stroke(alarm, width: 1.8, dash: [3, 2])))
            marks += missedLabel("rank \(rank)", at: PowerDiagram.centroid(points) + Point(0, -4))
        }
        // A probe's number on its cell: at its centre, else elsewhere inside it, clear of the query's star and of
        // better-ranked numbers; a small dot where no place is free (a small map).
        let queryPoint = ClusterMap.map(input.map.place(input.query), into: square)
        var numbered: [Rect] = [Rect(x: queryPoint.x - 7, y: queryPoint.y - 7, width: 14, height: 14)] + missedBoxes
        let frame = square.insetBy(-1, -1)
        let shown = Array(ivf.probes.prefix(40))
        // A number placed away from its own cell keeps off the centres of cells still to be numbered.
        var waiting = Set(shown.map(\.list))
        for probe in shown {
            waiting.remove(probe.list)
            guard let home = center(of: probe.list) else { continue }
            let others = waiting.sorted().compactMap { center(of: $0) }
            func box(_ point: Point) -> Rect { Rect(x: point.x - 5.5, y: point.y - 5.5, width: 11, height: 11) }
            // A number keeps off other numbers, the star, missed lists' labels and the centres still to be numbered.
            func fits(_ point: Point) -> Bool {
                let b = box(point)
                return b.minX >= frame.minX && b.maxX <= frame.maxX && b.minY >= frame.minY && b.maxY <= frame.maxY
                    && !numbered.contains(where: { $0.intersects(b) }) && !others.contains(where: { b.insetBy(-1, -1).contains($0) })
            }
            var candidates = [home]
            if input.map.hasCells {
                let corners = input.map.cells[probe.list].map { ClusterMap.map($0, into: square) }
                for t in [0.3, 0.5, 0.7] { candidates += corners.map { home + ($0 - home) * t } }
            }
            if let place = candidates.first(where: fits) {
                numbered.append(box(place))
                marks += ViewKit.badge(probe.rank + 1, at: place, color: theme.accent, theme: theme, radius: 5.5)
                continue
            }
            // No room inside the cell: the number beside it on a short leader, or a small dot at its centre.
            marks.append(.circle(center: home, radius: 2, fill: theme.accent, stroke: Stroke(theme.background, width: 0.6)))
            let outside = [12.0, 17, 22, 28].lazy.flatMap { reach in
                (0..<16).map { step -> (Point, Point) in
                    let angle = -Double.pi / 4 + Double(step) * Double.pi / 8
                    return (home + Point(cos(angle), sin(angle)) * reach, Point(cos(angle), sin(angle)))
                }
            }.first { place, _ in
                fits(place) && !numbered.dropFirst().contains(where: { Geometry.segment(home, place, crosses: $0) })
            }
            guard let (place, direction) = outside else { continue }
            numbered.append(box(place))
            marks.append(.polyline([home + direction * 2, place - direction * 5.5], stroke: Stroke(theme.accent, width: 0.8)))
            marks += ViewKit.badge(probe.rank + 1, at: place, color: theme.accent, theme: theme, radius: 5.5)
        }
        // Targets: every cell (its probe, size, centroid distance and missed neighbours), or on a map of points the
        // probed lists and those holding a missed neighbour, at their points.
        let allDistances = ivf.centroidDistances.count == input.map.sizes.count
        func listFields(_ list: Int) -> [HitMark.Field] {
            var fields = [HitMark.Field("size", "\(input.map.sizes[list])")]
            if let probe = probeOf[list] {
                fields.insert(HitMark.Field("probe", "\(probe.rank + 1)"), at: 0)
                fields.append(HitMark.Field("distance", ViewKit.format(Double(probe.distance))))
            } else if allDistances {
                fields.append(HitMark.Field("distance", ViewKit.format(Double(ivf.centroidDistances[list]))))
            }
            if let rank = missed[list] { fields.append(HitMark.Field("missed", "holds a missed exact neighbour (coarse rank \(rank))")) }
            return fields
        }
        if input.map.hasCells {
            for (list, cell) in input.map.cells.enumerated() where cell.count >= 3 {
                marks.append(
                    .hit(HitMark(id: "list \(list)", polygon: cell.map { ClusterMap.map($0, into: square) }, fields: listFields(list))))
            }
        } else {
            for list in Set(ivf.probes.map(\.list)).union(missed.keys).sorted() {
                guard let center = center(of: list) else { continue }
                marks.append(.hit(HitMark(id: "list \(list)", center: center, radius: 5.5, fields: listFields(list))))
            }
        }
        marks.append(.polygon(ViewKit.star(center: queryPoint, radius: 7), fill: theme.query, stroke: Stroke(theme.background, width: 0.8)))

        if let strip {
            let missedLists = (input.trace.measures?.misses ?? []).filter { $0.reason == .unprobedList }.compactMap(\.list)
            marks += coarseStrip(input, missedLists: Set(missedLists), in: strip, theme: theme, measurer: measurer)
        }

        // Side list: rank, cluster, size, distance.
        var y = listPart.y
        let font = theme.numberFont
        let columns = [listPart.x, listPart.x + 26, listPart.x + 66, listPart.maxX]
        // Columns as wide as their widest number (a 65,536-list index has 5-digit list numbers).
        let widths = [
            max(4, String(ivf.probes.count).count), max(4, String(ivf.probes.map(\.list).max() ?? 0).count),
            max(4, String(ivf.probes.map(\.size).max() ?? 0).count),
        ]
        func row(_ values: [String]) -> String {
            zip(values, widths).map { String(repeating: " ", count: max(0, $1 - $0.count)) + $0 }.joined(separator: "  ")
        }
        marks.append(
            .text(
                TextMark(
                    row(["rank", "list", "size"]), at: Point(columns[0], y), font: Font(size: font.size, weight: .bold, monospace: true),
                    color: theme.mutedText)))
        marks.append(
            .text(
                TextMark(
                    "distance", at: Point(columns[3], y), font: Font(size: font.size, weight: .bold, monospace: true),
                    color: theme.mutedText, alignment: .right)))
        y += font.size * 1.6
        let rowHeight = font.size * 1.45
        let capacity = Int((listPart.maxY - y) / rowHeight) - 1
        for probe in ivf.probes.prefix(max(capacity, 0)) {
            let color = probe.size == 0 ? theme.mutedText : theme.text
            marks.append(
                .text(
                    TextMark(
                        row(["\(probe.rank + 1)", "\(probe.list)", "\(probe.size)"]), at: Point(columns[0], y), font: font,
                        color: color)))
            marks.append(
                .hit(
                    HitMark(
                        id: "list \(probe.list)", rect: Rect(x: listPart.x, y: y, width: listPart.width, height: rowHeight),
                        fields: [
                            HitMark.Field("probe", "\(probe.rank + 1)"), HitMark.Field("size", "\(probe.size)"),
                            HitMark.Field("distance", ViewKit.format(Double(probe.distance))),
                        ])))
            marks.append(
                .text(
                    TextMark(
                        ViewKit.format(Double(probe.distance)) + (probe.size == 0 ? " (empty)" : ""), at: Point(columns[3], y), font: font,
                        color: color, alignment: .right)))
            y += rowHeight
        }
        if ivf.probes.count > max(capacity, 0) {
            marks.append(
                .text(
                    TextMark("… \(ivf.probes.count - max(capacity, 0)) more", at: Point(columns[0], y), font: font, color: theme.mutedText))
            )
        }
        return marks + legendMarks
    }

    /// Every centroid on one distance axis (linear near the probed ones, logarithmic past 2× the cut): the probed
    /// lists in probe colour left of the nprobe cut, the rest grey, lists holding a missed exact neighbour in red.
    static func coarseStrip(_ input: Input, missedLists: Set<Int>, in rect: Rect, theme: Theme, measurer: TextMeasurer) -> [Mark] {
        guard let ivf = input.trace.ivf else { return [] }
        let distances = ivf.centroidDistances.map(Double.init).filter(\.isFinite)
        guard let low = distances.min(), let high = distances.max(), high > low else { return [] }
        let probed = ivf.probes.map { Double($0.distance) }.filter(\.isFinite)
        let best = input.largerIsBetter ? high : low
        let worst = input.largerIsBetter ? low : high
        let cut = input.largerIsBetter ? (probed.min() ?? best) : (probed.max() ?? best)
        let scale = DistanceScale(best: best, worst: worst, knee: 2 * max(abs(cut - best), 1e-12))
        let label = "all \(ViewKit.grouped(ivf.centroidDistances.count)) centroids by \(input.distanceName) →"
        var marks: [Mark] = [
            .text(TextMark(label, at: Point(rect.x, rect.y), font: theme.smallFont, color: theme.mutedText))
        ]
        let axis = Rect(x: rect.x + 4, y: rect.y + 10, width: rect.width - 8, height: rect.height - 26)
        func x(_ d: Double) -> Double { axis.x + axis.width * scale.fraction(d) }
        marks.append(.polyline([Point(axis.x, axis.maxY), Point(axis.maxX, axis.maxY)], stroke: Stroke(theme.mutedText, width: 0.6)))
        marks += ViewKit.ticks(scale.ticks(), on: .bottom(of: axis, line: .stub(2), labelGap: 3, x: x), theme: theme)
        let rankOf = Dictionary(ivf.probes.map { ($0.list, $0.rank) }, uniquingKeysWith: { first, _ in first })
        for (list, distance) in ivf.centroidDistances.enumerated() where rankOf[list] == nil && !missedLists.contains(list) {
            let jitter = ViewKit.hashUnit(Int64(list), seed: input.seed)
            let y = axis.y + 2 + (axis.height - 6) * jitter
            marks.append(
                .polyline([Point(x(Double(distance)), y), Point(x(Double(distance)), y + 3)], stroke: Stroke(theme.quiet, width: 0.6)))
        }
        for list in missedLists.sorted() where list < ivf.centroidDistances.count {
            let at = x(Double(ivf.centroidDistances[list]))
            marks.append(.polyline([Point(at, axis.y), Point(at, axis.maxY)], stroke: Stroke(Color(hex: 0xD55E00), width: 1.2)))
        }
        for probe in ivf.probes where probe.distance.isFinite {
            let at = x(Double(probe.distance))
            marks.append(.polyline([Point(at, axis.y), Point(at, axis.maxY)], stroke: Stroke(theme.accent, width: 1)))
        }
        // The cut: between the last probed list and the next one.
        let next = ivf.centroidDistances.enumerated().filter { rankOf[$0.offset] == nil }.map { Double($0.element) }
        let following = input.largerIsBetter ? next.max() : next.min()
        let cutX = following.map { (x(cut) + x($0)) / 2 } ?? x(cut)
        marks.append(.polyline([Point(cutX, axis.y - 2), Point(cutX, axis.maxY)], stroke: Stroke(theme.text, width: 0.8, dash: [2, 2])))
        let cutLabel = "nprobe \(ivf.probes.count) cut"
        let labelWidth = measurer.measure(cutLabel, font: theme.smallFont, width: nil).width
        let labelX = min(cutX + 3, rect.maxX - labelWidth)
        if labelX > rect.x + measurer.measure(label, font: theme.smallFont, width: nil).width + 6 {
            marks.append(.text(TextMark(cutLabel, at: Point(labelX, rect.y), font: theme.smallFont, color: theme.text)))
        }
        return marks
    }
}
