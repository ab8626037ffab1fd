import FederIndex
import Synchronization

/// An exact top-k neighbour the search did not return, and why.
public struct Miss: Codable, Equatable, Sendable {
    public enum Reason: String, Codable, Sendable {
        /// IVF: its list was not among the probed ones (`list`, `listRank`: nprobe ≥ listRank would scan it).
        case unprobedList = "unprobed-list"
        /// Scanned, but its distance from the code ranked it out (`approximateDistance` beside the true one).
        case quantization
        /// Scanned after a lossy pre-transform (PCA, dimension remap …) whose distance ranked it out.
        case transform
        /// Refine: the base index scored it, but not well enough for the k·k_factor shortlist.
        case refineShortlist = "refine-shortlist"
        /// HNSW: no layer-0 path from where this search entered layer 0, so no ef finds it.
        case unreachable
        /// HNSW: reachable, but the search stopped first (`hops`: its graph distance from the visited set).
        case notReached = "not-reached"
        /// HNSW: reachable only through nodes marked deleted (`hops` as for not-reached).
        case deletedPath = "deleted-path"
        /// Scored with the same distance as the k-th result: the library kept another id among equals.
        case tie
        /// HNSW: scored on layer 0 but dropped from the bounded result set.
        case notKept = "not-kept"
        /// A database scan: its candidates were used up by rows a filter rejected (or dead rows) before k rows
        /// passed, and the scan ended (pgvector without an iterative scan).
        case filteredBeforeK = "filtered-before-k"
        /// A database scan: an iterative scan stopped at its budget (`hnsw.max_scan_tuples`) before k rows passed.
        case scanBudget = "scan-budget"
    }

    /// The neighbour's label.
    public var id: Int64
    /// 1-based rank in the exact top-k.
    public var exactRank: Int
    /// Its exact distance (the truth's convention).
    public var distance: Float
    public var reason: Reason
    /// IVF: the list holding it, and that list's 1-based rank in the coarse order.
    public var list: Int?
    public var listRank: Int?
    /// The distance the search computed for it, when that was not the exact one (codes, a transform).
    public var approximateDistance: Float?
    /// HNSW: layer-0 links between it and the nearest node whose distance the search computed.
    public var hops: Int?
    /// HNSW: the graph node (storage row) holding it, for views that place nodes.
    public var node: Int?

    public init(id: Int64, exactRank: Int, distance: Float, reason: Reason) {
        self.id = id
        self.exactRank = exactRank
        self.distance = distance
        self.reason = reason
    }
}

extension Miss.Reason {
    /// The reason in a few words — the one wording the text output, the report's tables and notes, and the views'
    /// summaries all use (details such as the list or the hop count follow it).
    public var label: String {
        switch self {
        case .unprobedList: return "list not probed"
        case .quantization: return "ranked out by the codes"
        case .transform: return "ranked out after the transform"
        case .refineShortlist: return "not in the refine shortlist"
        case .unreachable: return "unreachable in the graph"
        case .deletedPath: return "only via deleted nodes"
        case .notReached: return "reachable, not reached"
        case .notKept: return "scored, not kept"
        case .tie: return "tie with the k-th result"
        case .filteredBeforeK: return "candidates used up by rows the filter rejected"
        case .scanBudget: return "iterative scan stopped at max_scan_tuples"
        }
    }

    /// The order tables list reasons in: the structures' own reasons (IVF, codes, refine, graph), then ties.
    public static let tableOrder: [Miss.Reason] = [
        .unprobedList, .quantization, .transform, .refineShortlist, .unreachable, .deletedPath, .notReached, .notKept,
        .filteredBeforeK, .scanBudget, .tie,
    ]
}

/// The smallest parameter at which this query's search would have found every exact top-k neighbour.
public struct Needed: Codable, Equatable, Sendable {
    /// IVF: the smallest nprobe whose probed lists hold every exact top-k neighbour (the largest of their
    /// lists' coarse ranks); nil where the coarse order beyond nprobe is not known (an HNSW quantizer).
    public var nprobe: Int?
    /// HNSW: the smallest ef ≥ k at which the library's search returns every exact top-k neighbour; nil when one
    /// is unreachable from where the search enters layer 0, or none up to `Explanations.efCap` does.
    public var ef: Int?

    public init(nprobe: Int? = nil, ef: Int? = nil) {
        self.nprobe = nprobe
        self.ef = ef
    }
}

/// Why each exact neighbour was missed, from the trace and the index's own structure.
public enum Explanations {
    /// The largest ef `neededEF` tries.
    public static let efCap = 1024

    /// The smallest ef ≥ k at which `index`'s HNSW search for `query` returns every label of `truth`: searches at
    /// doubling ef from the one already run (`known`, whether it found them all) up to `efCap`, then bisects
    /// between the last ef that missed and the first that found them. The bisection takes a larger ef never to
    /// lose a neighbour a smaller one found; nil when no ef up to the cap finds them all.
    public static func neededEF(
        index: IndexFile, query: [Float], request: SearchRequest, truth: Set<Int64>, known: (ef: Int, foundAll: Bool),
        previous: SearchTrace? = nil
    ) -> Int? {
        let k = request.k
        let cap = max(k, min(efCap, index.count))
        func findsAll(_ ef: Int) -> Bool {
            var asked = request
            asked.ef = ef
            // Only the answer is read: no steps recorded.
            asked.recordSteps = false
            guard let trace = try? Searcher.trace(index, query: query, request: asked, reusing: previous).trace else { return false }
            return truth.isSubset(of: Set(trace.results.map(\.id)))
        }
        var missed = k - 1  // below k the libraries search with k
        var found: Int
        if known.foundAll {
            found = max(known.ef, k)
        } else {
            missed = max(missed, known.ef)
            var ef = max(2 * known.ef, k)
            while true {
                let tried = min(ef, cap)
                if findsAll(tried) {
                    found = tried
                    break
                }
                missed = tried
                if tried == cap { return nil }
                ef *= 2
            }
        }
        while found - missed > 1 {
            let middle = (found + missed) / 2
            if findsAll(middle) { found = middle } else { missed = middle }
        }
        return found
    }

    /// The misses of `trace` (its results against `exact`, the first k), each with its reason, in exact-rank order,
    /// and the parameter the query needed. `trace` must be whole (not slimmed): the reasons read its scanned
    /// vectors and layer-0 steps. `context` (one per index, shared by its queries) holds where each label is stored
    /// and the graph's reachability; without it one is made for this call.
    public static func explain(
        _ trace: SearchTrace, index: IndexFile, exact: [Neighbor], k: Int, context shared: Context? = nil
    ) -> (misses: [Miss], needed: Needed?) {
        let truth = Array(exact.prefix(k))
        let returned = Set(trace.results.filter { $0.internalID >= 0 || $0.id != -1 }.map(\.id))
        var misses: [Miss] = []
        for (position, neighbor) in truth.enumerated() where !returned.contains(neighbor.id) {
            misses.append(Miss(id: neighbor.id, exactRank: position + 1, distance: neighbor.distance, reason: .tie))
        }
        var needed: Needed?
        guard !misses.isEmpty || trace.ivf != nil || trace.refine != nil else { return (misses, nil) }
        let shared = shared ?? Context(index)
        switch index {
        case .faiss(let faiss):
            let context = FaissContext(index: faiss)
            needed = explainFaiss(trace, context: context, shared: shared, truth: truth, misses: &misses)
        case .hnswlib(let hnswlib):
            explainHNSW(trace, graph: hnswlib.layeredGraph(), shared: shared, misses: &misses)
        case .engine(let engine):
            if let graph = engine.layeredGraph, trace.hnsw != nil {
                explainHNSW(trace, graph: graph, shared: shared, misses: &misses)
            } else if let traced = engine as? any TracedEngineIndex {
                needed = traced.explain(trace, truth: truth, misses: &misses)
            }
            explainExecutor(trace, k: k, misses: &misses)
        }
        return (misses, needed)
    }

    /// A database scan that ended with fewer than k rows: a miss the structure could have found (scored, or reachable
    /// and not reached) was lost to rows the filter rejected, or to the iterative scan's budget.
    static func explainExecutor(_ trace: SearchTrace, k: Int, misses: inout [Miss]) {
        guard let executor = trace.executor, executor.returned < k else { return }
        let budget = executor.stop.hasPrefix("max_scan_tuples")
        guard budget || executor.filtered > 0 || executor.dead > 0 else { return }
        for position in misses.indices where [.notKept, .notReached, .tie].contains(misses[position].reason) {
            misses[position].reason = budget ? .scanBudget : .filteredBeforeK
        }
    }

    /// What explaining the queries of one index shares: where each label is stored, and the graph's layer-0
    /// reachability (each worked out on first need, once).
    public final class Context: Sendable {
        let index: IndexFile
        private let labelPositions = Mutex<LabelPositions?>(nil)
        private let reachability = Mutex<LayerZeroReach?>(nil)

        /// Nothing is worked out until a query needs it.
        public init(_ index: IndexFile) { self.index = index }

        /// Where each label is stored (built on first use).
        public var positions: LabelPositions {
            labelPositions.withLock { built in
                if let built { return built }
                let made = LabelPositions.of(index)
                built = made
                return made
            }
        }

        func reach(_ graph: LayeredGraph) -> LayerZeroReach {
            reachability.withLock { built in
                if let built { return built }
                let made = LayerZeroReach(graph)
                built = made
                return made
            }
        }
    }

    /// What the faiss search path looked like around the traced search: the IVF inside, the HNSW graph, the
    /// IDMap's labels.
    struct FaissContext {
        var ivf: FaissIVFIndex?
        var hnsw: FaissHNSWIndex?
        var labels: MappedArray<Int64>?

        init(index: FaissIndex) {
            var current: FaissIndex? = index
            while let node = current {
                switch node {
                case .idMap(let map):
                    labels = map.ids
                    current = map.inner
                case .preTransform(let pre): current = pre.inner
                case .refine(let refine): current = refine.base
                case .ivf(let ivf):
                    self.ivf = ivf
                    current = nil
                case .hnsw(let hnsw):
                    self.hnsw = hnsw
                    current = nil
                default: current = nil
                }
            }
        }

        /// The label of internal id (storage row) `id`.
        func label(_ id: Int64) -> Int64 {
            guard let labels, id >= 0, id < Int64(labels.count) else { return id }
            return labels[Int(id)]
        }
    }

    static func explainFaiss(
        _ trace: SearchTrace, context: FaissContext, shared: Context, truth: [Neighbor], misses: inout [Miss]
    ) -> Needed? {
        let positions = shared.positions
        // Refine: what the base's shortlist missed is explained by the base's own search; what it held and the
        // re-scoring dropped is a tie (flat re-scoring) or the refine codes' approximation.
        if let refine = trace.refine {
            let shortlist = Set(refine.base.results.map(\.id))
            var inner = misses.filter { !shortlist.contains($0.id) }
            let needed = explainFaiss(refine.base, context: context, shared: shared, truth: truth, misses: &inner)
            let innerByID = Dictionary(inner.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            for position in misses.indices {
                if var explained = innerByID[misses[position].id] {
                    // Scored by the base but ranked out of the shortlist.
                    if [.quantization, .tie, .transform].contains(explained.reason) { explained.reason = .refineShortlist }
                    misses[position] = explained
                } else if refine.refineIndex != "flat" {
                    misses[position].reason = .quantization
                    if let slot = refine.base.results.firstIndex(where: { $0.id == misses[position].id }),
                        slot < refine.refined.count
                    {
                        misses[position].approximateDistance = refine.refined[slot]
                    }
                }
            }
            return needed
        }
        let lossy = trace.codes != nil ? Miss.Reason.quantization : trace.transform != nil ? .transform : .tie
        if let ivfTrace = trace.ivf, let ivf = context.ivf {
            return explainIVF(ivfTrace, ivf: ivf, context: context, positions: positions, truth: truth, lossy: lossy, misses: &misses)
        }
        if trace.hnsw != nil, let hnsw = context.hnsw {
            explainHNSW(
                trace,
                graph: hnsw.graph.layeredGraph(count: hnsw.header.count, dim: hnsw.header.dim, engine: "faiss", labels: context.labels),
                shared: shared,
                misses: &misses)
            for position in misses.indices where misses[position].reason == .notKept && lossy != .tie {
                misses[position].reason = lossy
            }
            return nil
        }
        // An exhaustive scan: every vector was scored; what the codes or the transform did ranked it out.
        if let scored = trace.scoredRows, positions.unit == .row {
            for position in misses.indices {
                misses[position].reason = lossy
                if let row = positions.position(of: misses[position].id), row < scored.count, lossy != .tie {
                    misses[position].approximateDistance = scored[row]
                }
            }
        } else {
            for position in misses.indices { misses[position].reason = lossy }
        }
        return nil
    }

    /// Every list in the coarse order: the probed lists as the search ranked them, then every other list by its
    /// centroid distance in the quantizer's order (ties by list number); nil where the trace does not hold every
    /// centroid distance (an HNSW quantizer ranks only nprobe lists).
    public static func coarseOrder(_ ivfTrace: IVFTrace, nlist: Int, descending: Bool) -> [Int]? {
        guard ivfTrace.coarseHNSW == nil, ivfTrace.centroidDistances.count == nlist else { return nil }
        let probed = ivfTrace.probes.map(\.list)
        let seen = Set(probed)
        let rest = (0..<nlist).filter { !seen.contains($0) }.sorted { a, b in
            let (x, y) = (ivfTrace.centroidDistances[a], ivfTrace.centroidDistances[b])
            if x != y { return descending ? x > y : x < y }
            return a < b
        }
        return probed + rest
    }

    /// The coarse rank (1-based) of each of `lists` in `coarseOrder`, counted without sorting every list: a list
    /// not probed comes after the probed ones and after every other list with a better centroid distance (or an
    /// equal one and a lower number). nil where `coarseOrder` is nil.
    public static func coarseRanks(_ ivfTrace: IVFTrace, nlist: Int, descending: Bool, lists: Set<Int>) -> [Int: Int]? {
        guard ivfTrace.coarseHNSW == nil, ivfTrace.centroidDistances.count == nlist else { return nil }
        let distances = ivfTrace.centroidDistances
        // A NaN distance has no place but the one the sort gives it.
        if distances.contains(where: \.isNaN) {
            guard let order = coarseOrder(ivfTrace, nlist: nlist, descending: descending) else { return nil }
            var ranks: [Int: Int] = [:]
            for (position, list) in order.enumerated() where lists.contains(list) { ranks[list] = position + 1 }
            return ranks
        }
        var ranks: [Int: Int] = [:]
        var probed = [Bool](repeating: false, count: nlist)
        for (position, probe) in ivfTrace.probes.enumerated() where probe.list >= 0 && probe.list < nlist {
            probed[probe.list] = true
            if lists.contains(probe.list), ranks[probe.list] == nil { ranks[probe.list] = position + 1 }
        }
        let wanted = lists.filter { $0 >= 0 && $0 < nlist && !probed[$0] }.sorted()
        guard !wanted.isEmpty else { return ranks }
        var before = [Int](repeating: 0, count: wanted.count)
        distances.withUnsafeBufferPointer { d in
            for j in 0..<nlist where !probed[j] {
                let x = d[j]
                for (slot, list) in wanted.enumerated() {
                    let y = d[list]
                    if descending ? x > y : x < y { before[slot] += 1 } else if x == y && j < list { before[slot] += 1 }
                }
            }
        }
        for (slot, list) in wanted.enumerated() { ranks[list] = ivfTrace.probes.count + before[slot] + 1 }
        return ranks
    }

    /// `coarseOrder` of a faiss IVF index's search (its quantizer ranks larger first for inner product).
    public static func coarseOrder(_ ivfTrace: IVFTrace, of ivf: FaissIVFIndex) -> [Int]? {
        coarseOrder(ivfTrace, nlist: ivf.nlist, descending: ivf.quantizer.header.metric == .innerProduct)
    }

    /// `coarseRanks` of a faiss IVF index's search.
    public static func coarseRanks(_ ivfTrace: IVFTrace, of ivf: FaissIVFIndex, lists: Set<Int>) -> [Int: Int]? {
        coarseRanks(ivfTrace, nlist: ivf.nlist, descending: ivf.quantizer.header.metric == .innerProduct, lists: lists)
    }

    static func explainIVF(
        _ ivfTrace: IVFTrace, ivf: FaissIVFIndex, context: FaissContext, positions: LabelPositions, truth: [Neighbor],
        lossy: Miss.Reason, misses: inout [Miss]
    ) -> Needed? {
        // The coarse order: the probed lists as the search ranked them, then every other list by its centroid
        // distance in the quantizer's order (ties by list number). Unknown past nprobe for an HNSW quantizer.
        // Where every exact neighbour sits (labels through an IDMap).
        var location: [Int64: Int] = [:]
        if positions.unit == .list {
            for neighbor in truth { location[neighbor.id] = positions.position(of: neighbor.id) }
        }
        // The coarse rank of each of their lists.
        var listRank: [Int: Int] = [:]
        let counted = coarseRanks(ivfTrace, of: ivf, lists: Set(location.values))
        let fullOrder = counted != nil
        if let counted {
            listRank = counted
        } else {
            for (position, list) in ivfTrace.probes.map(\.list).enumerated() where listRank[list] == nil { listRank[list] = position + 1 }
        }
        // The distance the scan computed for each missed neighbour it reached (a pass over the scanned vectors,
        // keeping only those: a query scans tens of thousands).
        let missed = Set(misses.map(\.id))
        var scanned: [Int64: Float] = [:]
        for vector in ivfTrace.scanned {
            let label = context.label(vector.id)
            if missed.contains(label) { scanned[label] = vector.distance }
        }
        for position in misses.indices {
            let id = misses[position].id
            guard let list = location[id] else { continue }
            misses[position].list = list
            misses[position].listRank = listRank[list]
            if let approximate = scanned[id] {
                misses[position].reason = lossy
                if lossy != .tie { misses[position].approximateDistance = approximate }
            } else {
                misses[position].reason = .unprobedList
            }
        }
        guard fullOrder else { return Needed(nprobe: nil) }
        let ranks = truth.map { location[$0.id].flatMap { listRank[$0] } }
        guard !ranks.contains(where: { $0 == nil }) else { return Needed(nprobe: nil) }
        return Needed(nprobe: max(ranks.compactMap { $0 }.max() ?? 1, 1))
    }

    /// HNSW misses: scored on layer 0 but dropped, unreachable from where the search entered layer 0, reachable only
    /// through deleted nodes, or reachable but not reached (with the hop distance from the visited set).
    static func explainHNSW(_ trace: SearchTrace, graph: LayeredGraph, shared: Context, misses: inout [Miss]) {
        let positions = shared.positions
        guard let hnsw = trace.hnsw, !misses.isEmpty, positions.unit == .row else { return }
        var rows: [Int64: Int] = [:]
        for miss in misses { rows[miss.id] = positions.position(of: miss.id) }
        // Layer 0's scored nodes: the entry and every neighbour whose distance was computed.
        var scoredOnLayer0: [Int: Float] = [hnsw.level0.entry: hnsw.level0.steps.first?.distance ?? .nan]
        for step in hnsw.level0.steps {
            for event in step.neighbors where event.outcome != .visited {
                if let distance = event.distance { scoredOnLayer0[event.id] = distance }
            }
        }
        let unscored = misses.contains { miss in rows[miss.id].map { scoredOnLayer0[$0] == nil } ?? false }
        // Reachability of the graph, worked out once for every query of the index.
        let reach = unscored ? shared.reach(graph) : nil
        let sources = Set(hnsw.visited).union(scoredOnLayer0.keys)
        let entry = hnsw.level0.entry
        for position in misses.indices {
            guard let row = rows[misses[position].id] else { continue }
            misses[position].node = row
            if let approximate = scoredOnLayer0[row] {
                misses[position].reason = .notKept
                if approximate != misses[position].distance { misses[position].approximateDistance = approximate }
            } else if let reach, !reach.reaches(from: entry, to: row, throughDeleted: true) {
                misses[position].reason = .unreachable
            } else if let reach {
                misses[position].reason = reach.reaches(from: entry, to: row, throughDeleted: false) ? .notReached : .deletedPath
                misses[position].hops = reach.hops(from: sources, to: row, graph: graph)
            }
        }
    }
}
