import FederLayout
import FederProjection
import FederSearch
import Foundation

extension ReportComposer {
    /// The side the views draw: for a sharded index, the first query's search on the shard whose answer the merge
    /// ranked first (its own ids: the drawing's thumbnails only where they are the merged ones; `views` shifts its
    /// targets' ids to the merged ones).
    func drawn(_ side: JobRunner.SideRun) -> JobRunner.SideRun {
        guard let shards = side.shards else { return side }
        var shown = side
        shown.firstTrace = shards.shownTrace
        shown.indexName = "\(side.indexName) · shard \(shards.shown) of \(shards.set.indexes.count)"
        if shards.set.translations[shards.shown] != 0 { shown.media = nil }
        return shown
    }

    /// Rows the shard table shows before it sums up the rest.
    static let shardRows = 6

    /// What each shard gave the merged answer of the first query: a row per shard with a bar of the answers the
    /// merge kept from it, and the distances it computed.
    func shardsPanel(_ side: JobRunner.SideRun, in rect: Rect) -> [Mark] {
        guard let shards = side.shards, let trace = side.firstTrace.shards else { return [] }
        let k = side.result.parameters.k
        let ids = shards.set.successiveIDs ? "ids shifted by the earlier shards' sizes" : "ids as stored"
        let (frame, content) = ViewKit.panel(
            title: "\(side.indexName) — \(trace.shards.count) shards, merged as faiss IndexShards",
            subtitle:
                "First query: each shard's top \(k), merged by distance (ties to the \(shards.set.largerIsBetter ? "higher" : "lower") shard); \(ids). Below: shard \(shards.shown)'s own search (▸, it gave the first answer).",
            in: rect, theme: theme, measurer: measurer, subtitleLines: 2)
        var marks = frame
        let font = theme.numberFont
        let rowHeight = font.size * 1.45
        let rows = trace.shards.count > Self.shardRows ? Self.shardRows - 1 : trace.shards.count
        let columns = (
            name: content.x, bar: content.x + content.width * 0.38, kept: content.x + content.width * 0.38 + 64,
            work: content.maxX
        )
        let header = theme.smallFont
        marks.append(.text(TextMark("shard", at: Point(columns.name, content.y), font: header, color: theme.mutedText)))
        marks.append(.text(TextMark("answers kept of \(k)", at: Point(columns.bar, content.y), font: header, color: theme.mutedText)))
        marks.append(
            .text(
                TextMark(
                    "distances computed · worst returned", at: Point(columns.work, content.y), font: header, color: theme.mutedText,
                    alignment: .right)))
        var y = content.y + header.size * 1.6
        func row(name: String, kept: Int, work: String, highlight: Bool) {
            guard y + rowHeight <= content.maxY + 1 else { return }
            marks.append(
                .text(
                    TextMark(
                        name, at: Point(columns.name, y), font: font, color: highlight ? theme.text : theme.mutedText,
                        width: columns.bar - columns.name - 6, maxLines: 1)))
            let barWidth = 60.0
            marks.append(
                .rect(Rect(x: columns.bar, y: y + 1, width: barWidth, height: font.size), fill: theme.grid, stroke: nil, cornerRadius: 1))
            if kept > 0 {
                marks.append(
                    .rect(
                        Rect(x: columns.bar, y: y + 1, width: barWidth * Double(min(kept, k)) / Double(max(k, 1)), height: font.size),
                        fill: theme.result, stroke: nil, cornerRadius: 1))
            }
            marks.append(.text(TextMark("\(kept)", at: Point(columns.kept, y), font: font, color: theme.text)))
            marks.append(.text(TextMark(work, at: Point(columns.work, y), font: font, color: theme.mutedText, alignment: .right)))
            y += rowHeight
        }
        for (number, shard) in trace.shards.prefix(rows).enumerated() {
            let worst = shard.worst.map { Self.distanceText($0) } ?? "none"
            row(
                name: "\(number == shards.shown ? "▸" : " ") \(number) · \(shard.file) · \(shard.vectors) vectors", kept: shard.kept,
                work: "\(shard.counts.distanceComputations) · \(worst)", highlight: number == shards.shown)
        }
        if trace.shards.count > rows {
            let rest = trace.shards.dropFirst(rows)
            row(
                name: "\(rows)–\(trace.shards.count - 1) · \(rest.count) more shards", kept: rest.reduce(0) { $0 + $1.kept },
                work: "\(rest.reduce(0) { $0 + $1.counts.distanceComputations })", highlight: false)
        }
        return marks
    }

    /// The shard table's height for a side (title, two subtitle lines, a header and the rows).
    func shardsPanelHeight(_ side: JobRunner.SideRun) -> Double {
        guard let count = side.firstTrace.shards?.shards.count else { return 0 }
        let rows = Double(min(count, Self.shardRows))
        return 16 + theme.panelTitleFont.size * 1.3 + theme.labelFont.size * 2.6 + 4 + theme.smallFont.size * 1.6
            + rows * theme.numberFont.size * 1.45 + 4
    }

    static func distanceText(_ value: Float) -> String {
        let magnitude = abs(value)
        if magnitude != 0, magnitude < 0.01 || magnitude >= 100_000 { return String(format: "%.3g", Double(value)) }
        return String(format: magnitude >= 100 ? "%.1f" : "%.4g", Double(value))
    }
}
