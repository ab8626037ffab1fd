import FederIndex
import FederLayout
import FederProjection
import FederRender
import FederSearch
import Foundation

/// What `feder-report view` is asked for.
public struct ViewRequest: Sendable {
    public var file: String
    public var space: Space
    public var query: JobSpec.QuerySource
    public var search: SearchRequest
    /// The file to write; nil writes `INDEX-view.pdf` beside the index.
    public var output: String?
    public var media: JobSpec.MediaSpec?
    public var queryMedia: String?
    public var theme: ThemeName = .light
    public var dpi: Double = 144
    public var seed: UInt64 = 1
    public var projection: ProjectionMethod = .pca
    /// Check every page's text (`--check-layout`).
    public var checkLayout = false
    /// The vectors that were added (`--vectors`): true distances for the quantization view, the ground truth.
    public var vectors: String?

    public init(file: String, space: Space, query: JobSpec.QuerySource, search: SearchRequest) {
        self.file = file
        self.space = space
        self.query = query
        self.search = search
    }

    /// Where the views go.
    public var outputPath: String { output ?? ((file as NSString).deletingPathExtension + "-view.pdf") }
}

/// What `view` did.
public struct ViewOutcome: Sendable {
    public var path: String
    public var pages: Int
    public var views: [ViewKind]
    /// Search notes and images drawn as placeholders (at most five, then a count).
    public var warnings: [String]
    /// With `checkLayout`: one line per text that is cut, overlaps another or leaves its panel.
    public var layoutProblems: [String] = []
}

/// `feder-report view`: trace one query and draw every view of it.
public enum ViewJob {
    /// - Throws: `FederIndexError`, `QueryError`, `FederSearchError`, `MediaListError`, `RenderError`.
    public static func run(_ request: ViewRequest) throws -> ViewOutcome {
        let path = request.outputPath
        let format = try OutputFormat(path: path)
        let index = try IndexFile.open(path: request.file, space: request.space.metric)
        let base = try request.vectors.map { try BaseVectors.load(path: $0, for: index, indexName: request.file) }
        let queries = try QueryResolver().resolve(
            request.query, name: TraceJob.sourceName(request.query), in: index, indexName: request.file, base: base)
        guard let first = queries.first else { throw QueryError.emptySet(source: TraceJob.sourceName(request.query)) }
        let exact = TraceLoop.exact(index: index, queries: [first.vector], k: request.search.k, base: base)
        guard
            let (trace, searchWarnings) = try TraceLoop.run(
                index: index, queries: [first], request: request.search, exact: exact, exactFromBase: base != nil
            ).first
        else { throw QueryError.emptySet(source: first.source) }
        let media = try request.media.map { try MediaList.load(listPath: $0.list, kind: $0.kind, root: $0.root) }
        var set = ViewSet(
            indexName: (request.file as NSString).lastPathComponent, index: index, trace: trace, query: first.vector,
            queryLabel: first.source, queryMedia: request.queryMedia, media: media, theme: request.theme.theme, seed: request.seed)
        set.projection = request.projection
        set.baseVectors = base?.table
        set.baseLabels = base?.labels
        let pages = ViewPages(views: set, measurer: PangoTextMeasurer())
        let scenes = format.holdsPages ? pages.pages() : [pages.singlePage()]
        var writer = OutputWriter(dpi: request.dpi)
        _ = try writer.write(scenes, to: path, title: "feder-report — \(set.indexName)")
        var outcome = ViewOutcome(
            path: path, pages: scenes.count, views: set.views().map(\.kind),
            warnings: searchWarnings + OutputWriter.summarise(writer.warnings))
        if request.checkLayout { outcome.layoutProblems = LayoutCheck.problems(in: scenes).map(\.description) }
        return outcome
    }
}
