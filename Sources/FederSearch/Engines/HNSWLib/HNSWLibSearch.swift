import CFederKernels
import FederIndex

/// hnswlib `searchKnn` for one query (v0.8.0), traced.
///
/// Upper levels: from the entry point, repeat passes while one changes the current node; each pass reads the
/// current node's list once and moves to any strictly closer neighbour. Layer 0 (`searchBaseLayerST`,
/// ef = max(ef, k)): `candidate_set` holds (−d, id) and `top_candidates` (d, id), both `std::priority_queue`s
/// comparing distance only, whose tie order is libstdc++'s heap mechanics (`StdPriorityQueue`). Stop when the
/// best candidate is farther than lowerBound (with deleted elements: and top holds ef). Deleted elements are
/// traversed but never returned. The output is the k best, sorted by (distance, label).
public enum HNSWLibSearch {
    /// The upper-level descent of an earlier search of the same query on this index (see `HNSWDescent`).
    public typealias Descent = HNSWDescent

    /// - Parameter descent: the upper-level descent of an earlier search of the same query on this index (see
    ///   `Descent`); the trace is then the one a full search gives, without descending again.
    public static func trace(
        _ index: HNSWLibIndex, query rawQuery: [Float], k: Int, ef requestedEf: Int, descent: Descent? = nil, record: Bool = true
    ) -> SearchTrace {
        let space = index.space
        let query = space == .cosine ? HNSWLibDistances.normalized(rawQuery) : rawQuery
        let dim = index.dim

        return withQueryPointer(query) { q -> SearchTrace in
            var scorer = HNSWLibScorer(index: index, query: q, dim: dim, innerProduct: space != .l2)
            return search(
                index, scorer: &scorer, k: k, ef: requestedEf, kind: .hnswlib, distance: index.distanceConvention, descent: descent,
                record: record)
        }
    }

    /// hnswlib's `searchKnn` over `index`'s graph with `scorer`'s distances (hnswlib's kernels, or an engine built on
    /// hnswlib's graph with kernels of its own, such as Voyager).
    static func search<Scorer: GraphScorer>(
        _ index: HNSWLibIndex, scorer: inout Scorer, k: Int, ef requestedEf: Int, kind: TraceKind, distance convention: DistanceConvention,
        descent: Descent?, record: Bool
    ) -> SearchTrace {
        let parameters = SearchParameters(k: k, ef: requestedEf)
        let space = index.space
        guard index.count > 0, index.entryPoint >= 0 else {
            var trace = SearchTrace(
                kind: kind, metric: space.name, parameters: parameters, results: [],
                counts: SearchCounts(distanceComputations: 0, visited: 0), distance: convention, labels: .unsigned)
            trace.hnsw = HNSWTrace(
                entryPoint: -1, entryDistance: 0, upperLevels: [],
                level0: HNSWTrace.Level0(entry: -1, ef: max(requestedEf, k), steps: [], stopReason: .emptyIndex, visitedCount: 0),
                visited: [])
            return trace
        }
        let ef = max(requestedEf, k)
        let bareBone = index.deletedCount == 0
        return VisitedPool.shared.withTable(count: index.count) { marks in
            do {
                @inline(__always) func distance(_ node: Int) -> Float { scorer.distance(node) }
                // Marks: 1 visited on layer 0, 2 distance computed on some level.
                // Unrecorded (only the answer and the counts are read): the nodes computed are counted, not listed,
                // and the upper levels keep their paths, not every edge scored.
                var computedList: [Int] = []
                var computedCount = 0
                if record { computedList.reserveCapacity(ef * 16) }
                @inline(__always) func computed(_ node: Int) {
                    computedCount += 1
                    if record { computedList.append(node) }
                }
                var distanceComputations = 0
                var hops = 0

                // Per list read: each slot's marks before (layer 0).
                var previousMarks = [UInt8](repeating: 0, count: max(index.maxM0, 1))

                var current: Int
                var currentDistance: Float
                let entryDistance: Float
                var upper: [HNSWTrace.UpperLevel] = []
                var level = index.maxLevel
                if let descent {
                    // The same descent, taken over: its nodes marked as computed, its counts carried.
                    current = descent.entry
                    currentDistance = descent.exitDistance
                    entryDistance = descent.entryDistance
                    upper = descent.upper
                    distanceComputations = descent.distanceComputations
                    hops = descent.hops
                    for node in descent.computed where !marks.testAndSet(node, mark: 2) { computed(node) }
                    level = 0
                } else {
                    current = index.entryPoint
                    currentDistance = distance(current)
                    distanceComputations += 1
                    if !marks.testAndSet(current, mark: 2) { computed(current) }
                    entryDistance = currentDistance
                }
                while level > 0 {
                    var passes: [[HNSWTrace.Edge]] = []
                    var path = [current]
                    var changed = true
                    while changed {
                        changed = false
                        let start = current
                        let list = index.linkList(of: start, level: level)
                        hops += 1
                        var edges: [HNSWTrace.Edge] = []
                        if record { edges.reserveCapacity(list.count) }
                        // The pass scores every neighbour whatever it finds, so they are scored together first.
                        scorer.removeAll()
                        for slot in 0..<list.count {
                            scorer.append(Int(list.ids.loadUnaligned(fromByteOffset: slot * 4, as: UInt32.self)))
                        }
                        scorer.score()
                        for slot in 0..<list.count {
                            let node = Int(list.ids.loadUnaligned(fromByteOffset: slot * 4, as: UInt32.self))
                            let d = scorer.scored(slot)
                            distanceComputations += 1
                            if !marks.testAndSet(node, mark: 2) { computed(node) }
                            if record { edges.append(HNSWTrace.Edge(from: start, to: node, distance: d)) }
                            if d < currentDistance {
                                currentDistance = d
                                current = node
                                changed = true
                                path.append(node)
                            }
                        }
                        if record { passes.append(edges) }
                    }
                    upper.append(HNSWTrace.UpperLevel(level: level, passes: passes, path: path, exitDistance: currentDistance))
                    level -= 1
                }

                // Layer 0: searchBaseLayerST.
                var top = StdPriorityQueue(reservingCapacity: ef + 1)
                var candidates = StdPriorityQueue(reservingCapacity: ef * 4)
                var visitedCount = 0
                var lowerBound: Float
                let entry = current
                if bareBone || !index.isDeleted(entry) {
                    let d = distance(entry)
                    distanceComputations += 1
                    lowerBound = d
                    top.push(d, UInt32(entry))
                    candidates.push(-d, UInt32(entry))
                } else {
                    lowerBound = .greatestFiniteMagnitude
                    candidates.push(-lowerBound, UInt32(entry))
                }
                _ = marks.testAndSet(entry, mark: 1)
                visitedCount += 1

                var steps: [HNSWTrace.Step] = []
                var stopReason = HNSWTrace.StopReason.candidatesExhausted
                while !candidates.isEmpty {
                    let (negated, rawNode) = candidates.top
                    let candidateDistance = -negated
                    let node = Int(rawNode)
                    let stop =
                        bareBone
                        ? candidateDistance > lowerBound : candidateDistance > lowerBound && top.count == ef
                    if stop {
                        if record {
                            steps.append(
                                HNSWTrace.Step(
                                    node: node, distance: candidateDistance, bound: lowerBound, resultSize: top.count,
                                    expanded: false, neighbors: []))
                        }
                        stopReason = .candidateWorseThanBound
                        break
                    }
                    let bound = lowerBound
                    let resultSize = top.count
                    candidates.pop()
                    hops += 1
                    let list = index.linkList(of: node, level: 0)
                    var events: [HNSWTrace.NeighborEvent] = []
                    if record { events.reserveCapacity(list.count) }
                    // Marks first (both at once: a node visited on layer 0 has had its distance computed), then
                    // the unvisited neighbours' distances several at a time, then each neighbour in list order as
                    // hnswlib takes them. Distances do not depend on the queues, so the order is the library's.
                    scorer.removeAll()
                    for slot in 0..<list.count {
                        let neighbor = Int(list.ids.loadUnaligned(fromByteOffset: slot * 4, as: UInt32.self))
                        let before = marks.setMarks(neighbor, 3)
                        previousMarks[slot] = UInt8(before)
                        if before & 1 == 0 { scorer.append(neighbor) }
                    }
                    scorer.score()
                    var next = 0
                    for slot in 0..<list.count {
                        let neighbor = Int(list.ids.loadUnaligned(fromByteOffset: slot * 4, as: UInt32.self))
                        let before = UInt32(previousMarks[slot])
                        if before & 1 != 0 {
                            if record { events.append(HNSWTrace.NeighborEvent(id: neighbor, distance: nil, outcome: .visited)) }
                            continue
                        }
                        visitedCount += 1
                        let d = scorer.scored(next)
                        next += 1
                        distanceComputations += 1
                        if before & 2 == 0 { computed(neighbor) }
                        if top.count < ef || lowerBound > d {
                            candidates.push(-d, UInt32(neighbor))
                            var entered = false
                            var evicted: Int?
                            if bareBone || !index.isDeleted(neighbor) {
                                top.push(d, UInt32(neighbor))
                                entered = true
                            }
                            while top.count > ef {
                                let removed = top.pop()
                                evicted = Int(removed.id)
                            }
                            if !top.isEmpty { lowerBound = top.top.key }
                            if evicted == neighbor { entered = false }
                            if record {
                                events.append(
                                    HNSWTrace.NeighborEvent(
                                        id: neighbor, distance: d, outcome: .admitted, enteredResults: entered, evicted: evicted))
                            }
                        } else if record {
                            events.append(HNSWTrace.NeighborEvent(id: neighbor, distance: d, outcome: .rejected))
                        }
                    }
                    if record {
                        steps.append(
                            HNSWTrace.Step(
                                node: node, distance: candidateDistance, bound: bound, resultSize: resultSize, expanded: true,
                                neighbors: events))
                    }
                }

                while top.count > k { top.pop() }
                // searchKnn moves the survivors into a priority_queue of (distance, label) pairs; knn_query pops
                // it from the back of its row to the front. The same heap moves place NaN distances as it does.
                var result = StdPairQueue()
                // Each label's internal ids in the order they were popped (a label stored twice has two), the last
                // one taken first. Up to 64 results a list searched from the back; more, a dictionary of lists.
                var popped: [(label: UInt64, id: Int, taken: Bool)] = []
                popped.reserveCapacity(top.count)
                while !top.isEmpty {
                    let (d, id) = top.pop()
                    let label = index.label(Int(id))
                    result.push(d, label)
                    popped.append((label, Int(id), false))
                }
                var byLabel: [UInt64: [Int]] = [:]
                if popped.count > 64 { for (label, id, _) in popped { byLabel[label, default: []].append(id) } }
                var results = [Neighbor](repeating: Neighbor(id: -1, distance: 0, internalID: -1), count: result.count)
                for position in stride(from: result.count - 1, through: 0, by: -1) {
                    let (d, label) = result.pop()
                    var internalID = -1
                    if popped.count > 64 {
                        internalID = byLabel[label]?.popLast() ?? -1
                    } else if let last = popped.lastIndex(where: { !$0.taken && $0.label == label }) {
                        internalID = popped[last].id
                        popped[last].taken = true
                    }
                    results[position] = Neighbor(id: Int64(bitPattern: label), distance: d, internalID: internalID)
                }

                var counts = SearchCounts(distanceComputations: distanceComputations, visited: computedCount)
                counts.hops = hops
                counts.visitedLevel0 = visitedCount
                var trace = SearchTrace(
                    kind: kind, metric: space.name, parameters: parameters, results: results, counts: counts,
                    hnsw: HNSWTrace(
                        entryPoint: index.entryPoint, entryDistance: entryDistance, upperLevels: upper,
                        level0: HNSWTrace.Level0(
                            entry: entry, ef: ef, steps: steps, stopReason: stopReason, visitedCount: visitedCount),
                        visited: computedList), distance: convention, labels: .unsigned)
                trace.nodeLabels = labels(of: computedList, in: index)
                return trace
            }
        }
    }

    /// Internal id → label for `nodes`, or nil when every label equals its internal id.
    static func labels(of nodes: [Int], in index: HNSWLibIndex) -> NodeLabels? {
        index.labelTable.map { NodeLabels(hnswlibLabels: $0, nodes: nodes) }
    }
}

/// The distances a graph search computes: one node at a time, or the nodes of one neighbour list gathered and
/// scored together (which computes the same bits; it only lets a kernel work on several vectors at once).
protocol GraphScorer {
    /// The distance from the query to `node`.
    func distance(_ node: Int) -> Float
    /// Forgets the gathered nodes.
    mutating func removeAll()
    /// Gathers `node` for the next `score`.
    mutating func append(_ node: Int)
    /// Scores every gathered node.
    mutating func score()
    /// The distance of the `position`-th node gathered, after `score`.
    func scored(_ position: Int) -> Float
}

/// hnswlib's kernels (the selected build's L2Sqr or inner product), the vectors of a list scored together.
struct HNSWLibScorer: GraphScorer {
    let index: HNSWLibIndex
    let query: UnsafeRawPointer
    let dim: Int
    let innerProduct: Bool
    let kernel: DistanceFunction
    var batch: DistanceBatch

    init(index: HNSWLibIndex, query: UnsafeRawPointer, dim: Int, innerProduct: Bool) {
        (self.index, self.query, self.dim, self.innerProduct) = (index, query, dim, innerProduct)
        kernel = DistanceFunction.hnswlib(innerProduct: innerProduct, dim: dim)
        batch = DistanceBatch(capacity: max(index.maxM0, index.maxM))
    }

    @inline(__always)
    func distance(_ node: Int) -> Float {
        let value = kernel(query, index.vectorPointer(node), dim: dim)
        return innerProduct ? 1 - value : value
    }

    @inline(__always)
    mutating func removeAll() { batch.removeAll() }

    @inline(__always)
    mutating func append(_ node: Int) {
        let vector = index.vectorPointer(node)
        feder_prefetch(vector, 2)
        batch.append(vector)
    }

    @inline(__always)
    mutating func score() { batch.score(hnswlibInnerProduct: innerProduct, query: query, dim: dim) }

    @inline(__always)
    func scored(_ position: Int) -> Float { batch.distances[position] }
}
