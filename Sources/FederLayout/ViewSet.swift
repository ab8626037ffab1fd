import FederIndex
import FederProjection
import FederSearch
import Foundation

/// Every view of one index and one traced query, in reading order, each drawing itself into a rectangle.
/// Pages are composed from these by the report stage, the same way for `view` and for reports.
public struct ViewSet: Sendable {
    public var indexName: String
    public var index: IndexFile
    public var trace: SearchTrace
    public var query: [Float]
    public var queryLabel: String
    public var queryMedia: String?
    public var media: MediaList?
    public var theme: Theme
    public var seed: UInt64
    /// The 2-D projection behind the cluster map, the fine-search projection and the HNSW planes.
    public var projection: ProjectionMethod = .pca
    /// Where the IVF cluster map is built (once, on the first view that draws it).
    public var mapCache = ClusterMapCache()
    /// The vectors that were added (row r = internal id r), when given: the quantization view's true distances.
    public var baseVectors: VectorTable?
    /// Row → label of `baseVectors` when the index maps ids.
    public var baseLabels: MappedArray<Int64>?
    /// For a sharded index: the merged answer (the result strip shows it), while `index` and `trace` are the shard
    /// drawn; nil for one index.
    public var merged: SearchTrace?
    /// Added to the drawn shard's ids to name its vectors as the merged answer does (faiss successive ids).
    public var idOffset: Int64 = 0

    /// The true vectors the quantization view compares with: those given, or a refine index's flat vectors.
    var trueVectors: VectorTable? {
        if let baseVectors { return baseVectors }
        if case .faiss(let faiss) = index { return Self.refineFlatVectors(in: faiss) }
        return nil
    }

    func healthView() -> View {
        let (index, seed, theme) = (self.index, self.seed, self.theme)
        return View(kind: .health) { rect, measurer in
            guard let health = IndexHealth.of(index) else { return [] }
            return HealthViews.view(health, graph: HNSWGraphView.from(index), seed: seed, in: rect, theme: theme, measurer: measurer)
        }
    }

    /// A refine index's flat vectors (the exact vectors IndexRefineFlat re-scores with), wherever it sits.
    public static func refineFlatVectors(in index: FaissIndex) -> VectorTable? {
        switch index {
        case .refine(let refine):
            if case .flat(let flat) = refine.refine { return flat.vectors }
            return nil
        case .idMap(let map): return refineFlatVectors(in: map.inner)
        default: return nil
        }
    }

    public init(
        indexName: String, index: IndexFile, trace: SearchTrace, query: [Float], queryLabel: String, queryMedia: String? = nil,
        media: MediaList? = nil, theme: Theme = .light, seed: UInt64 = 1
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
    }

    /// A view: which one it is and how it draws itself into a rectangle.
    public struct View: Sendable {
        public var kind: ViewKind
        public var draw: @Sendable (Rect, TextMeasurer) -> [Mark]

        /// The view's name, as `view` lists it and `--panels` names its file.
        public var name: String { kind.rawValue }
    }

    /// The views this index kind has, in reading order.
    public func views() -> [View] {
        let theme = self.theme
        var views: [View] = []
        if let merged, let shards = merged.shards {
            let (name, largerIsBetter) = (indexName, index.model.distance.largerIsBetter)
            let shown = shards.resultShards.first ?? 0
            views.append(
                View(kind: .shards) { rect, measurer in
                    ShardsPanel.marks(
                        indexName: name, shards: shards, k: merged.parameters.k, largerIsBetter: largerIsBetter,
                        note: "The other views draw shard \(shown)'s own search (▸, it gave the first answer).", in: rect, theme: theme,
                        measurer: measurer)
                })
        }
        let partition = Self.partition(of: index)
        do {
            if let ivf = partition, ivf.centroids != nil, trace.ivf != nil {
                // A shard whose ids are shifted draws no pictures by its own ids (its targets get theirs below).
                let (cache, trace, query, media, seed, projection) = (
                    mapCache, trace, searchedQuery, idOffset == 0 ? media : nil, seed, projection
                )
                // Listing the views costs nothing: the map is built by the first view drawn.
                let draw:
                    @Sendable (@escaping @Sendable (IVFViews.Input, Rect, Theme, TextMeasurer) -> [Mark]) ->
                        @Sendable (Rect, TextMeasurer) -> [Mark] = { view in
                            { rect, measurer in
                                guard let map = cache.map(for: ivf, projection: projection, seed: seed) else { return [] }
                                var input = IVFViews.Input(index: ivf, map: map, trace: trace, query: query, media: media, seed: seed)
                                input.projection = projection
                                return view(input, rect, theme, measurer)
                            }
                        }
                views.append(View(kind: .ivfOverview, draw: draw { IVFViews.overview($0, in: $1, theme: $2, measurer: $3) }))
                views.append(View(kind: .ivfCoarse, draw: draw { IVFViews.coarse($0, in: $1, theme: $2, measurer: $3) }))
                views.append(View(kind: .ivfFinePolar, draw: draw { IVFViews.finePolar($0, in: $1, theme: $2, measurer: $3) }))
                views.append(View(kind: .ivfFineProjection, draw: draw { IVFViews.fineProjection($0, in: $1, theme: $2, measurer: $3) }))
            }
        }
        if let graph = HNSWGraphView.from(index), trace.hnsw != nil {
            var hnswInput = HNSWViews.Input(graph: graph, trace: trace, query: searchedQuery, seed: seed)
            hnswInput.projection = projection
            let input = hnswInput
            views.append(View(kind: .hnswOverview) { HNSWViews.overview(input, in: $0, theme: theme, measurer: $1) })
            views.append(View(kind: .hnswSearch) { HNSWViews.search(input, in: $0, theme: theme, measurer: $1) })
        }
        if trace.codes != nil, let base = trueVectors, base.dim == query.count {
            do {
                let approximation = try CodeApproximation(trace: trace, query: query, base: base, metric: index.metric)
                let input = QuantizationViews.Input(
                    trace: trace, approximation: approximation, rows: base.count, baseLabels: baseLabels, seed: seed)
                views.append(View(kind: .quantization) { QuantizationViews.scatter(input, in: $0, theme: theme, measurer: $1) })
            } catch {
                let reason = "Cannot compare the codes' distances with the true ones: \(error.localizedDescription)"
                views.append(
                    View(kind: .quantization) {
                        ViewKit.panel(
                            title: "Quantization — approximate vs true distance", subtitle: reason, in: $0, theme: theme, measurer: $1
                        ).marks
                    })
            }
        }
        if trace.refine != nil {
            let exactLabels = trace.measures?.exact.map(\.id)
            let unsigned = trace.labels.isUnsigned
            let trace = self.trace
            views.append(
                View(kind: .refine) {
                    QuantizationViews.refine(trace, exactRows: exactLabels, unsignedLabels: unsigned, in: $0, theme: theme, measurer: $1)
                })
        }
        if case .faiss(let faiss) = index, Self.hasProductQuantizer(faiss) {
            views.append(
                View(kind: .codebooks) { rect, measurer in
                    guard let use = PQCodebookUse.count(faiss) else { return [] }
                    return QuantizationViews.codebooks(
                        counts: use.counts, codes: use.codes, summary: use.pq.summary, in: rect, theme: theme, measurer: measurer)
                })
        }
        // The index's health (IVF balance, HNSW reachability): computed when drawn.
        if case .faiss(let faiss) = index, Self.ivf(in: faiss) != nil || HNSWGraphView.from(index) != nil {
            views.append(healthView())
        } else if case .hnswlib = index {
            views.append(healthView())
        } else if case .engine(let engine) = index, engine.layeredGraph != nil || partition != nil {
            views.append(healthView())
        }
        let answer = merged ?? trace
        let media = self.media
        let queryMedia = self.queryMedia
        let queryLabel = self.queryLabel
        views.append(
            View(kind: .results) { rect, measurer in
                ResultStrip.marks(
                    title: "Top-\(answer.parameters.k) results", results: answer.results, exact: answer.measures?.exact, media: media,
                    queryMedia: queryMedia, queryLabel: queryLabel, unsignedLabels: answer.labels.isUnsigned, in: rect, theme: theme,
                    measurer: measurer)
            })
        // Every view's targets named as the answer names its vectors, each showing what the vector is.
        let (offset, unsigned) = (idOffset, trace.labels.isUnsigned)
        return views.map { view in
            View(kind: view.kind) { rect, measurer in
                let marks = view.draw(rect, measurer)
                return ViewKit.withMedia(
                    view.kind == .results ? marks : ViewKit.offsettingIDs(marks, by: offset, unsigned: unsigned), media)
            }
        }
    }

    /// Whether the index's codes come from a product quantizer (its codebook view applies).
    public static func hasProductQuantizer(_ index: FaissIndex) -> Bool {
        switch index {
        case .idMap(let map): return hasProductQuantizer(map.inner)
        case .preTransform(let pre): return hasProductQuantizer(pre.inner)
        case .refine(let refine): return hasProductQuantizer(refine.base)
        case .hnsw(let hnsw): return hasProductQuantizer(hnsw.storage)
        case .pq, .pqFastScan: return true
        case .ivf(let ivf):
            switch ivf.encoding {
            case .productQuantizer, .productQuantizerFastScan: return true
            default: return false
            }
        default: return false
        }
    }

    /// The IVF index whose search the trace holds: the index itself, or inside an IDMap, a refine index's base or
    /// a pre-transform.
    /// The partition the IVF views draw, whichever engine holds it (a faiss IVF through its wrappers, a door engine's
    /// `partitionView`); nil for an index that is not partitioned.
    public static func partition(of index: IndexFile) -> FaissIVFIndex? {
        switch index {
        case .faiss(let faiss): return ivf(in: faiss)
        case .engine(let engine): return engine.partitionView
        case .hnswlib: return nil
        }
    }

    public static func ivf(in index: FaissIndex) -> FaissIVFIndex? {
        switch index {
        case .ivf(let ivf): return ivf
        case .idMap(let map): return ivf(in: map.inner)
        case .refine(let refine): return ivf(in: refine.base)
        case .preTransform(let pre): return ivf(in: pre.inner)
        default: return nil
        }
    }

    /// The query in the space the index's vectors live in: after a pre-transform chain, what the inner index
    /// searched with.
    public var searchedQuery: [Float] { trace.transform?.transformedQuery(from: query) ?? query }
}

/// The views there are, named as `view` lists them.
public enum ViewKind: String, Sendable, CaseIterable, Codable {
    case ivfOverview = "ivf-overview"
    case ivfCoarse = "ivf-coarse"
    case ivfFinePolar = "ivf-fine-polar"
    case ivfFineProjection = "ivf-fine-projection"
    case hnswOverview = "hnsw-overview"
    case hnswSearch = "hnsw-search"
    case quantization
    case refine
    case codebooks = "pq-codebooks"
    case health
    /// A sharded index's table of what each shard gave the merged answer.
    case shards
    case results
}
