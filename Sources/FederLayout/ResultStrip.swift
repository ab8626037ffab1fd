import FederIndex
import FederSearch

/// The query and its top-k as a strip of tiles: thumbnail (or text snippet, or the id), rank, id, distance.
public enum ResultStrip {
    public static func marks(
        title: String, results: [Neighbor], exact: [Neighbor]?, media: MediaList?, queryMedia: String?, queryLabel: String,
        unsignedLabels: Bool = false, in rect: Rect, theme: Theme, measurer: TextMeasurer
    ) -> [Mark] {
        // faiss pads missing results with label −1; hnswlib's labels are unsigned and never padding.
        let shown = results.filter { unsignedLabels || $0.id >= 0 }
        func name(_ id: Int64) -> String { ViewKit.targetID(id, unsigned: unsignedLabels) }
        let missing = results.count - shown.count
        var subtitle = "Rank, id and the library's distance under each tile\(distanceNote(results))."
        if exact != nil { subtitle += " A red corner marks a result that is not among the exact top-\(results.count)." }
        if missing > 0 { subtitle += " \(missing) slots empty (the search found fewer candidates than k)." }
        if shown.isEmpty { subtitle += " No results: the search returned none." }
        var (marks, content) = ViewKit.panel(title: title, subtitle: subtitle, in: rect, theme: theme, measurer: measurer)
        let captionHeight = theme.smallFont.size * 2.8
        let tiles = shown.count + 1
        let gap = 6.0
        let side = max(16, min(92, (content.width - gap * Double(tiles - 1)) / Double(tiles), content.height - captionHeight - 4))
        let exactIDs = Set((exact ?? []).map(\.id))
        // A result's target: its rank, distance and whether it is exact, and its picture or text.
        func target(_ neighbor: Neighbor, rank: Int, rect: Rect) -> Mark {
            var fields = [HitMark.Field("rank", "\(rank)"), HitMark.Field("distance", ViewKit.format(Double(neighbor.distance)))]
            if exact != nil {
                fields.append(HitMark.Field("exact", exactIDs.contains(neighbor.id) ? "in the exact top-\(results.count)" : "not exact"))
            }
            if let text = media?.kind == .text ? media?.text(for: neighbor.id) : nil { fields.append(HitMark.Field("text", text)) }
            var hit = HitMark(id: name(neighbor.id), rect: rect, fields: fields)
            hit.image = media?.kind == .image ? media?.imagePath(for: neighbor.id) : nil
            return .hit(hit)
        }
        // Too little height for tiles with captions (a compact layout), or nothing to show in a tile (no pictures or
        // text named): the results as lines of text instead, under the title alone.
        if side < 26 || media == nil {
            (marks, content) = ViewKit.panel(title: title, subtitle: "", in: rect, theme: theme, measurer: measurer)
            var entries: [(text: String, result: (rank: Int, neighbor: Neighbor)?)] = shown.enumerated().map { position, neighbor in
                let text =
                    "\(position + 1). \(name(neighbor.id)) · \(ViewKit.format(Double(neighbor.distance)))"
                    + (exact != nil && !exactIDs.contains(neighbor.id) ? " ✗" : "")
                return (text, (position + 1, neighbor))
            }
            entries.insert(("query \(queryLabel):", nil), at: 0)
            if shown.isEmpty { entries.append(("no results (the search returned none)", nil)) }
            if entries.contains(where: { $0.text.hasSuffix(" ✗") }) {
                entries.append(("(✗ not among the exact top-\(results.count))", nil))
            }
            // Entries flow in lines, each its own text (and, for a result, a target) as long as the lines fit.
            let font = theme.smallFont
            let lineHeight = font.size * 1.3
            let lines = max(1, Int(content.height / lineHeight))
            let gap = measurer.measure("   ", font: font, width: nil).width
            var x = content.x
            var line = 0
            var lastEnd = content.x
            for entry in entries {
                let width = min(measurer.measure(entry.text, font: font, width: nil).width, content.width)
                if x > content.x, x + width > content.maxX {
                    line += 1
                    x = content.x
                }
                guard line < lines else {
                    // More than the lines hold: "…" after the last entry drawn, where it fits.
                    let ellipsis = measurer.measure("…", font: font, width: nil).width
                    if lastEnd + ellipsis <= content.maxX {
                        marks.append(
                            .text(
                                TextMark(
                                    "…", at: Point(lastEnd, content.y + Double(lines - 1) * lineHeight), font: font,
                                    color: theme.mutedText)))
                    }
                    break
                }
                let y = content.y + Double(line) * lineHeight
                marks.append(.text(TextMark(entry.text, at: Point(x, y), font: font, color: theme.text, width: width + 1, maxLines: 1)))
                if let result = entry.result {
                    marks.append(
                        target(result.neighbor, rank: result.rank, rect: Rect(x: x - 1, y: y, width: width + 2, height: lineHeight)))
                }
                x += width + gap
                lastEnd = x
            }
            return marks
        }
        // Text reads across: text tiles take the strip's width (up to 130 points each), pictures stay square.
        let width =
            media?.kind == .text ? max(side, min(130, (content.width - gap * Double(tiles - 1)) / Double(tiles))) : side
        func tile(at index: Int) -> Rect {
            Rect(x: content.x + Double(index) * (width + gap), y: content.y, width: width, height: side)
        }
        // The query.
        let queryRect = tile(at: 0)
        marks += tileContent(for: nil, path: queryMedia, text: nil, fallback: "query", rect: queryRect, theme: theme)
        marks.append(.rect(queryRect, fill: nil, stroke: Stroke(theme.query, width: 2), cornerRadius: 3))
        marks.append(
            .text(
                TextMark(
                    "query\n\(queryLabel)", at: Point(queryRect.center.x, queryRect.maxY + 2), font: theme.smallFont, color: theme.query,
                    alignment: .center, width: width + gap, maxLines: 2)))
        for (position, neighbor) in shown.enumerated() {
            let rect = tile(at: position + 1)
            let path = media?.kind == .image ? media?.imagePath(for: neighbor.id) : nil
            let text = media?.kind == .text ? media?.text(for: neighbor.id) : nil
            marks += tileContent(for: neighbor.id, path: path, text: text, fallback: name(neighbor.id), rect: rect, theme: theme)
            marks.append(.rect(rect, fill: nil, stroke: Stroke(theme.result, width: 1.2), cornerRadius: 3))
            if exact != nil, !exactIDs.contains(neighbor.id) {
                marks.append(
                    .polygon(
                        [Point(rect.maxX - 12, rect.y), Point(rect.maxX, rect.y), Point(rect.maxX, rect.y + 12)],
                        fill: Color(hex: 0xD55E00), stroke: nil))
            }
            marks += ViewKit.badge(position + 1, at: Point(rect.x + 7, rect.y + 7), color: theme.result, theme: theme, radius: 6)
            marks.append(target(neighbor, rank: position + 1, rect: rect))
            marks.append(
                .text(
                    TextMark(
                        "\(name(neighbor.id))\n\(ViewKit.format(Double(neighbor.distance)))", at: Point(rect.center.x, rect.maxY + 2),
                        font: theme.smallFont, color: theme.text, alignment: .center, width: width + gap, maxLines: 2)))
        }
        return marks
    }

    /// What the numbers under the tiles mean, read from the order of the results: distances grow down the
    /// list, faiss inner-product scores shrink.
    static func distanceNote(_ results: [Neighbor]) -> String {
        let values = results.filter { $0.id >= 0 }.map(\.distance)
        guard let first = values.first, let last = values.last, first != last else { return "" }
        return first > last ? " (a similarity: higher is closer)" : " (smaller is closer)"
    }

    static func tileContent(for id: Int64?, path: String?, text: String?, fallback: String, rect: Rect, theme: Theme) -> [Mark] {
        var marks: [Mark] = [.rect(rect, fill: theme.background, stroke: nil, cornerRadius: 3)]
        if let path {
            // A picture that cannot be loaded is drawn as a grey tile saying so (the id is already under the tile).
            marks.append(.image(ImageMark(rect: rect.insetBy(1, 1), path: path, label: id == nil ? fallback : "no image")))
        } else if let text {
            // Text in as many lines as the tile holds below the rank badge, in type small enough for a few words each.
            // A wide tile sets it beside the badge from the top; a square one below the badge.
            let wide = rect.width >= 60
            let font = wide ? theme.smallFont : Font(size: max(4.5, min(theme.smallFont.size, rect.height / 7)))
            let top = id == nil || wide ? 3.0 : 14.0
            let left = id != nil && wide ? 15.0 : 3.0
            marks.append(
                .text(
                    TextMark(
                        text, at: Point(rect.x + left, rect.y + top), font: font, color: theme.text, width: rect.width - left - 3,
                        maxLines: max(1, Int((rect.height - top - 2) / (font.size * 1.25))))))
        } else if id == nil {
            marks.append(
                .text(
                    TextMark(
                        fallback, at: Point(rect.center.x, rect.center.y - 5), font: theme.labelFont, color: theme.mutedText,
                        alignment: .center, width: rect.width - 4, maxLines: 2)))
        }
        return marks
    }
}
