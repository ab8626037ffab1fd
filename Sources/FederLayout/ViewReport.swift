import FederIndex
import FederSearch
import Foundation

/// Composes the views of one index and one query into pages: an overview page, then one page per view.
public struct ViewReport: Sendable {
    public var indexName: String
    public var index: IndexFile
    public var trace: SearchTrace
    public var query: [Float]
    public var queryLabel: String
    public var queryMedia: String?
    public var media: MediaList?
    public var theme: Theme
    public var seed: UInt64
    /// Page size in points (A4 landscape by default).
    public var pageSize: Size
    /// The 2-D projection behind the cluster map, the fine-search projection and the HNSW planes.
    public var projection: ProjectionMethod = .pca
    /// Where the IVF cluster map is built (once, on the first view that draws it).
    public var mapCache = ClusterMapCache()

    public init(
        indexName: String, index: IndexFile, trace: SearchTrace, query: [Float], queryLabel: String, queryMedia: String? = nil,
        media: MediaList? = nil, theme: Theme = .light, seed: UInt64 = 1, pageSize: Size = Size(842, 595)
    ) {
        self.indexName = indexName
        self.index = index
        self.trace = trace
        self.query = query
        self.queryLabel = queryLabel
        self.queryMedia = queryMedia
        self.media = media
        self.theme = theme
        self.seed = seed
        self.pageSize = pageSize
    }

    /// A view: its name and how it draws itself into a rectangle.
    public struct View: Sendable {
        public var name: String
        public var draw: @Sendable (Rect, TextMeasurer) -> [Mark]
    }

    /// The views this index kind has, in reading order.
    public func views() -> [View] {
        let theme = self.theme
        var views: [View] = []
        switch index {
        case .faiss(let faiss):
            if let ivf = Self.ivf(in: faiss), ivf.centroids != nil, trace.ivf != nil {
                let (cache, trace, query, media, seed, projection) = (mapCache, trace, query, media, seed, projection)
                // Listing the views costs nothing: the map is built by the first view drawn.
                let draw: @Sendable (@escaping @Sendable (IVFViews.Input, Rect, Theme, TextMeasurer) -> [Mark]) -> @Sendable (Rect, TextMeasurer) -> [Mark] = { view in
                    { rect, measurer in
                        guard let map = cache.map(for: ivf, projection: projection, seed: seed) else { return [] }
                        var input = IVFViews.Input(index: ivf, map: map, trace: trace, query: query, media: media, seed: seed)
                        input.projection = projection
                        return view(input, rect, theme, measurer)
                    }
                }
                views.append(View(name: "ivf-overview", draw: draw { IVFViews.overview($0, in: $1, theme: $2, measurer: $3) }))
                views.append(View(name: "ivf-coarse", draw: draw { IVFViews.coarse($0, in: $1, theme: $2, measurer: $3) }))
                views.append(View(name: "ivf-fine-polar", draw: draw { IVFViews.finePolar($0, in: $1, theme: $2, measurer: $3) }))
                views.append(View(name: "ivf-fine-projection", draw: draw { IVFViews.fineProjection($0, in: $1, theme: $2, measurer: $3) }))
            }
        case .hnswlib:
            break
        }
        if let graph = HNSWGraphView.from(index), trace.hnsw != nil {
            var hnswInput = HNSWViews.Input(graph: graph, trace: trace, query: query, seed: seed)
            hnswInput.projection = projection
            let input = hnswInput
            views.append(View(name: "hnsw-overview") { HNSWViews.overview(input, in: $0, theme: theme, measurer: $1) })
            views.append(View(name: "hnsw-search") { HNSWViews.search(input, in: $0, theme: theme, measurer: $1) })
        }
        let trace = self.trace
        let media = self.media
        let queryMedia = self.queryMedia
        let queryLabel = self.queryLabel
        views.append(
            View(name: "results") { rect, measurer in
                ResultStrip.marks(
                    title: "Top-\(trace.parameters.k) results", results: trace.results, exact: trace.measures?.exact, media: media,
                    queryMedia: queryMedia, queryLabel: queryLabel, in: rect, theme: theme, measurer: measurer)
            })
        return views
    }

    public static func ivf(in index: FaissIndex) -> FaissIVFIndex? {
        switch index {
        case .ivf(let ivf): return ivf
        case .idMap(let map): return ivf(in: map.inner)
        default: return nil
        }
    }

    /// The header every page shares: title, what was searched, and the key numbers.
    func header(in rect: Rect, page: String, measurer: TextMeasurer) -> (marks: [Mark], rest: Rect) {
        var marks: [Mark] = []
        marks.append(.text(TextMark("\(indexName) — \(page)", at: Point(rect.x, rect.y), font: theme.titleFont, color: theme.text, width: rect.width, maxLines: 1)))
        var facts = "\(trace.kind) · \(trace.metric) · \(index.count) × \(index.dim) · query \(queryLabel) · k \(trace.parameters.k)"
        if let nprobe = trace.parameters.nprobe { facts += " · nprobe \(nprobe)" }
        if let ef = trace.parameters.ef { facts += " · ef \(ef)" }
        facts += " · \(trace.counts.distanceComputations) distance computations · \(trace.counts.visited) visited"
        if let recall = trace.measures?.recall { facts += String(format: " · recall@%d %.2f", trace.parameters.k, recall) }
        if let rank = trace.measures?.rankOfTrueNearest { facts += " · true nearest at rank \(rank)" }
        marks.append(.text(TextMark(facts, at: Point(rect.x, rect.y + 20), font: theme.subtitleFont, color: theme.mutedText, width: rect.width, maxLines: 2)))
        let used = 22 + measurer.measure(facts, font: theme.subtitleFont, width: rect.width).height + 8
        return (marks, Rect(x: rect.x, y: rect.y + used, width: rect.width, height: rect.height - used))
    }

    /// PDF pages: an overview page (the main view and the results), then one page per view.
    public func pages(measurer: TextMeasurer) -> [Scene] {
        let views = views()
        let margin = 28.0
        let body = Rect(x: margin, y: margin - 6, width: pageSize.width - 2 * margin, height: pageSize.height - 2 * margin + 6)
        var scenes: [Scene] = []
        // Overview: the most telling view on top, the result strip below.
        let main = views.first { $0.name == "hnsw-search" } ?? views.first { $0.name == "ivf-coarse" }
        var overview = Scene(size: pageSize, background: theme.background, title: "Overview")
        let (headerMarks, rest) = header(in: body, page: "overview", measurer: measurer)
        overview.marks += headerMarks
        let stripHeight = min(150, rest.height * 0.32)
        let (top, bottom) = rest.sliceTop(rest.height - stripHeight - 8)
        if let main { overview.marks += main.draw(top, measurer) }
        if let results = views.last {
            overview.marks += results.draw(Rect(x: bottom.x, y: bottom.y + 8, width: bottom.width, height: stripHeight), measurer)
        }
        scenes.append(overview)
        for view in views where view.name != "results" {
            var scene = Scene(size: pageSize, background: theme.background, title: view.name)
            let (marks, rest) = header(in: body, page: view.name, measurer: measurer)
            scene.marks = marks + view.draw(rest, measurer)
            scenes.append(scene)
        }
        return scenes
    }

    /// Every view on one page (for PNG and SVG): two columns, the result strip across the bottom.
    public func singlePage(measurer: TextMeasurer, width: Double = 900) -> Scene {
        let views = views()
        let panels = views.filter { $0.name != "results" }
        let margin = 20.0
        let columns = panels.count > 1 ? 2 : 1
        let rows = (panels.count + columns - 1) / columns
        let panelWidth = (width - 2 * margin - Double(columns - 1) * 12) / Double(columns)
        let panelHeight = panelWidth * 0.72
        let stripHeight = 150.0
        let headerHeight = 58.0
        let height = margin * 2 + headerHeight + Double(rows) * (panelHeight + 12) + stripHeight
        var scene = Scene(size: Size(width, height), background: theme.background, title: indexName)
        let (marks, _) = header(in: Rect(x: margin, y: margin, width: width - 2 * margin, height: headerHeight), page: "every view", measurer: measurer)
        scene.marks += marks
        for (position, view) in panels.enumerated() {
            let row = position / columns
            let column = position % columns
            let rect = Rect(
                x: margin + Double(column) * (panelWidth + 12), y: margin + headerHeight + Double(row) * (panelHeight + 12),
                width: panelWidth, height: panelHeight)
            scene.marks += view.draw(rect, measurer)
        }
        if let results = views.last {
            scene.marks += results.draw(Rect(x: margin, y: height - margin - stripHeight, width: width - 2 * margin, height: stripHeight), measurer)
        }
        return scene
    }
}
