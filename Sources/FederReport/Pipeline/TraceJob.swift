import FederIndex
import FederSearch
import Foundation

/// What `feder-report trace` is asked for.
public struct TraceRequest: Sendable {
    public var file: String
    public var space: Space
    public var query: JobSpec.QuerySource
    public var search: SearchRequest
    /// Measure every trace against exact search (recall, rank of the true nearest).
    public var measure: Bool
    public var format: Format
    /// The vectors that were added (`--vectors`): the ground truth where the index keeps only codes.
    public var vectors: String?
    /// Work out each query's misses and the nprobe / ef it needed (with `measure`).
    public var explain = true
    /// How much of each trace `--json` prints.
    public var detail: Detail = .summary
    /// A ground-truth file (`.ivecs`, `.ibin`, integer `.npy`): recall and misses use its ids as given.
    public var groundTruth: String?
    /// More index files: `file` and these are the shards of one index, each searched alone and the answers merged
    /// as faiss's `IndexShards` merges them.
    public var shards: [String] = []
    /// With shards: shift each shard's labels by the vectors of the shards before it (`IndexShards(d)`'s default);
    /// false when every shard stores its own global ids.
    public var successiveIDs = true

    /// How much of each query's trace is printed as JSON.
    public enum Detail: String, Sendable, CaseIterable {
        /// The query, the search's settings and its results (no exact search is run).
        case results
        /// Also counts, recall, the exact top-k, misses and the parameter needed.
        case summary
        /// Also the step-by-step trace (IVF probes and scanned vectors, HNSW levels and layer-0 steps, a refine's
        /// shortlist, node labels).
        case full
    }

    public enum Format: Sendable { case text, json }

    public init(file: String, space: Space, query: JobSpec.QuerySource, search: SearchRequest, measure: Bool, format: Format) {
        self.file = file
        self.space = space
        self.query = query
        self.search = search
        self.measure = measure
        self.format = format
    }
}

/// What `trace --json` prints for one query. Labels are written as the library writes them (unsigned for
/// hnswlib, so a label ≥ 2^63 is not printed as a negative number).
public struct TraceOutput: Encodable, Sendable {
    public struct QueryInfo: Encodable, Sendable {
        public var source: String
        public var row: Int?
        public var id: Label?
    }

    /// A result: its label, the library's distance and the internal id.
    public struct LabeledNeighbor: Encodable, Sendable {
        public var id: Label
        public var distance: Float
        public var internalID: Int
        /// Whether the engine's distances are integers (Hamming), written as the int32 the engine returns.
        var integral = false

        init(_ neighbor: Neighbor, unsigned: Bool, integral: Bool = false) {
            // Padding (−1, faiss's "no result") stays −1 whatever the library.
            id = neighbor.id == -1 && neighbor.internalID < 0 ? .signed(-1) : Label(bits: neighbor.id, unsigned: unsigned)
            distance = neighbor.distance
            internalID = neighbor.internalID
            self.integral = integral
        }

        enum CodingKeys: String, CodingKey {
            case id, distance, internalID
        }

        /// A Hamming distance as the int32 the engine returns (a finite value past int32's range is clamped to it).
        static func whole(_ distance: Float) -> Int32 {
            Int32(clamping: Int64(min(max(distance, -9.2e18), 9.2e18)))
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            if integral, distance.isFinite {
                try container.encode(Self.whole(distance), forKey: .distance)
            } else {
                try container.encode(distance, forKey: .distance)
            }
            try container.encode(internalID, forKey: .internalID)
        }
    }

    public var query: QueryInfo
    public var kind: TraceKind
    public var metric: String
    /// The library build whose kernels computed the distances ("faiss AVX512", "hnswlib avx512", "faiss AVX512 +
    /// OpenBLAS Prescott sgemm" when the search mirrored faiss's multi-threaded flat path).
    public var kernels: String
    public var parameters: SearchParameters
    public var results: [LabeledNeighbor]
    public var counts: SearchCounts
    public var recall: Double?
    public var rankOfTrueNearest: Int?
    public var exact: [LabeledNeighbor]?
    /// Every exact top-k neighbour the search did not return, and why.
    public var misses: [MissOutput]?
    public var needed: Needed?
    /// What approximated the distances when the index stores codes ("PQ 8 × 8 bits", "SQ QT_8bit (AVX2)").
    public var codes: String?
    public var refine: RefineOutput?
    public var ivf: IVFTrace?
    public var hnsw: HNSWTrace?
    public var nodeLabels: [Int: Label]?
    /// A sharded search: what each shard returned, kept and computed, and the shard of each answer.
    public var shards: ShardsTrace?
    /// With `--detail full`, each shard's own search step by step, under its own labels (before the shift).
    public var shardTraces: [ShardPartOutput]?

    /// One shard's own search of a sharded trace.
    public struct ShardPartOutput: Encodable, Sendable {
        public var file: String
        public var translation: Int64
        public var results: [LabeledNeighbor]
        public var counts: SearchCounts
        public var ivf: IVFTrace?
        public var hnsw: HNSWTrace?
        public var nodeLabels: [Int: Label]?

        init(file: String, translation: Int64, trace: SearchTrace) {
            let unsigned = trace.labels.isUnsigned
            self.file = file
            self.translation = translation
            results = trace.results.map { LabeledNeighbor($0, unsigned: unsigned, integral: trace.distance.unit == .hamming) }
            counts = trace.counts
            ivf = trace.ivf
            hnsw = trace.hnsw
            nodeLabels = trace.nodeLabels?.dictionary.mapValues { Label(bits: $0, unsigned: unsigned) }
        }
    }
    public var warnings: [String]
    /// The ground-truth file recall and misses were measured against (its ids as given); nil: exact search.
    public var groundTruth: String?

    /// A miss with its label written as the library writes labels.
    public struct MissOutput: Encodable, Sendable {
        public var id: Label
        public var exactRank: Int
        public var distance: Float
        public var reason: Miss.Reason
        public var list: Int?
        public var listRank: Int?
        public var approximateDistance: Float?
        public var hops: Int?

        init(_ miss: Miss, unsigned: Bool) {
            id = Label(bits: miss.id, unsigned: unsigned)
            (exactRank, distance, reason) = (miss.exactRank, miss.distance, miss.reason)
            (list, listRank, approximateDistance, hops) = (miss.list, miss.listRank, miss.approximateDistance, miss.hops)
        }
    }

    /// A refine index's step: the base's shortlist, each entry's base and refined distance.
    public struct RefineOutput: Codable, Sendable {
        public struct Entry: Codable, Sendable {
            public var id: Label
            public var baseDistance: Float
            /// nil where faiss kept the base's distance (IndexRefine stops at the first −1).
            public var refinedDistance: Float?
        }

        public var kFactor: Float
        public var kBase: Int
        public var refineIndex: String
        public var baseKind: TraceKind
        public var shortlist: [Entry]
    }

    init(query: ResolvedQuery, trace: SearchTrace, warnings: [String], detail: TraceRequest.Detail = .full) {
        let unsigned = trace.labels.isUnsigned
        self.query = QueryInfo(source: query.source, row: query.row, id: query.id.map { Label(bits: $0, unsigned: unsigned) })
        kind = trace.kind
        metric = trace.metric
        kernels = trace.kernels ?? (Kernels.active.name(for: trace.kind == .hnswlib) + (trace.openBLAS.map { " + OpenBLAS \($0)" } ?? ""))
        parameters = trace.parameters
        results = trace.results.map { LabeledNeighbor($0, unsigned: unsigned, integral: trace.distance.unit == .hamming) }
        counts = trace.counts
        recall = trace.measures?.recall
        rankOfTrueNearest = trace.measures?.rankOfTrueNearest
        exact = trace.measures.map { $0.exact.map { LabeledNeighbor($0, unsigned: unsigned, integral: trace.distance.unit == .hamming) } }
        misses = trace.measures?.misses.map { $0.map { MissOutput($0, unsigned: unsigned) } }
        needed = trace.measures?.needed
        codes = trace.codes
        refine = trace.refine.map { refine in
            RefineOutput(
                kFactor: refine.kFactor, kBase: refine.kBase, refineIndex: refine.refineIndex, baseKind: refine.base.kind,
                shortlist: zip(refine.base.results, refine.refined).map {
                    RefineOutput.Entry(id: LabeledNeighbor($0, unsigned: unsigned).id, baseDistance: $0.distance, refinedDistance: $1)
                })
        }
        ivf = trace.ivf
        hnsw = trace.hnsw
        // The node table only where it is printed (building it per query cost a fifth of a results-only run).
        nodeLabels = detail == .full ? trace.nodeLabels?.dictionary.mapValues { Label(bits: $0, unsigned: unsigned) } : nil
        shards = trace.shards
        self.warnings = warnings
        if detail != .full {
            (refine, ivf, hnsw, nodeLabels) = (nil, nil, nil, nil)
        }
        if detail == .results {
            (recall, rankOfTrueNearest, exact, misses, needed, shards) = (nil, nil, nil, nil, nil, nil)
        }
    }
}

/// `feder-report trace`: open the index, resolve the queries, trace them all and print each.
public enum TraceJob {
    /// Queries traced (across cores) and printed at a time: output is streamed, so memory does not grow with the
    /// number of queries.
    static let chunk = 256

    /// Runs `request`; `emit` receives each query's output (a JSON line or a text block) in query order, and
    /// `warn` each distinct warning once, when it first appears.
    /// - Throws: `FederIndexError`, `ReportError.query`, `FederSearchError`.
    public static func run(_ request: TraceRequest, emit: (String) -> Void, warn: (String) -> Void) throws {
        if !request.shards.isEmpty { return try runSharded(request, emit: emit, warn: warn) }
        let index = try IndexFile.open(path: request.file, space: request.space.metric)
        try ParameterCheck.refuse(request.search, model: index.model)
        let base = try request.vectors.map { try BaseVectors.load(path: $0, for: index, indexName: request.file) }
        let queries = try QueryResolver().resolve(
            request.query, name: sourceName(request.query), in: index, indexName: request.file, base: base)
        // JSON results alone need no exact search.
        let measure = request.measure && !(request.format == .json && request.detail == .results)
        var exact = measure ? try request.groundTruth.map { try TraceLoop.truth(file: $0, index: index, queries: queries) } : nil
        if measure, exact == nil {
            exact = try TraceLoop.exact(index: index, queries: queries.map(\.vector), k: request.search.k, base: base)
            if exact == nil {
                warn(
                    "no recall: this \(index.model.engine) index (\(index.model.typeName)) keeps only codes, not the vectors that "
                        + "were added; give them with --vectors FILE (row i the i-th added) to measure it against exact search")
            }
        }
        let detail: TraceRequest.Detail = request.format == .text ? .full : request.detail
        var warned: Set<String> = []
        for start in stride(from: 0, to: queries.count, by: chunk) {
            let part = Array(queries[start..<min(start + chunk, queries.count)])
            let traced = try TraceLoop.run(
                index: index, queries: part, request: request.search, exact: exact.map { Array($0[start..<start + part.count]) },
                exactFromBase: base != nil, explain: request.explain, truthFromFile: request.groundTruth != nil
            ) { _ in detail == .full ? .full : .summary }
            for warning in Set(traced.flatMap(\.warnings)).subtracting(warned).sorted() { warn(warning) }
            warned.formUnion(traced.flatMap(\.warnings))
            for (query, (trace, warnings)) in zip(part, traced) {
                var output = TraceOutput(query: query, trace: trace, warnings: warnings, detail: detail)
                if measure { output.groundTruth = request.groundTruth }
                switch request.format {
                case .json: emit(try output.resultsJSONLine() ?? JSONOutput.encode(output))
                case .text: emit(TraceText.render(output, file: request.file))
                }
            }
        }
    }

    /// `run` for the shards of one index: every query traced on every shard and merged, measured against the
    /// merged exact truth (or the ground-truth file), printed as one index's answer with what each shard gave.
    static func runSharded(_ request: TraceRequest, emit: (String) -> Void, warn: (String) -> Void) throws {
        let (shards, contexts, queries) = try ShardSet.forCommand(
            file: request.file, more: request.shards, space: request.space.metric, successiveIDs: request.successiveIDs,
            vectors: request.vectors, query: request.query)
        for index in shards.indexes { try ParameterCheck.refuse(request.search, model: index.model) }
        let measure = request.measure && !(request.format == .json && request.detail == .results)
        var exact: [[Neighbor]]?
        if measure {
            if let file = request.groundTruth {
                exact = try shards.truth(file: file, queries: queries, positions: { contexts[$0].positions })
            } else {
                exact = try shards.exact(queries: queries.map(\.vector), ks: [request.search.k])?.first
                if exact == nil, let first = shards.indexes.first {
                    warn(
                        "no recall: these \(first.model.engine) shards (\(first.model.typeName)) keep only codes, not the vectors that "
                            + "were added; give the true neighbours with --ground-truth FILE (ids as the merged answer names them) to "
                            + "measure them")
                }
            }
        }
        let detail: TraceRequest.Detail = request.format == .text ? .full : request.detail
        for start in stride(from: 0, to: queries.count, by: chunk) {
            let part = Array(queries[start..<min(start + chunk, queries.count)])
            let traced = try TraceLoop.run(
                shards: shards, queries: part, request: request.search, exact: exact.map { Array($0[start..<start + part.count]) },
                explain: request.explain, truthFromFile: request.groundTruth != nil, contexts: contexts
            ) { _ in detail == .full ? .full : .summary }
            for (query, sharded) in zip(part, traced) {
                var output = TraceOutput(query: query, trace: sharded.merged, warnings: [], detail: detail)
                if measure { output.groundTruth = request.groundTruth }
                if detail == .full, request.format == .json {
                    output.shardTraces = sharded.parts.enumerated().map { shard, part in
                        TraceOutput.ShardPartOutput(
                            file: (shards.files[shard] as NSString).lastPathComponent, translation: shards.translations[shard],
                            trace: part)
                    }
                }
                switch request.format {
                case .json: emit(try JSONOutput.encode(output))
                case .text: emit(TraceText.render(output, file: shards.name))
                }
            }
        }
    }

    /// How a command-line query source is named in messages.
    static func sourceName(_ source: JobSpec.QuerySource) -> String {
        switch source {
        case .id(let id): return "id \(id)"  // refined by the index's label style in QueryResolver
        case .ids: return "--ids"
        case .file(let path, _, _): return path
        case .inline: return "--vector-json"
        }
    }
}
