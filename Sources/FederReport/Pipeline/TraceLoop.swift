import Dispatch
import FederIndex
import FederSearch

/// The one parallel trace loop: every query traced across cores, each measured against its exact top-k, in
/// query order. `trace`, `view` and job specs (sides and sweep points) all run their searches through it.
public enum TraceLoop {
    /// How much of each trace to keep.
    public enum Detail: Sendable {
        /// Everything (the views draw it).
        case full
        /// Results, counts and measures; the step-by-step parts are dropped (summaries and sweeps).
        case summary
    }

    /// Exact top-k of every query (blocked across queries and cores); nil when the index keeps no vectors to
    /// search exactly (codes only: PQ, SQ, fast scan).
    /// With `base` (the vectors that were added), the truth is exact search over them, whatever the index keeps.
    public static func exact(index: IndexFile, queries: [[Float]], k: Int, base: BaseVectors? = nil) throws -> [[Neighbor]]? {
        try exact(index: index, queries: queries, ks: [k], base: base)?.first
    }

    /// The exact top-k for every k of `ks` from one pass (element i answers `ks[i]`).
    public static func exact(index: IndexFile, queries: [[Float]], ks: [Int], base: BaseVectors? = nil) throws -> [[[Neighbor]]]? {
        if let base {
            return try BlockedExact.neighbors(in: base.table, labels: base.labels, metric: index.metric, queries: queries, ks: ks)
        }
        guard index.model.storesVectors else { return nil }
        return try BlockedExact.neighbors(index, queries: queries, ks: ks)
    }

    /// Each query's neighbours from a ground-truth file, one row per query, with the library kernel's distance
    /// where the index stores the vector (else the file's distance, or NaN).
    /// - Throws: `FederIndexError` for an unreadable file or a row count that is not the query count.
    public static func truth(file: String, index: IndexFile, queries: [ResolvedQuery]) throws -> [[Neighbor]] {
        try truth(file: file, queries: queries) { ids in try BlockedExact.distances(index, queries: queries.map(\.vector), labels: ids) }
    }

    /// A ground-truth file's rows for `queries`, each neighbour with the distance `distances` computes for it (given
    /// the rows' ids, nil where no stored vector has the label), else the file's own distance, else NaN.
    static func truth(
        file: String, queries: [ResolvedQuery], distances: ([[Int64]]) throws -> [[Float?]]
    ) throws -> [[Neighbor]] {
        let given = try GroundTruthFile.read(path: file)
        // Row i answers query row i of the query file (so `--row R` takes row R); other queries go in order.
        let rows = queries.enumerated().map { position, query in query.row ?? position }
        let fileRows = queries.compactMap(\.row).isEmpty ? queries.count : given.ids.count
        guard given.ids.count == fileRows, rows.allSatisfy({ $0 < given.ids.count }) else {
            throw FederIndexError.invalid(
                path: file, format: "ground truth", field: "rows", offset: 0,
                detail: "\(given.ids.count) rows, but the queries have \(fileRows) (one row per query, in order)")
        }
        let ids = rows.map { given.ids[$0] }
        let computed = try distances(ids)
        return zip(rows, ids).enumerated().map { position, pair in
            pair.1.enumerated().map { slot, id in
                Neighbor(id: id, distance: computed[position][slot] ?? given.distances?[pair.0][slot] ?? .nan, internalID: -1)
            }
        }
    }

    /// Traces every query across cores, in order.
    /// - Parameters:
    ///   - exact: each query's exact top-k (from `exact`), or nil to skip measuring.
    ///   - exactFromBase: whether `exact` came from the vectors given (`--vectors`), in the space before any
    ///     pre-transform.
    ///   - context: what explaining this index's queries shares (one per index for a whole job), made here when nil.
    ///   - truthFromFile: whether `exact` came from a ground-truth file (its ids as given).
    ///   - explain: whether to say why each exact neighbour was missed (sweep points do not show it).
    ///   - detail: what to keep of trace `i`.
    /// - Returns: each trace and the warnings its search raised.
    /// - Throws: the first query's error (`FederSearchError`), in query order.
    public static func run(
        index: IndexFile, queries: [ResolvedQuery], request: SearchRequest, exact: [[Neighbor]]?, exactFromBase: Bool = false,
        explain: Bool = true, truthFromFile: Bool = false, context shared: Explanations.Context? = nil,
        detail: @Sendable (Int) -> Detail = { _ in .full }
    ) throws -> [(trace: SearchTrace, warnings: [String])] {
        let largerIsBetter = index.model.distance.largerIsBetter
        let slots = DisjointBuffer<Result<(trace: SearchTrace, warnings: [String]), any Error>?>(repeating: nil, count: queries.count)
        // Where each label is stored and what layer 0 reaches, once for every query (a walk of the index per
        // miss would be O(n) each).
        let context = explain && exact != nil ? shared ?? Explanations.Context(index) : nil
        DispatchQueue.concurrentPerform(iterations: queries.count) { position in
            let query = queries[position]
            slots[position] = Result {
                // A trace slimmed to its summary and explained by nothing needs no step-by-step record.
                var request = request
                if detail(position) == .summary, exact == nil || !explain { request.recordSteps = false }
                var (trace, warnings) = try Searcher.trace(index, query: query.vector, request: request, source: query.source)
                if let exact {
                    measure(
                        &trace, exact: exact[position], k: request.k, largerIsBetter: largerIsBetter, exactFromBase: exactFromBase,
                        truthFromFile: truthFromFile)
                    // Why each exact neighbour was missed, read from the whole trace before it is slimmed.
                    if explain {
                        let explained = Explanations.explain(
                            trace, index: index, exact: exact[position], k: request.k, context: context)
                        trace.measures?.misses = explained.misses
                        trace.measures?.needed = explained.needed
                        // HNSW: the ef this query needed, unless an exact neighbour cannot be reached at all.
                        if let effective = trace.parameters.ef, trace.hnsw != nil,
                            !explained.misses.contains(where: { $0.reason == .unreachable })
                        {
                            let ef = Explanations.neededEF(
                                index: index, query: query.vector, request: request,
                                truth: Set(exact[position].prefix(request.k).map(\.id)),
                                known: (effective, explained.misses.isEmpty), previous: trace)
                            trace.measures?.needed = Needed(nprobe: explained.needed?.nprobe, ef: ef)
                        }
                    }
                }
                if detail(position) == .summary { trace = slim(trace) }
                return (trace, warnings)
            }
        }
        return try slots.elements.map { slot in
            guard let slot else { throw FederSearchError.unsupported("a query produced no result") }
            return try slot.get()
        }
    }

    /// Recall and the rank of the true nearest against `exact`.
    static func measure(
        _ trace: inout SearchTrace, exact: [Neighbor], k: Int, largerIsBetter: Bool, exactFromBase: Bool, truthFromFile: Bool
    ) {
        // Distances compare with the truth's only when both are exact and in the same space. A ground-truth
        // file's ranking is taken as given: no result counts as found by tying it.
        let comparable = trace.resultDistancesAreExact && !(exactFromBase && trace.transform != nil) && !truthFromFile
        trace.measures = Measures.compare(
            results: trace.results, exact: exact, k: k, largerIsBetter: largerIsBetter, comparableDistances: comparable)
    }

    /// Every query at every request of a sweep (`requests`, one parameter changed), across cores, measured against
    /// `exact` and slimmed: `traces[r][q]` answers request r for query q. An hnswlib query descends the upper
    /// levels once and starts layer 0 from there at every ef.
    /// - Throws: the first query's error (`FederSearchError`), in query order.
    public static func sweep(
        index: IndexFile, queries: [ResolvedQuery], requests: [SearchRequest], exact: [[Neighbor]]?, exactFromBase: Bool = false,
        truthFromFile: Bool = false
    ) throws -> [[SearchTrace]] {
        let largerIsBetter = index.model.distance.largerIsBetter
        let slots = DisjointBuffer<Result<[SearchTrace], any Error>?>(repeating: nil, count: queries.count)
        DispatchQueue.concurrentPerform(iterations: queries.count) { position in
            let query = queries[position]
            slots[position] = Result {
                var first: SearchTrace?
                return try requests.map { request in
                    var (trace, _) = try Searcher.trace(index, query: query.vector, request: request, source: query.source, reusing: first)
                    if first == nil { first = trace }
                    if let exact {
                        measure(
                            &trace, exact: exact[position], k: request.k, largerIsBetter: largerIsBetter, exactFromBase: exactFromBase,
                            truthFromFile: truthFromFile)
                    }
                    return slim(trace)
                }
            }
        }
        let perQuery = try slots.elements.map { slot in
            guard let slot else { throw FederSearchError.unsupported("a query produced no result") }
            return try slot.get()
        }
        return requests.indices.map { which in perQuery.map { $0[which] } }
    }

    /// Keeps only what summaries read from a trace (the views draw the first query's full trace).
    static func slim(_ trace: SearchTrace) -> SearchTrace {
        var slim = trace
        slim.ivf?.scanned = []
        slim.scoredRows = nil
        if var hnsw = slim.hnsw {
            hnsw.level0.steps = []
            hnsw.upperLevels = hnsw.upperLevels.map { level in
                var kept = level
                kept.passes = []
                return kept
            }
            hnsw.visited = []
            slim.hnsw = hnsw
        }
        return slim
    }
}
