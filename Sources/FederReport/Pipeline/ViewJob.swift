import FederIndex
import FederLayout
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
    /// More index files: `file` and these are the shards of one index (as `trace` takes them); the views draw the
    /// shard that gave the merged first answer, the result strip shows the merged answer.
    public var shards: [String] = []
    /// With shards: shift each shard's labels by the vectors before it (faiss successive ids); false: stored ids.
    public var successiveIDs = true
    /// A pgvector index in a database, instead of `file` (which then only names the output).
    public var postgres: PostgresIndex?

    public init(file: String, space: Space, query: JobSpec.QuerySource, search: SearchRequest) {
        self.file = file
        self.space = space
        self.query = query
        self.search = search
    }

    /// Where the views go.
    /// `-o`, else `INDEX-view.pdf` in the current directory (as the report writes into it).
    public var outputPath: String {
        output ?? (((file as NSString).lastPathComponent as NSString).deletingPathExtension + "-view.pdf")
    }
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
    /// - Throws: `FederIndexError`, `ReportError.query`, `FederSearchError`, `RenderError`.
    public static func run(_ request: ViewRequest) throws -> ViewOutcome {
        let path = request.outputPath
        let format = try OutputFormat(path: path)
        let media = try request.media.map { try MediaList.load(listPath: $0.list, kind: $0.kind, root: $0.root) }
        var set: ViewSet
        var searchWarnings: [String] = []
        if request.shards.isEmpty {
            let index = try request.postgres?.open() ?? IndexFile.open(path: request.file, space: request.space.metric)
            try ParameterCheck.refuse(request.search, model: index.model)
            let base = try request.vectors.map { try BaseVectors.load(path: $0, for: index, indexName: request.file) }
            let queries = try QueryResolver().resolve(
                request.query, name: TraceJob.sourceName(request.query), in: index, indexName: request.file, base: base)
            guard let first = queries.first else { throw ReportError.query(.emptySet(source: TraceJob.sourceName(request.query))) }
            let exact = try TraceLoop.exact(index: index, queries: [first.vector], k: request.search.k, base: base)
            guard
                let (trace, warnings) = try TraceLoop.run(
                    index: index, queries: [first], request: request.search, exact: exact, exactFromBase: base != nil
                ).first
            else { throw ReportError.query(.emptySet(source: first.source)) }
            searchWarnings = warnings
            set = ViewSet(
                indexName: (request.file as NSString).lastPathComponent, index: index, trace: trace, query: first.vector,
                queryLabel: (first.source as NSString).lastPathComponent, queryMedia: request.queryMedia, media: media,
                theme: request.theme.theme, seed: request.seed)
            set.baseVectors = base?.table
            set.baseLabels = base?.labels
        } else {
            set = try shardedSet(request, media: media)
        }
        set.projection = request.projection
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

    /// The views of a sharded index: the first query traced on every shard and merged; the views draw the shard
    /// that gave the first answer (its targets named by the merged ids), the result strip the merged answer.
    static func shardedSet(_ request: ViewRequest, media: MediaList?) throws -> ViewSet {
        let (shards, contexts, queries) = try ShardSet.forCommand(
            file: request.file, more: request.shards, space: request.space.metric, successiveIDs: request.successiveIDs,
            vectors: request.vectors, query: request.query)
        for index in shards.indexes { try ParameterCheck.refuse(request.search, model: index.model) }
        guard let first = queries.first else { throw ReportError.query(.emptySet(source: TraceJob.sourceName(request.query))) }
        let exact = try shards.exact(queries: [first.vector], ks: [request.search.k])?.first
        guard
            let traced = try TraceLoop.run(
                shards: shards, queries: [first], request: request.search, exact: exact, contexts: contexts
            ).first
        else { throw ReportError.query(.emptySet(source: first.source)) }
        let shown = traced.merged.shards?.resultShards.first ?? 0
        var set = ViewSet(
            indexName: shards.name, index: shards.indexes[shown],
            trace: traced.parts[shown], query: first.vector, queryLabel: (first.source as NSString).lastPathComponent,
            queryMedia: request.queryMedia, media: media,
            theme: request.theme.theme, seed: request.seed)
        set.merged = traced.merged
        set.idOffset = shards.translations[shown]
        return set
    }
}
