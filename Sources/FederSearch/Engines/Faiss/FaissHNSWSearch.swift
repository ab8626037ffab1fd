import FederIndex

/// faiss `IndexHNSW::search` for one query (`HNSW::search` with the bounded queue), traced.
///
/// Upper levels: greedy from the entry point; each pass scans the current node's list (stopping at the first
/// −1) and moves to any strictly better neighbour, until a pass changes nothing. Layer 0: a `MinimaxHeap` of
/// ef = max(efSearch, k) candidates seeded with the descent's result; each step pops the best candidate,
/// stops when `count_below(d) ≥ efSearch`, and otherwise scores every unvisited neighbour, offers it to the
/// k-results and pushes it to the candidates. Inner product runs on raw similarities (faiss ≥ 1.14.3).
///
/// Counts equal `faiss.cvar.hnsw_stats`: ndis = neighbours scored on every level (the entry point's first
/// distance excluded), nhops = greedy passes + layer-0 expansions.
public enum FaissHNSWSearch {
    /// The upper-level descent of an earlier search of the same query on the same graph (see `HNSWDescent`).
    public typealias Descent = HNSWDescent

    /// - Parameter descent: an earlier search's upper-level descent of this query on this graph (see `Descent`).
    /// - Throws: for storage or metrics the tool does not trace.
    public static func trace(
        _ index: FaissHNSWIndex, query: [Float], k: Int, efSearch: Int, descent: Descent? = nil, record: Bool = true
    ) throws -> SearchTrace {
        let metric = index.storage.header.metric
        guard let kernel = FaissKernel(metric) else { throw FederSearchError.unsupportedMetric(metric, role: "index") }
        return try withQueryPointer(query) { q -> SearchTrace in
            var scorer = try HNSWStorageDistance(index, query: q, capacity: index.graph.maxListSize)
            return search(
                index.graph, metric: metric, distance: FaissIndex.distance(of: metric), order: kernel.order, scorer: &scorer, k: k,
                efSearch: efSearch, descent: descent, record: record)
        }
    }

    /// `HNSW::search` over `graph` with `scorer`'s distances (float vectors, codes, or binary codes' Hamming
    /// distances, which faiss's binary HNSW computes as floats).
    static func search(
        _ graph: FaissHNSWGraph, metric: Metric, distance convention: DistanceConvention, order: FaissResultHeap.Order,
        scorer: inout HNSWStorageDistance, k: Int, efSearch: Int, descent: Descent?, record: Bool
    ) -> SearchTrace {
        var results = FaissResultHeap(capacity: k, order: order)
        let ef = max(efSearch, k)
        let parameters = SearchParameters(k: k, ef: efSearch)
        let widest = graph.maxListSize
        do {
            let storedCount = scorer.storedCount
            guard graph.entryPoint >= 0, storedCount > 0 else {
                var trace = SearchTrace(
                    kind: .hnsw, metric: metric.name, parameters: parameters,
                    results: results.sortedResults().map { Neighbor(id: $0.id, distance: $0.distance, internalID: -1) },
                    counts: SearchCounts(distanceComputations: 0, visited: 0), distance: convention, labels: .signed)
                trace.codes = scorer.codesSummary
                return trace
            }
            @inline(__always) func better(_ a: Float, than b: Float) -> Bool {
                order == .keepSmallest ? a < b : a > b
            }
            return VisitedPool.shared.withTable(count: storedCount) { marks -> SearchTrace in
                // Marks: 1 visited on layer 0, 2 distance computed on some level.
                var computedList: [Int] = []
                computedList.reserveCapacity(ef * 16)
                // Per list read: each slot's marks before (layer 0).
                var previousMarks = [UInt8](repeating: 0, count: max(widest, 1))

                var nearest = graph.entryPoint
                var nearestDistance: Float
                let entryDistance: Float
                var ndis = 0
                var nhops = 0
                var upper: [HNSWTrace.UpperLevel] = []
                var level = graph.maxLevel
                if let descent, descent.entryPoint == graph.entryPoint, descent.upper.count == graph.maxLevel {
                    // The same descent, taken over: its computed nodes marked in the order it computed them.
                    for node in descent.computed where !marks.testAndSet(node, mark: 2) { computedList.append(node) }
                    (nearest, nearestDistance, entryDistance) = (descent.entry, descent.exitDistance, descent.entryDistance)
                    (ndis, nhops, upper) = (descent.distanceComputations, descent.hops, descent.upper)
                    level = 0
                } else {
                    nearestDistance = scorer.single(nearest)
                    if !marks.testAndSet(nearest, mark: 2) { computedList.append(nearest) }
                    entryDistance = nearestDistance
                }

                // Upper levels: greedy passes.
                while level >= 1 {
                    var passes: [[HNSWTrace.Edge]] = []
                    var path = [nearest]
                    while true {
                        let start = nearest
                        var edges: [HNSWTrace.Edge] = []
                        // Every neighbour of the pass is scored whatever it finds: together first.
                        scorer.removeAll()
                        for slot in graph.slotRange(node: start, level: level) {
                            let neighbor = Int(graph.neighbors[slot])
                            if neighbor < 0 { break }
                            scorer.append(neighbor)
                        }
                        scorer.score()
                        for (position, slot) in graph.slotRange(node: start, level: level).prefix(scorer.count).enumerated() {
                            let neighbor = Int(graph.neighbors[slot])
                            let d = scorer.distance(at: position)
                            if !marks.testAndSet(neighbor, mark: 2) { computedList.append(neighbor) }
                            ndis += 1
                            edges.append(HNSWTrace.Edge(from: start, to: neighbor, distance: d))
                            if better(d, than: nearestDistance) {
                                nearest = neighbor
                                nearestDistance = d
                                path.append(neighbor)
                            }
                        }
                        passes.append(edges)
                        nhops += 1
                        if nearest == start { break }
                    }
                    upper.append(HNSWTrace.UpperLevel(level: level, passes: passes, path: path, exitDistance: nearestDistance))
                    level -= 1
                }

                // Layer 0.
                var candidates = MinimaxHeap(capacity: ef, order: order)
                _ = candidates.push(Int32(nearest), nearestDistance)
                var visitedCount = 0
                results.offer(nearestDistance, id: Int64(nearest))
                _ = marks.testAndSet(nearest, mark: 1)
                visitedCount += 1

                var steps: [HNSWTrace.Step] = []
                var stopReason = HNSWTrace.StopReason.candidatesExhausted
                var expansions = 0
                var layer0Distances = 0
                while candidates.count > 0 {
                    guard let (popped, poppedDistance) = candidates.popMin() else { break }
                    let node = Int(popped)
                    let bound = results.threshold
                    let resultSize = results.filled
                    if candidates.countBelow(poppedDistance) >= efSearch {
                        if record {
                            steps.append(
                                HNSWTrace.Step(
                                    node: node, distance: poppedDistance, bound: bound, resultSize: resultSize, expanded: false,
                                    neighbors: []))
                        }
                        stopReason = .enoughBetterCandidates
                        break
                    }
                    var events: [HNSWTrace.NeighborEvent] = []
                    // Marks first (both at once: a node visited on layer 0 has had its distance computed), the
                    // unvisited neighbours scored together, then each neighbour in list order as faiss takes them.
                    let slots = graph.slotRange(node: node, level: 0)
                    scorer.removeAll()
                    var listed = 0
                    for slot in slots {
                        let neighbor = Int(graph.neighbors[slot])
                        if neighbor < 0 { break }
                        let before = marks.setMarks(neighbor, 3)
                        previousMarks[listed] = UInt8(before)
                        listed += 1
                        if before & 1 == 0 { scorer.append(neighbor) }
                    }
                    scorer.score()
                    var next = 0
                    for (position, slot) in slots.prefix(listed).enumerated() {
                        let neighbor = Int(graph.neighbors[slot])
                        let before = UInt32(previousMarks[position])
                        if before & 1 != 0 {
                            if record { events.append(HNSWTrace.NeighborEvent(id: neighbor, distance: nil, outcome: .visited)) }
                            continue
                        }
                        visitedCount += 1
                        let d = scorer.distance(at: next)
                        next += 1
                        if before & 2 == 0 { computedList.append(neighbor) }
                        layer0Distances += 1
                        var entered = false
                        var evicted: Int?
                        if results.admits(d) {
                            let top = results.top.id
                            results.replaceTop(d, id: Int64(neighbor))
                            entered = true
                            if top >= 0 { evicted = Int(top) }
                        }
                        let pushed = candidates.push(Int32(neighbor), d)
                        if record {
                            events.append(
                                HNSWTrace.NeighborEvent(
                                    id: neighbor, distance: d, outcome: pushed.accepted ? .admitted : .rejected,
                                    enteredResults: entered, evicted: evicted))
                        }
                    }
                    if record {
                        steps.append(
                            HNSWTrace.Step(
                                node: node, distance: poppedDistance, bound: bound, resultSize: resultSize, expanded: true,
                                neighbors: events))
                    }
                    expansions += 1
                }
                ndis += layer0Distances
                nhops += expansions

                var counts = SearchCounts(distanceComputations: ndis, visited: computedList.count)
                counts.hops = nhops
                counts.visitedLevel0 = visitedCount
                let neighbors = results.sortedResults().map {
                    Neighbor(id: $0.id, distance: $0.distance, internalID: Int($0.id))
                }
                let trace = HNSWTrace(
                    entryPoint: graph.entryPoint, entryDistance: entryDistance, upperLevels: upper,
                    level0: HNSWTrace.Level0(
                        entry: nearest, ef: ef, steps: steps, stopReason: stopReason, visitedCount: visitedCount),
                    visited: computedList)
                var searchTrace = SearchTrace(
                    kind: .hnsw, metric: metric.name, parameters: parameters, results: neighbors, counts: counts, hnsw: trace,
                    distance: convention, labels: .signed)
                searchTrace.codes = scorer.codesSummary
                return searchTrace
            }
        }
    }
}
