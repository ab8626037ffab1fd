import FederIndex

/// Everything a traced search did, in plain values. Node and vector ids inside `ivf` / `hnsw` are the
/// index's internal ids (storage rows, hnswlib internal ids); `results` carry the caller's labels, and
/// `nodeLabels` maps every internal id that appears to its label when the two differ.
public struct SearchTrace: Codable, Equatable, Sendable {
    /// The index family searched: `flat`, `ivf`, `hnsw` (faiss) or `hnswlib`.
    public var kind: TraceKind
    public var metric: String
    /// The distance the results carry and which way is better (the index model's).
    public var distance: DistanceConvention
    /// How the results' labels read (the index model's).
    public var labels: LabelKind
    public var parameters: SearchParameters
    /// The answers in library order, distances in the library's own convention.
    public var results: [Neighbor]
    public var counts: SearchCounts
    public var ivf: IVFTrace?
    public var hnsw: HNSWTrace?
    /// Internal id → label, for the ids that appear in the trace, when labels differ from internal ids.
    public var nodeLabels: NodeLabels?
    /// Measures against exact search, filled in by `Measures`.
    public var measures: SearchMeasures?
    /// The OpenBLAS routine the search reproduced, and for which core ("Prescott sgemm" when it mirrored
    /// faiss's flat search through sgemm, "Prescott sgemv" for a pre-transform's matrix); nil when faiss's
    /// own kernels computed everything.
    public var openBLAS: String?
    /// A pre-transform chain applied to the query before the inner index searched (faiss `IndexPreTransform`).
    public var transform: TransformTrace?
    /// What approximated the distances when the index stores codes: "PQ 8 × 8 bits, precomputed table",
    /// "SQ QT_8bit (AVX2)"; nil for float vectors.
    public var codes: String?
    /// A refine index's re-scoring of the base index's shortlist (`IndexRefine`, `IndexRefineFlat`).
    public var refine: RefineTrace?
    /// An exhaustive scan over codes (IndexPQ, IndexScalarQuantizer, IndexPQFastScan): every row's approximate
    /// distance, by row.
    public var scoredRows: [Float]?
    /// A search over shards (one index file each) merged as faiss's `IndexShards` merges: each shard's part.
    public var shards: ShardsTrace?
    /// What computed the distances, when not the library build's float kernels (`Kernels`): "popcount" for binary
    /// codes.
    public var kernels: String?
    /// A database scan's executor: the tuples the index handed over and what became of them (pgvector).
    public var executor: ExecutorSummary?

    /// Whether the results' distances are exact (float vectors, or codes re-scored by a flat refine index) rather
    /// than codes' approximations.
    public var resultDistancesAreExact: Bool {
        guard codes != nil else { return true }
        return refine?.refineIndex == "flat"
    }

    public init(
        kind: TraceKind, metric: String, parameters: SearchParameters, results: [Neighbor], counts: SearchCounts,
        ivf: IVFTrace? = nil, hnsw: HNSWTrace? = nil, distance: DistanceConvention, labels: LabelKind
    ) {
        self.kind = kind
        self.metric = metric
        self.distance = distance
        self.labels = labels
        self.parameters = parameters
        self.results = results
        self.counts = counts
        self.ivf = ivf
        self.hnsw = hnsw
    }
}

/// What a database's executor did with the tuples an index scan handed it (pgvector): how many, how many rows it
/// returned, how many failed the filter or were dead, and why it stopped.
public struct ExecutorSummary: Codable, Equatable, Sendable {
    /// "ef_search 40 gave 40 candidates" / "probes 1 scanned 75 entries": what the scan produced before the executor.
    public var produced: String
    public var pulled: Int
    public var returned: Int
    public var filtered: Int
    public var dead: Int
    /// Iterative scans: layer-0 searches or sorted batches, and the HNSW scan's tuples.
    public var rounds: Int?
    public var tuples: Int?
    public var stop: String

    /// One sentence: "ef_search 40 gave 40 candidates: 31 failed the filter, 6 were dead rows, 3 returned; stopped:
    /// ef_search candidates returned"; "ef_search 40, relaxed_order: 105 rows taken in 6 rounds (206 tuples): …".
    public var sentence: String {
        var parts: [String] = []
        if filtered > 0 { parts.append("\(filtered) failed the filter") }
        if dead > 0 { parts.append("\(dead) \(dead == 1 ? "was a dead row" : "were dead rows")") }
        parts.append("\(returned) returned")
        var text = produced
        if let rounds, rounds > 1 { text += " in \(rounds) rounds" + (tuples.map { " (\($0) tuples)" } ?? "") }
        return text + ": " + parts.joined(separator: ", ") + "; stopped: \(stop)"
    }
}

/// What each shard of a sharded search contributed (the merged trace's counts are their sums, as faiss's
/// statistics add up over the shards' searches).
public struct ShardsTrace: Codable, Equatable, Sendable {
    public struct Shard: Codable, Equatable, Sendable {
        /// The shard's file name.
        public var file: String
        /// Vectors (or nodes) it holds.
        public var vectors: Int
        /// Added to its labels in the merged answer (faiss `successive_ids`), else 0.
        public var translation: Int64
        /// Answers it returned, and how many of them the merge kept.
        public var returned: Int
        public var kept: Int
        /// Its last answer's distance (the worst it offered), when it returned any.
        public var worst: Float?
        public var counts: SearchCounts

        public init(
            file: String, vectors: Int, translation: Int64, returned: Int, kept: Int, worst: Float?, counts: SearchCounts
        ) {
            self.file = file
            self.vectors = vectors
            self.translation = translation
            self.returned = returned
            self.kept = kept
            self.worst = worst
            self.counts = counts
        }
    }

    public var shards: [Shard]
    /// The shard each merged answer came from, in answer order.
    public var resultShards: [Int]

    public init(shards: [Shard], resultShards: [Int]) {
        self.shards = shards
        self.resultShards = resultShards
    }
}

/// One answer: the caller's label, the library's distance, and the internal id it came from.
public struct Neighbor: Codable, Equatable, Sendable {
    public var id: Int64
    public var distance: Float
    /// Internal id (−1 for padding).
    public var internalID: Int

    public init(id: Int64, distance: Float, internalID: Int) {
        self.id = id
        self.distance = distance
        self.internalID = internalID
    }

    enum CodingKeys: String, CodingKey {
        case id, distance
        case internalID = "internal"
    }
}

/// The parameters a search ran with, after defaults and clamping.
public struct SearchParameters: Codable, Equatable, Sendable {
    public var k: Int
    public var nprobe: Int?
    public var ef: Int?
    /// The OpenMP threads faiss was mirrored with, when more than one.
    public var ompThreads: Int?

    public init(k: Int, nprobe: Int? = nil, ef: Int? = nil, ompThreads: Int? = nil) {
        self.k = k
        self.nprobe = nprobe
        self.ef = ef
        self.ompThreads = ompThreads
    }
}

/// How much work a search did, each count defined as the libraries define theirs.
public struct SearchCounts: Codable, Equatable, Sendable {
    /// Every distance evaluated. IVF: scanned + nlist centroid distances. faiss HNSW: `hnsw_stats.ndis`
    /// (the entry point's first distance is not counted there). hnswlib: every distance the library computes,
    /// the entry point's included.
    public var distanceComputations: Int
    /// Distinct vectors whose distance was computed, on any level (HNSW) or in any list (IVF).
    public var visited: Int
    /// IVF: vectors scored in the probed lists (`indexIVF_stats.ndis`).
    public var scanned: Int?
    /// IVF: non-empty lists scanned (`indexIVF_stats.nlist`).
    public var probedLists: Int?
    /// faiss HNSW: `hnsw_stats.nhops` (greedy passes + layer-0 expansions); hnswlib: the same quantity.
    public var hops: Int?
    /// hnswlib: size of layer 0's visited set.
    public var visitedLevel0: Int?

    public init(distanceComputations: Int, visited: Int) {
        self.distanceComputations = distanceComputations
        self.visited = visited
    }
}

// MARK: Pre-transform

/// The query after each transform of an `IndexPreTransform` chain; the inner index searched with the last.
public struct TransformTrace: Codable, Equatable, Sendable {
    public struct Stage: Codable, Equatable, Sendable {
        /// "PCA 64 → 32 with bias", "L2 normalisation 64", …
        public var transform: String
        public var output: [Float]
    }

    public var stages: [Stage]

    /// The query the inner index searched with (the original query when the chain is empty).
    public func transformedQuery(from query: [Float]) -> [Float] { stages.last?.output ?? query }
}

// MARK: Refine

/// How a refine index re-scored the base index's shortlist of k_factor · k. (A class: it holds the base
/// index's whole trace, itself a `SearchTrace`.)
public final class RefineTrace: Codable, Equatable, Sendable {
    /// The shortlist size asked of the base index, `Int(Float(k) · k_factor)`.
    public let kBase: Int
    public let kFactor: Float
    /// The base index's search (its own kind, counts and results: the shortlist).
    public let base: SearchTrace
    /// The refined distance of every shortlist entry, in shortlist order (nil past the first −1 for
    /// `IndexRefine`, which keeps the base's padding there).
    public let refined: [Float?]
    /// What re-scored: "flat", "SQ QT_fp16 (AVX2)", "PQ 8 × 8 bits".
    public let refineIndex: String

    public init(kBase: Int, kFactor: Float, base: SearchTrace, refined: [Float?], refineIndex: String) {
        self.kBase = kBase
        self.kFactor = kFactor
        self.base = base
        self.refined = refined
        self.refineIndex = refineIndex
    }

    public static func == (a: RefineTrace, b: RefineTrace) -> Bool {
        a.kBase == b.kBase && a.kFactor == b.kFactor && a.base == b.base && a.refined == b.refined
            && a.refineIndex == b.refineIndex
    }
}

// MARK: IVF

/// What an IVF search did: the coarse ranking, the lists probed and every vector scored.
public struct IVFTrace: Codable, Equatable, Sendable {
    /// Distance from the query to every centroid, by list number (library convention).
    public var centroidDistances: [Float]
    /// The probed lists in rank order (empty ones included, marked by size 0).
    public var probes: [Probe]
    /// Every vector scored, in scan order.
    public var scanned: [ScannedVector]
    /// An HNSW coarse quantizer's own search for the `nprobe` nearest centroids (`IVFn_HNSWm`): its trace and
    /// counts (`hnsw_stats` of that search). nil for a flat quantizer, which scores every centroid.
    public var coarseHNSW: HNSWTrace?
    public var coarseCounts: SearchCounts?

    public struct Probe: Codable, Equatable, Sendable {
        public var rank: Int
        public var list: Int
        public var size: Int
        public var distance: Float
    }

    public struct ScannedVector: Codable, Equatable, Sendable {
        /// The id stored in the list (internal id under an IDMap).
        public var id: Int64
        public var list: Int
        public var distance: Float
        /// Whether it entered the k-result heap when scored.
        public var admitted: Bool
    }
}

// MARK: HNSW

/// What an HNSW search did on every level.
public struct HNSWTrace: Codable, Equatable, Sendable {
    /// What the upper-level descent computed, read back from its passes: the nodes whose distance it computed in
    /// first-computed order (the entry point first), the neighbours it scored and its greedy passes; nil when the
    /// passes were dropped (a slimmed trace) or there is no entry point. Searches that take over a descent start here.
    public var descentWalk: (computed: [Int], scored: Int, passes: Int)? {
        guard entryPoint >= 0, upperLevels.allSatisfy({ !$0.passes.isEmpty }) else { return nil }
        var seen: Set<Int> = [entryPoint]
        var computed = [entryPoint]
        var scored = 0
        var passes = 0
        for level in upperLevels {
            for pass in level.passes {
                passes += 1
                for edge in pass {
                    scored += 1
                    if seen.insert(edge.to).inserted { computed.append(edge.to) }
                }
            }
        }
        return (computed, scored, passes)
    }

    public var entryPoint: Int
    public var entryDistance: Float
    /// Greedy descent, top level first.
    public var upperLevels: [UpperLevel]
    public var level0: Level0
    /// Every internal id whose distance was computed, in the order the search first scored them.
    public var visited: [Int]

    /// One upper level's greedy passes.
    public struct UpperLevel: Codable, Equatable, Sendable {
        public var level: Int
        /// Each pass: every edge scored from the node the pass started at.
        public var passes: [[Edge]]
        /// The nodes the descent moved through on this level, starting where it entered.
        public var path: [Int]
        public var exitDistance: Float

        /// Distances computed on this level: every edge of every pass (a node scored from two passes counts twice,
        /// as the library computes it twice). What the text output, the JSON and the pages call "computed".
        public var distanceComputations: Int { passes.reduce(0) { $0 + $1.count } }
        /// The distinct nodes whose distance was computed on this level ("nodes").
        public var nodesScored: Int { Set(passes.joined().map(\.to)).count }

        enum CodingKeys: String, CodingKey {
            case level, passes, path, exitDistance
        }

        enum CountKeys: String, CodingKey {
            case distanceComputations, nodes
        }

        /// The stored fields, and the two counts as the text output names them (read back by nobody: they follow).
        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(level, forKey: .level)
            try container.encode(passes, forKey: .passes)
            try container.encode(path, forKey: .path)
            try container.encode(exitDistance, forKey: .exitDistance)
            var counts = encoder.container(keyedBy: CountKeys.self)
            try counts.encode(distanceComputations, forKey: .distanceComputations)
            try counts.encode(nodesScored, forKey: .nodes)
        }
    }

    public struct Edge: Codable, Equatable, Sendable {
        public var from: Int
        public var to: Int
        public var distance: Float
    }

    /// Layer 0: every expansion in pop order.
    public struct Level0: Codable, Equatable, Sendable {
        public var entry: Int
        public var ef: Int
        public var steps: [Step]
        public var stopReason: StopReason
        /// Size of layer 0's visited set.
        public var visitedCount: Int
    }

    public struct Step: Codable, Equatable, Sendable {
        public var node: Int
        public var distance: Float
        /// The bound at the pop: faiss, the k-th result distance; hnswlib, lowerBound (worst of top-ef).
        public var bound: Float
        /// Size of the result set (faiss: filled result slots; hnswlib: top_candidates) at the pop.
        public var resultSize: Int
        /// Whether this popped node was expanded (the stopping pop is recorded but not expanded).
        public var expanded: Bool
        public var neighbors: [NeighborEvent]
    }

    public struct NeighborEvent: Codable, Equatable, Sendable {
        public enum Outcome: String, Codable, Sendable {
            /// Already visited: no distance computed.
            case visited
            /// Scored and pushed to the candidates (and the results when good enough).
            case admitted
            /// Scored, not good enough to keep.
            case rejected
        }
        public var id: Int
        public var distance: Float?
        public var outcome: Outcome
        /// Entered the k / ef result set.
        public var enteredResults: Bool?
        /// The node this one evicted from the result set, if any.
        public var evicted: Int?
    }

    public enum StopReason: String, Codable, Sendable {
        /// hnswlib: the best candidate is farther than lowerBound.
        case candidateWorseThanBound
        /// faiss: count_below(d) ≥ efSearch.
        case enoughBetterCandidates
        /// The candidate queue ran empty.
        case candidatesExhausted
        /// The index is empty.
        case emptyIndex

        /// The reason in words, as text output and pages say it (`candidate worse than bound`).
        public var words: String {
            switch self {
            case .candidateWorseThanBound: return "candidate worse than bound"
            case .enoughBetterCandidates: return "enough better candidates"
            case .candidatesExhausted: return "candidates exhausted"
            case .emptyIndex: return "empty index"
            }
        }
    }
}

/// Which search a trace is of: its results and counts follow that library's code path.
public enum TraceKind: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
    /// faiss `IndexFlat`: an exact scan.
    case flat
    /// faiss `IndexIVF*`: coarse ranking, then the probed lists.
    case ivf
    /// faiss `IndexHNSW*`.
    case hnsw
    /// hnswlib `HierarchicalNSW`.
    case hnswlib
    /// Voyager's `Index` (its fork of hnswlib's search, with kernels of its own).
    case voyager
    /// A pgvector index scan (HNSW or IVFFlat) in PostgreSQL.
    case pgvector
    /// faiss `IndexIDMap` / `IndexIDMap2` around a flat, IVF or HNSW index (results carry the map's labels).
    case idMapFlat = "idmap/flat"
    case idMapIVF = "idmap/ivf"
    case idMapHNSW = "idmap/hnsw"

    /// As JSON and pages write it: `ivf`, `idmap/hnsw`, …
    public var description: String { rawValue }

    /// The same search wrapped in an id map.
    public var inIDMap: TraceKind {
        switch self {
        case .flat: return .idMapFlat
        case .ivf: return .idMapIVF
        case .hnsw: return .idMapHNSW
        case .hnswlib, .voyager, .pgvector, .idMapFlat, .idMapIVF, .idMapHNSW: return self
        }
    }
}

/// Internal id → label for the ids a trace mentions, read from the index's own table when asked (nothing is
/// copied per search): hnswlib's label of each element, or an IDMap's id map. Encodes, and compares, as the
/// map `{"internal id": label}` of the ids it covers.
public struct NodeLabels: Sendable, Equatable, Codable {
    enum Source: Sendable {
        case hnswlib([UInt64])
        case idMap(MappedArray<Int64>)
        case map([Int: Int64])
    }

    let source: Source
    /// The ids it covers (for the table sources; a map covers its keys).
    let nodes: [Int]

    /// hnswlib labels (bits as Int64) of `nodes`.
    init(hnswlibLabels table: [UInt64], nodes: [Int]) {
        source = .hnswlib(table)
        self.nodes = nodes.filter { $0 >= 0 && $0 < table.count }
    }

    /// An IDMap's ids of `nodes`.
    init(idMap: MappedArray<Int64>, nodes: [Int]) {
        source = .idMap(idMap)
        self.nodes = nodes.filter { $0 >= 0 && $0 < idMap.count }
    }

    public init(_ map: [Int: Int64]) {
        source = .map(map)
        nodes = []
    }

    /// The label of internal id `node`, nil when the trace does not cover it.
    public subscript(node: Int) -> Int64? {
        switch source {
        case .map(let map): return map[node]
        case .hnswlib(let table): return node >= 0 && node < table.count ? Int64(bitPattern: table[node]) : nil
        case .idMap(let ids): return node >= 0 && node < ids.count ? ids[node] : nil
        }
    }

    /// Every covered id and its label.
    public var dictionary: [Int: Int64] {
        if case .map(let map) = source { return map }
        var map: [Int: Int64] = [:]
        map.reserveCapacity(nodes.count)
        for node in nodes { map[node] = self[node] }
        return map
    }

    public static func == (a: NodeLabels, b: NodeLabels) -> Bool { a.dictionary == b.dictionary }

    public init(from decoder: Decoder) throws { self.init(try [Int: Int64](from: decoder)) }

    public func encode(to encoder: Encoder) throws { try dictionary.encode(to: encoder) }
}
