import FederIndex
import FederProjection
import FederSearch
import Foundation

/// The four IVF views: overview, coarse search, fine search by distance (polar), fine search by projection.
public enum IVFViews {
    /// Everything the IVF views draw from.
    public struct Input: Sendable {
        public var index: FaissIVFIndex
        public var map: ClusterMap
        public var trace: SearchTrace
        public var query: [Float]
        public var media: MediaList?
        public var seed: UInt64
        /// A distance range shared with another panel (both sides of a comparison on one axis).
        public var axis: ClosedRange<Double>?
        /// How the fine-search projection lays the scored vectors out.
        public var projection: ProjectionMethod = .pca

        /// The range of every distance the fine search scored.
        public var distanceRange: ClosedRange<Double>? {
            let values = (trace.ivf?.scanned ?? []).map { Double($0.distance) }
            guard let low = values.min(), let high = values.max() else { return nil }
            return low...high
        }

        public init(index: FaissIVFIndex, map: ClusterMap, trace: SearchTrace, query: [Float], media: MediaList?, seed: UInt64) {
            self.index = index
            self.map = map
            self.trace = trace
            self.query = query
            self.media = media
            self.seed = seed
        }

        var largerIsBetter: Bool { trace.distance.largerIsBetter }
        var distanceName: String { ViewKit.distanceName(of: trace) }
    }

    // MARK: overview

    public static func overview(_ input: Input, in rect: Rect, theme: Theme, measurer: TextMeasurer) -> [Mark] {
        let sizes = input.map.sizes
        let total = sizes.reduce(0, +)
        let empty = sizes.filter { $0 == 0 }.count
        let largest = sizes.indices.max { sizes[$0] < sizes[$1] } ?? 0
        let smallest = sizes.indices.filter { sizes[$0] > 0 }.min { sizes[$0] < sizes[$1] } ?? 0
        let subtitle =
            "\(ViewKit.grouped(total)) vectors in \(ViewKit.grouped(sizes.count)) clusters · largest #\(largest) (\(sizes[largest])) · "
            + "smallest non-empty #\(smallest) (\(sizes.isEmpty ? 0 : sizes[smallest])) · \(empty) empty · "
            + (input.map.hasCells ? "cell area ∝ list size" : "one point per list, area ∝ list size")
            + ", placed by \(input.map.method.displayName) of the centroids"
        var (marks, content) = ViewKit.panel(
            title: "IVF overview — \(input.index.code), nlist \(sizes.count)", subtitle: subtitle, in: rect, theme: theme,
            measurer: measurer)
        let legendItems: [(ViewKit.Symbol, String)] = [
            (.square(theme.ramp(0.05)), "small list"), (.square(theme.ramp(1)), "large list"),
            (.square(theme.background), "empty list"),
        ]
        let (mapArea, legendMarks) = ViewKit.withLegend(legendItems, in: content, theme: theme, measurer: measurer)
        let square = ClusterMap.square(in: mapArea)
        let maxSize = Double(max(sizes.max() ?? 1, 1))
        if !input.map.hasCells {
            marks += listPoints(input.map, square: square, theme: theme) { list in
                sizes[list] == 0 ? theme.background : theme.ramp(Double(sizes[list]) / maxSize)
            }
            marks += largestLabels(
                input.map, at: { ClusterMap.map(input.map.sites[$0], into: square) }, within: mapArea, theme: theme, measurer: measurer)
            return marks + legendMarks
        }
        for (list, cell) in input.map.cells.enumerated() where cell.count >= 3 {
            let points = cell.map { ClusterMap.map($0, into: square) }
            let size = sizes[list]
            marks.append(.hit(HitMark(id: "list \(list)", polygon: points, fields: [HitMark.Field("size", "\(size)")])))
            if size == 0 {
                marks.append(.polygon(points, fill: theme.background, stroke: Stroke(theme.quiet, width: 0.6, dash: [2, 2])))
            } else {
                marks.append(.polygon(points, fill: theme.ramp(Double(size) / maxSize), stroke: Stroke(theme.panel, width: 1)))
            }
        }
        if sizes.count > 256 {
            // Cells too small to hold a name: the largest lists named beside theirs.
            marks += largestLabels(
                input.map,
                at: { list in
                    input.map.cells[list].count >= 3
                        ? PowerDiagram.centroid(input.map.cells[list].map { ClusterMap.map($0, into: square) }) : nil
                },
                within: mapArea, theme: theme, measurer: measurer)
        } else {
            marks += cellLabels(input.map, square: square, theme: theme, minimumArea: 900) { list in
                (text: "#\(list) · \(sizes[list])", fill: sizes[list] == 0 ? theme.background : theme.ramp(Double(sizes[list]) / maxSize))
            }
        }
        marks += clusterThumbnails(input, square: square, theme: theme)
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
        for tick in scale.ticks() {
            marks.append(
                .polyline([Point(x(tick), axis.maxY), Point(x(tick), axis.maxY + 2)], stroke: Stroke(theme.mutedText, width: 0.6)))
            marks.append(
                .text(
                    TextMark(
                        ViewKit.formatTick(tick), at: Point(x(tick), axis.maxY + 3), font: theme.smallFont, color: theme.mutedText,
                        alignment: .center)))
        }
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

    /// Every list as a point at its projected centroid (maps with too many lists for cells), area ∝ list size.
    static func listPoints(_ map: ClusterMap, square: Rect, theme: Theme, fill: (Int) -> Color) -> [Mark] {
        let mean = Double(max(map.sizes.reduce(0, +), 1)) / Double(max(map.sizes.count, 1))
        let base = min(2.5, max(0.6, square.width / Double(map.sizes.count).squareRoot() * 0.35))
        return map.sites.indices.map { list in
            let radius = base * min(2.5, max(0.5, (Double(max(map.sizes[list], 1)) / mean).squareRoot()))
            return .circle(center: ClusterMap.map(map.sites[list], into: square), radius: radius, fill: fill(list), stroke: nil)
        }
    }

    /// The ten largest lists named ("#list · size") beside where they are drawn, each where its name has room.
    static func largestLabels(
        _ map: ClusterMap, at place: (Int) -> Point?, within area: Rect, theme: Theme, measurer: TextMeasurer
    ) -> [Mark] {
        let sizes = map.sizes
        var marks: [Mark] = []
        var taken: [Rect] = []
        for list in sizes.indices.sorted(by: { sizes[$0] != sizes[$1] ? sizes[$0] > sizes[$1] : $0 < $1 }).prefix(10) {
            guard let point = place(list) else { continue }
            let text = "#\(list) · \(sizes[list])"
            let size = measurer.measure(text, font: theme.smallFont, width: nil)
            let box = Rect(x: point.x + 4, y: point.y - size.height / 2, width: size.width + 2, height: size.height)
            guard box.maxX <= area.maxX, !taken.contains(where: { $0.intersects(box) }) else { continue }
            taken.append(box)
            marks.append(.circle(center: point, radius: 1.5, fill: theme.text, stroke: nil))
            marks.append(.rect(box, fill: theme.panel.withAlpha(0.85), stroke: nil, cornerRadius: 1.5))
            marks.append(.text(TextMark(text, at: Point(box.x + 1, box.y), font: theme.smallFont, color: theme.text)))
        }
        return marks
    }

    /// List numbers at cell centroids, where the cell is large enough to hold one.
    static func cellLabels(
        _ map: ClusterMap, square: Rect, theme: Theme, minimumArea: Double, label: (Int) -> (text: String, fill: Color)
    ) -> [Mark] {
        var marks: [Mark] = []
        var taken: [Rect] = []
        for (list, cell) in map.cells.enumerated() where cell.count >= 3 {
            let points = cell.map { ClusterMap.map($0, into: square) }
            guard PowerDiagram.polygonArea(points) >= minimumArea else { continue }
            let center = PowerDiagram.centroid(points)
            let (text, fill) = label(list)
            // Two labels never share a place (long thin cells at the map's edge put centroids close together).
            let width = Double(text.count) * theme.smallFont.size * 0.6
            let box = Rect(x: center.x - width / 2, y: center.y - 4, width: width, height: theme.smallFont.size * 1.2)
            guard !taken.contains(where: { $0.intersects(box) }) else { continue }
            taken.append(box)
            marks.append(
                .text(
                    TextMark(
                        text, at: Point(center.x, center.y - 4), font: theme.smallFont, color: theme.textColor(on: fill), alignment: .center
                    )))
        }
        return marks
    }

    /// A few members' thumbnails in the largest cells (first ids of each list: deterministic).
    static func clusterThumbnails(_ input: Input, square: Rect, theme: Theme) -> [Mark] {
        guard let media = input.media, media.kind == .image else { return [] }
        var marks: [Mark] = []
        let order = input.map.sizes.indices.sorted { input.map.sizes[$0] > input.map.sizes[$1] }
        for list in order.prefix(12) {
            let cell = input.map.cells[list].map { ClusterMap.map($0, into: square) }
            guard cell.count >= 3, PowerDiagram.polygonArea(cell) > 2500 else { continue }
            let center = PowerDiagram.centroid(cell)
            let ids = input.index.invertedLists.lists[list].ids
            for slot in 0..<min(2, ids.count) {
                let label = ids[slot]
                let side = 18.0
                let rect = Rect(x: center.x - side - 1 + Double(slot) * (side + 2), y: center.y + 4, width: side, height: side)
                marks.append(.image(ImageMark(rect: rect, path: media.imagePath(for: label), label: "\(label)")))
            }
        }
        return marks
    }

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
        if !input.map.hasCells {
            marks += listPoints(input.map, square: square, theme: theme) { list in
                input.map.sizes[list] == 0 ? theme.background : theme.quiet.withAlpha(0.6)
            }
            for (list, rank) in missed.sorted(by: { $0.key < $1.key }) {
                guard let point = center(of: list) else { continue }
                marks.append(.circle(center: point, radius: 4, fill: nil, stroke: Stroke(alarm, width: 1.4, dash: [2, 1.5])))
                marks.append(
                    .text(TextMark("#\(rank)", at: point + Point(0, 4), font: theme.smallFont, color: alarm, alignment: .center)))
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
            marks.append(
                .text(
                    TextMark(
                        "#\(rank)", at: PowerDiagram.centroid(points) + Point(0, -4), font: theme.smallFont, color: alarm,
                        alignment: .center)))
        }
        // A probe's number on its cell, unless a better-ranked probe's number is already there (a small map).
        var numbered: [Rect] = []
        for probe in ivf.probes.prefix(40) {
            guard let center = center(of: probe.list) else { continue }
            let box = Rect(x: center.x - 5.5, y: center.y - 5.5, width: 11, height: 11)
            if numbered.contains(where: { $0.intersects(box) }) {
                marks.append(.circle(center: center, radius: 2, fill: theme.accent, stroke: Stroke(theme.background, width: 0.6)))
                continue
            }
            numbered.append(box)
            marks += ViewKit.badge(probe.rank + 1, at: center, color: theme.accent, theme: theme, radius: 5.5)
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
        let queryPoint = ClusterMap.map(input.map.place(input.query), into: square)
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

    // MARK: fine search, polar

    public static func finePolar(_ input: Input, in rect: Rect, theme: Theme, measurer: TextMeasurer) -> [Mark] {
        guard let ivf = input.trace.ivf else { return [] }
        let k = input.trace.parameters.k
        let subtitle =
            "Radius: \(input.distanceName) to the query (centre). One sector per probed list, width ∝ vectors scanned, "
            + "angle inside it seeded jitter; the top \(k) numbered."
        var (marks, content) = ViewKit.panel(
            title: "IVF fine search — \(ivf.scanned.count) vectors scored", subtitle: subtitle, in: rect, theme: theme, measurer: measurer)
        let probedForLegend = ivf.probes.filter { $0.size > 0 }
        var legendItems: [(ViewKit.Symbol, String)] = [(.star(theme.query), "query"), (.badge(theme.result), "top-\(k) result, by rank")]
        // Every colour drawn is in the legend: up to six lists each in its own, the rest grey under one entry.
        let named = probedForLegend.count <= 6 ? probedForLegend.count : 5
        let coloured = Set(probedForLegend.prefix(named).map(\.rank))
        func listColor(_ rank: Int) -> Color { coloured.contains(rank) ? theme.category(rank) : theme.quiet }
        for probe in probedForLegend.prefix(named) {
            legendItems.append((.dot(theme.category(probe.rank)), "list #\(probe.list) (probe \(probe.rank + 1))"))
        }
        if probedForLegend.count > named {
            legendItems.append((.dot(theme.quiet), "\(probedForLegend.count - named) more lists"))
        }
        legendItems.append((.line(theme.grid, dashed: false), "rings: \(input.distanceName)"))
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
        let topK = Dictionary(
            input.trace.results.enumerated().filter { $0.element.id >= 0 }.map { ($0.element.id, $0.offset + 1) },
            uniquingKeysWith: { first, _ in first })
        var results: [(rank: Int, point: Point)] = []
        var hits: [Mark] = []
        let dotRadius = ivf.scanned.count > 3000 ? 1.1 : (ivf.scanned.count > 800 ? 1.6 : 2.2)
        for scanned in ivf.scanned {
            guard let slot = sector[scanned.list] else { continue }
            let jitter = 0.08 + 0.84 * ViewKit.hashUnit(scanned.id, seed: input.seed)
            let theta = slot.start + slot.width * jitter
            let r = radius(Double(scanned.distance))
            let point = Point(center.x + cos(theta) * r, center.y + sin(theta) * r)
            let label = input.trace.nodeLabels?[Int(scanned.id)] ?? scanned.id
            var fields = [
                HitMark.Field("distance", ViewKit.format(Double(scanned.distance))),
                HitMark.Field("list", "#\(scanned.list) (probe \(slot.rank + 1))"),
            ]
            if let rank = topK[label] {
                results.append((rank, point))
                fields.insert(HitMark.Field("rank", "\(rank)"), at: 0)
            } else {
                marks.append(.circle(center: point, radius: dotRadius, fill: listColor(slot.rank).withAlpha(0.75), stroke: nil))
            }
            var target = HitMark(
                id: "id \(Label(bits: label, unsigned: input.trace.labels.isUnsigned))", center: point, radius: max(dotRadius, 2.5),
                fields: fields)
            target.related = ["list \(scanned.list)"]
            hits.append(.hit(target))
        }
        marks += ringLabels
        let star = Rect(x: center.x - 6, y: center.y - 6, width: 12, height: 12)
        let (badges, unlabelled) = ViewKit.rankBadges(
            results, color: theme.result, theme: theme, dotRadius: 3.5, avoid: ringBoxes + sectorBoxes + [star], bounds: plot)
        marks += badges
        marks.append(.polygon(ViewKit.star(center: center, radius: 6), fill: theme.query, stroke: Stroke(theme.background, width: 0.8)))
        marks += hits
        if !unlabelled.isEmpty {
            marks.append(
                .text(
                    TextMark(
                        "\(ViewKit.ranksText(unlabelled)) crowded out: see the results",
                        at: Point(plot.maxX, plot.maxY - theme.smallFont.size * 1.3),
                        font: theme.smallFont, color: theme.mutedText, alignment: .right)))
        }
        return marks + legendMarks
    }

    // MARK: fine search, projection

    public static func fineProjection(_ input: Input, in rect: Rect, theme: Theme, measurer: TextMeasurer) -> [Mark] {
        guard let ivf = input.trace.ivf else { return [] }
        let dim = input.index.header.dim
        // Where each scanned entry sits, in scan order (lists in probe order — or, for fast scan, in list-number
        // order —, offsets in list order): its vector, or its code decoded.
        var positions: [(list: Int, offset: Int)] = []
        var offsets: [Int: Int] = [:]
        for entry in ivf.scanned {
            let offset = offsets[entry.list, default: 0]
            offsets[entry.list] = offset + 1
            positions.append((entry.list, offset))
        }
        let entries = ivf.scanned
        let count = entries.count
        // A deterministic sample of at most 2000 scored vectors (every top-k result kept) plus the query.
        let resultIDs = Set(input.trace.results.map(\.id))
        let stride = max(1, count / 2000)
        var chosen: [Int] = []
        for index in 0..<count
        where index % stride == 0 || resultIDs.contains(input.trace.nodeLabels?[Int(entries[index].id)] ?? entries[index].id) {
            chosen.append(index)
        }
        var sample: [Float] = input.query
        for index in chosen {
            sample +=
                input.index.reconstruct(list: positions[index].list, offset: positions[index].offset)
                ?? [Float](repeating: 0, count: dim)
        }
        let table = VectorTable(name: "scored", rows: sample, dim: dim)
        let method = input.projection
        var embedded = method.embed(table, seed: input.seed)
        let queryPoint = embedded.removeFirst()
        var methodNote = ""
        if method == .pca {
            let pca = PCA.fit((0..<table.count).map { table.row($0) }, components: 2)
            let ratio = pca.explainedVarianceRatio
            methodNote =
                "PCA; PC1 \(String(format: "%.0f", (ratio.first ?? 0) * 100)) % and PC2 \(String(format: "%.0f", (ratio.count > 1 ? ratio[1] : 0) * 100)) % of the variance"
        } else {
            methodNote = method == .umap ? "UMAP (15 neighbours, min_dist 0.1)" : "t-SNE (perplexity 30)"
        }
        let drawnNote = chosen.count < count ? " (\(chosen.count) of \(count) drawn: every \(stride)th and the results)" : ""
        var decoded = ""
        if case .flat = input.index.encoding {} else { decoded = " (decoded from their codes)" }
        let subtitle =
            "\(methodNote) of the \(count) scored vectors\(decoded)\(drawnNote) and the query. Colour = probe rank of the vector's list."
        var (marks, content) = ViewKit.panel(
            title: "IVF fine search — projection", subtitle: subtitle, in: rect, theme: theme, measurer: measurer)
        let legendItems: [(ViewKit.Symbol, String)] = [
            (.star(theme.query), "query"), (.badge(theme.result), "top-\(input.trace.parameters.k), by rank"),
            (.dot(theme.category(0)), "list probed 1st"), (.dot(theme.category(1)), "2nd"), (.dot(theme.category(2)), "3rd …"),
        ]
        let (plotArea, legendMarks) = ViewKit.withLegend(legendItems, in: content, theme: theme, measurer: measurer)
        let plot = Rect(x: plotArea.x + 14, y: plotArea.y, width: plotArea.width - 14, height: plotArea.height - 12)
        var points = embedded
        points.append(queryPoint)
        let xs = points.map(\.x)
        let ys = points.map(\.y)
        let low = Point(xs.min() ?? 0, ys.min() ?? 0)
        let spanX = max((xs.max() ?? 1) - low.x, 1e-9)
        let spanY = max((ys.max() ?? 1) - low.y, 1e-9)
        func place(_ p: Point) -> Point {
            Point(plot.x + 6 + (plot.width - 12) * (p.x - low.x) / spanX, plot.maxY - 6 - (plot.height - 12) * (p.y - low.y) / spanY)
        }
        let axisNames = method == .pca ? ("PC1", "PC2") : ("", "")
        marks.append(.rect(plot, fill: nil, stroke: Stroke(theme.grid, width: 0.6), cornerRadius: 0))
        marks.append(
            .text(
                TextMark(axisNames.0, at: Point(plot.maxX, plot.maxY + 2), font: theme.smallFont, color: theme.mutedText, alignment: .right)
            ))
        marks.append(
            .text(TextMark(axisNames.1, at: Point(plot.x - 12, plot.y + 14), font: theme.smallFont, color: theme.mutedText, rotation: -90)))
        let rankOf = Dictionary(ivf.probes.map { ($0.list, $0.rank) }, uniquingKeysWith: { first, _ in first })
        let topK = Dictionary(
            input.trace.results.enumerated().filter { $0.element.id >= 0 }.map { ($0.element.id, $0.offset + 1) },
            uniquingKeysWith: { first, _ in first })
        let alpha = count > 3000 ? 0.35 : 0.7
        let dotRadius = count > 3000 ? 1.0 : 1.8
        var results: [(rank: Int, point: Point)] = []
        var hits: [Mark] = []
        for (position, index) in chosen.enumerated() {
            let entry = entries[index]
            let point = place(points[position])
            let label = input.trace.nodeLabels?[Int(entry.id)] ?? entry.id
            var fields = [
                HitMark.Field("distance", ViewKit.format(Double(entry.distance))),
                HitMark.Field("list", "#\(entry.list) (probe \((rankOf[entry.list] ?? 0) + 1))"),
            ]
            if let rank = topK[label] { fields.insert(HitMark.Field("rank", "\(rank)"), at: 0) }
            var target = HitMark(
                id: "id \(Label(bits: label, unsigned: input.trace.labels.isUnsigned))", center: point, radius: max(dotRadius, 2.5),
                fields: fields)
            target.related = ["list \(entry.list)"]
            hits.append(.hit(target))
            if let rank = topK[label] {
                results.append((rank, point))
            } else {
                marks.append(
                    .circle(center: point, radius: dotRadius, fill: theme.category(rankOf[entry.list] ?? 0).withAlpha(alpha), stroke: nil))
            }
        }
        let queryAt = place(queryPoint)
        let (badges, unlabelled) = ViewKit.rankBadges(
            results, color: theme.result, theme: theme, avoid: [Rect(x: queryAt.x - 6.5, y: queryAt.y - 6.5, width: 13, height: 13)],
            bounds: plot)
        marks += badges + hits
        if !unlabelled.isEmpty {
            marks.append(
                .text(
                    TextMark(
                        "\(ViewKit.ranksText(unlabelled)) crowded out: see the results", at: Point(plot.maxX - 2, plot.y + 2),
                        font: theme.smallFont, color: theme.mutedText, alignment: .right)))
        }
        marks.append(
            .polygon(ViewKit.star(center: place(queryPoint), radius: 6.5), fill: theme.query, stroke: Stroke(theme.background, width: 0.8)))
        return marks + legendMarks
    }
}
