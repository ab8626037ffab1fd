extension IVFViews {
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
}
