import FederLayout
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

    /// What each shard gave the merged answer of the first query (`ShardsPanel`).
    func shardsPanel(_ side: JobRunner.SideRun, in rect: Rect) -> [Mark] {
        guard let shards = side.shards, let trace = side.firstTrace.shards else { return [] }
        return ShardsPanel.marks(
            indexName: side.indexName, shards: trace, k: side.result.parameters.k, largerIsBetter: shards.set.largerIsBetter,
            note: "Below: shard \(shards.shown)'s own search (▸, it gave the first answer).", in: rect, theme: theme,
            measurer: measurer)
    }

    /// The shard table's height for a side.
    func shardsPanelHeight(_ side: JobRunner.SideRun) -> Double {
        guard let count = side.firstTrace.shards?.shards.count else { return 0 }
        return ShardsPanel.height(shardCount: count, theme: theme)
    }
}
