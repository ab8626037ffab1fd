import FederIndex
import FederLayout
import FederSearch
import Foundation

/// The pages of `feder-report view`: every view of one index and one query, framed by the page frame.
struct ViewPages {
    var views: ViewSet
    var pageSize: Size = Size(842, 595)
    var measurer: TextMeasurer

    var theme: Theme { views.theme }

    /// What every page says under its heading: what was searched and the key numbers.
    var facts: String {
        // A sharded index: the merged answer's numbers, and which shard the views draw.
        let trace = views.merged ?? views.trace
        var facts =
            "\(trace.kind) · \(trace.metric) · \(views.merged.map { _ in "\(trace.shards?.shards.count ?? 0) shards" } ?? "\(views.index.count) × \(views.index.dim)") · query \(views.queryLabel) · k \(trace.parameters.k)"
        if let nprobe = trace.parameters.nprobe { facts += " · nprobe \(nprobe)" }
        if let ef = trace.parameters.ef { facts += " · ef \(ef)" }
        facts += " · \(trace.counts.distanceComputations) distance computations · \(trace.counts.visited) visited"
        if let recall = trace.measures?.recall { facts += " · recall@\(trace.parameters.k) \(String(format: "%.2f", recall))" }
        if let rank = trace.measures?.rankOfTrueNearest { facts += " · true nearest at rank \(rank)" }
        if let shards = trace.shards, let shown = shards.resultShards.first, shown < shards.shards.count {
            facts +=
                " · the views draw shard \(shown) (\(shards.shards[shown].file), \(shards.shards[shown].vectors) vectors), which gave the first answer"
        }
        return facts
    }

    /// PDF pages: an overview page (the main view and the results), then one page per view.
    func pages() -> [Scene] {
        let all = views.views()
        let composer = PageFrame(theme: theme, size: pageSize, margin: 28, measurer: measurer)
        var scenes: [Scene] = []
        // Overview: the most telling view on top, the result strip below.
        let main = all.first { $0.kind == .hnswSearch } ?? all.first { $0.kind == .ivfCoarse }
        var (overview, rest) = composer.page(title: "Overview", heading: "\(views.indexName) — overview", facts: facts)
        let stripHeight = views.media == nil ? min(70, rest.height * 0.2) : min(150, rest.height * 0.32)
        var (top, bottom) = rest.sliceTop(rest.height - stripHeight - 8)
        // A sharded index: what each shard gave, above the shard's view.
        if let shards = all.first(where: { $0.kind == .shards }), let count = views.merged?.shards?.shards.count {
            let (table, below) = top.sliceTop(ShardsPanel.height(shardCount: count, theme: theme))
            overview.marks += shards.draw(table, measurer)
            top = Rect(x: below.x, y: below.y + 6, width: below.width, height: below.height - 6)
        }
        if let main { overview.marks += main.draw(top, measurer) }
        if let results = all.first(where: { $0.kind == .results }) {
            overview.marks += results.draw(Rect(x: bottom.x, y: bottom.y + 8, width: bottom.width, height: stripHeight), measurer)
        }
        scenes.append(overview)
        for view in all where view.kind != .results && view.kind != .shards {
            var (scene, content) = composer.page(title: view.name, heading: "\(views.indexName) — \(view.name)", facts: facts)
            scene.marks += view.draw(content, measurer)
            scenes.append(scene)
        }
        // One search: a click highlights its id on every page.
        for index in scenes.indices { scenes[index].group = "view" }
        return scenes
    }

    /// Every view on one page (for PNG and SVG): two columns, the result strip across the bottom.
    func singlePage(width: Double = 900) -> Scene {
        let all = views.views()
        let panels = all.filter { $0.kind != .results }
        let margin = 20.0
        let columns = panels.count > 1 ? 2 : 1
        let rows = (panels.count + columns - 1) / columns
        let panelWidth = (width - 2 * margin - Double(columns - 1) * 12) / Double(columns)
        let panelHeight = panelWidth * 0.72
        // Without pictures or text the results are lines of text, which need little height.
        let stripHeight = views.media == nil ? 70.0 : 150.0
        let headerHeight = 58.0
        let height = margin * 2 + headerHeight + Double(rows) * (panelHeight + 12) + stripHeight
        let composer = PageFrame(theme: theme, size: Size(width, height), margin: margin, measurer: measurer)
        var (scene, _) = composer.page(
            title: views.indexName, heading: "\(views.indexName) — every view", facts: facts,
            in: Rect(x: margin, y: margin, width: width - 2 * margin, height: headerHeight))
        for (position, view) in panels.enumerated() {
            let rect = Rect(
                x: margin + Double(position % columns) * (panelWidth + 12),
                y: margin + headerHeight + Double(position / columns) * (panelHeight + 12), width: panelWidth, height: panelHeight)
            scene.marks += view.draw(rect, measurer)
        }
        if let results = all.first(where: { $0.kind == .results }) {
            scene.marks += results.draw(
                Rect(x: margin, y: height - margin - stripHeight, width: width - 2 * margin, height: stripHeight), measurer)
        }
        return scene
    }
}
