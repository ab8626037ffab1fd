import FederIndex
import FederSearch
import Foundation

/// What each shard of a sharded index gave the merged answer of a query: a row per shard with a bar of the answers
/// the merge kept from it, the distances it computed and the worst it returned; the shard the views draw marked ▸.
public enum ShardsPanel {
    /// Rows the table shows before it sums up the rest.
    public static let rows = 6

    /// - Parameters:
    ///   - shards: the merged trace's shards (`SearchTrace.shards`); the shard drawn is the one of the first answer.
    ///   - note: the subtitle's last sentence: where the shard's own search is drawn.
    public static func marks(
        indexName: String, shards trace: ShardsTrace, k: Int, largerIsBetter: Bool, note: String, in rect: Rect, theme: Theme,
        measurer: TextMeasurer
    ) -> [Mark] {
        let shown = trace.resultShards.first ?? 0
        let ids = trace.shards.contains { $0.translation != 0 } ? "ids shifted by the earlier shards' sizes" : "ids as stored"
        let (frame, content) = ViewKit.panel(
            title: "\(indexName) — \(trace.shards.count) shards, merged as faiss IndexShards",
            subtitle:
                "First query: each shard's top \(k), merged by distance (ties to the \(largerIsBetter ? "higher" : "lower") shard); \(ids). \(note)",
            in: rect, theme: theme, measurer: measurer, subtitleLines: 2)
        var marks = frame
        let font = theme.numberFont
        let rowHeight = font.size * 1.45
        let rows = trace.shards.count > Self.rows ? Self.rows - 1 : trace.shards.count
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
            let worst = shard.worst.map { distanceText($0) } ?? "none"
            row(
                name: "\(number == shown ? "▸" : " ") \(number) · \(shard.file) · \(shard.vectors) vectors", kept: shard.kept,
                work: "\(shard.counts.distanceComputations) · \(worst)", highlight: number == shown)
        }
        if trace.shards.count > rows {
            let rest = trace.shards.dropFirst(rows)
            row(
                name: "\(rows)–\(trace.shards.count - 1) · \(rest.count) more shards", kept: rest.reduce(0) { $0 + $1.kept },
                work: "\(rest.reduce(0) { $0 + $1.counts.distanceComputations })", highlight: false)
        }
        return marks
    }

    /// The table's height (title, two subtitle lines, a header and the rows).
    public static func height(shardCount: Int, theme: Theme) -> Double {
        let rows = Double(min(shardCount, Self.rows))
        return 16 + theme.panelTitleFont.size * 1.3 + theme.labelFont.size * 2.6 + 4 + theme.smallFont.size * 1.6
            + rows * theme.numberFont.size * 1.45 + 4
    }

    static func distanceText(_ value: Float) -> String {
        let magnitude = abs(value)
        if magnitude != 0, magnitude < 0.01 || magnitude >= 100_000 { return String(format: "%.3g", Double(value)) }
        return String(format: magnitude >= 100 ? "%.1f" : "%.4g", Double(value))
    }
}
