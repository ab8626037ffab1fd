import FederIndex

extension PGVectorTracer {
    /// A scan traced over `source`'s pages and rows (HOT chains followed through its table, cosine distances shown on
    /// the rows' own values), then the server's own answer to the same SQL, to check it against.
    public static func traceAndAsk(
        source: PGVectorSource, pages: PGVectorSource.Pages, query: [Float], k: Int, settings: PGVectorSettings,
        rowIDs: [UInt64: Int64], predicate: String?, passing: Set<UInt64>?, record: Bool
    ) throws -> (scan: PGVectorScanTrace, answer: (rows: [PGVectorSource.ServerRow]?, plan: String)) {
        let scan = try trace(
            pages: pages, query: query, k: k, settings: settings, rowIDs: rowIDs, passing: passing,
            rawValues: { try source.values(at: $0) }, record: record,
            hotChain: { tid in source.visibleVersion(of: tid) { rowIDs[$0.key] != nil } })
        let answer = try source.serverAnswer(query: query, k: k, predicate: predicate, settings: settings.serverPairs)
        return (scan, answer)
    }

    /// A traced scan's rows against the server's answer to the same SQL: the same heap TIDs, ids and float8
    /// distance bits in the same order. nil when they agree; else what differs, in a sentence.
    public static func disagreement(_ trace: PGVectorScanTrace, _ answer: (rows: [PGVectorSource.ServerRow]?, plan: String)) -> String? {
        guard let server = answer.rows else {
            return "not checked: the server's plan for the same SQL does not scan this index (\(answer.plan))"
        }
        if trace.rows.count != server.count {
            return
                "the server returned \(server.count) rows, the trace \(trace.rows.count): the index or the table changed, or its pages were not yet written out"
        }
        for (i, (mine, theirs)) in zip(trace.rows, server).enumerated()
        where mine.tid != theirs.tid.description || mine.id != theirs.id || mine.distance.bitPattern != theirs.distance.bitPattern {
            return
                "row \(i + 1): the server returned id \(theirs.id) at \(theirs.distance) \(theirs.tid), the trace id \(mine.id) at \(mine.distance) \(mine.tid)"
        }
        return nil
    }
}

extension PGVectorIndex: TracedEngineIndex {
    public var kernels: String { PGVectorDistance.kernels }

    /// The settings of this index's scans with the request's ef (`hnsw.ef_search`) and nprobe (`ivfflat.probes`).
    func scanSettings(_ request: SearchRequest) throws -> PGVectorSettings {
        var pairs = settings
        if let ef = request.ef { pairs.append(("hnsw.ef_search", "\(ef)")) }
        if let nprobe = request.nprobe { pairs.append(("ivfflat.probes", "\(nprobe)")) }
        return try PGVectorSettings(pairs)
    }

    /// The scan as the server runs it, then the server's own answer to the same SQL: a disagreement is a warning
    /// that says the trace is not exact.
    public func trace(query: [Float], request: SearchRequest, warnings: inout [String], reusing previous: SearchTrace?) throws
        -> SearchTrace
    {
        let (scan, answer) = try PGVectorTracer.traceAndAsk(
            source: source, pages: pages, query: query, k: request.k, settings: try scanSettings(request), rowIDs: rowIDs,
            predicate: predicate, passing: passing, record: request.recordSteps)
        if let problem = PGVectorTracer.disagreement(scan, answer) {
            warnings.append("this trace is not the server's answer: \(problem)")
        }
        warnings += source.notes.filter { $0.hasPrefix("CHECKPOINT") }
        return searchTrace(scan, request: request)
    }

    /// The door's trace of a pgvector scan: results in the index's distance (what it ordered by), the HNSW layers or
    /// the probed lists in the families' own shapes.
    func searchTrace(_ scan: PGVectorScanTrace, request: SearchRequest) -> SearchTrace {
        let results = scan.rows.map { Neighbor(id: $0.id, distance: Float($0.indexDistance), internalID: $0.source) }
        var trace: SearchTrace
        if let hnsw = scan.hnsw, case .hnsw(let graph) = pages {
            let built = hnswTrace(hnsw, graph: graph)
            var counts = SearchCounts(distanceComputations: hnsw.distanceComputations, visited: built.visited.count)
            counts.hops = hnsw.searches.reduce(0) { $0 + $1.steps.filter(\.expanded).count }
            counts.visitedLevel0 = hnsw.tuples
            trace = SearchTrace(
                kind: .pgvector, metric: opclass.description, parameters: SearchParameters(k: request.k, ef: hnsw.settings.efSearch),
                results: results, counts: counts, hnsw: built, distance: model.distance, labels: .signed)
            var labels: [Int: Int64] = [:]
            for node in built.visited { labels[node] = elementLabel(node) }
            for result in scan.rows { labels[result.source] = result.id }
            trace.nodeLabels = NodeLabels(labels)
        } else if let ivf = scan.ivfflat, case .ivfflat(let lists) = pages {
            var counts = SearchCounts(distanceComputations: ivf.entriesScored + ivf.centerDistances.count, visited: ivf.entriesScored)
            counts.scanned = ivf.entriesScored
            counts.probedLists = ivf.listsProbed
            let returned = Set(scan.rows.map(\.source))
            var scanned: [IVFTrace.ScannedVector] = []
            var listOfEntry: [Int: Int] = [:]
            for list in ivf.listOrder.prefix(ivf.listsProbed) {
                for entry in Int(lists.listStart[list])..<Int(lists.listStart[list + 1]) { listOfEntry[entry] = list }
            }
            for (entry, distance) in ivf.scored {
                scanned.append(
                    .init(
                        id: rowIDs[lists.heapTIDs[entry].key] ?? -1, list: listOfEntry[entry] ?? -1, distance: Float(distance),
                        admitted: returned.contains(entry)))
            }
            let probes = ivf.listOrder.prefix(ivf.listsProbed).enumerated().map { rank, list in
                IVFTrace.Probe(
                    rank: rank, list: list, size: Int(lists.listStart[list + 1] - lists.listStart[list]),
                    distance: Float(ivf.centerDistances[list]))
            }
            trace = SearchTrace(
                kind: .pgvector, metric: opclass.description, parameters: SearchParameters(k: request.k, nprobe: ivf.probes),
                results: results, counts: counts,
                ivf: IVFTrace(centroidDistances: ivf.centerDistances.map(Float.init), probes: probes, scanned: scanned),
                distance: model.distance, labels: .signed)
        } else {
            trace = SearchTrace(
                kind: .pgvector, metric: opclass.description, parameters: SearchParameters(k: request.k), results: results,
                counts: SearchCounts(distanceComputations: 0, visited: 0), distance: model.distance, labels: .signed)
        }
        trace.kernels = kernels
        trace.executor = Self.executor(scan)
        return trace
    }

    /// The executor's part of a scan, as pages say it.
    static func executor(_ scan: PGVectorScanTrace) -> ExecutorSummary {
        let produced: String
        var rounds: Int?
        var tuples: Int?
        let rows = "\(scan.pulled.count) row\(scan.pulled.count == 1 ? "" : "s")"
        if let hnsw = scan.hnsw {
            if hnsw.settings.iterativeScan == .off {
                let candidates = "\(hnsw.firstCandidates) candidate\(hnsw.firstCandidates == 1 ? "" : "s")"
                produced =
                    "ef_search \(hnsw.settings.efSearch) gave \(candidates)"
                    + (scan.pulled.count == hnsw.firstCandidates ? "" : " (\(rows))")
            } else {
                produced = "ef_search \(hnsw.settings.efSearch), \(hnsw.settings.iterativeScan.rawValue): \(rows) taken"
                (rounds, tuples) = (hnsw.rounds, hnsw.tuples)
            }
        } else if let ivf = scan.ivfflat {
            produced = "probes \(ivf.probes) scored \(ivf.entriesScored) entr\(ivf.entriesScored == 1 ? "y" : "ies"), \(rows) taken"
            if ivf.settings.iterativeScan != .off { rounds = ivf.batches }
        } else {
            produced = "the scan"
        }
        return ExecutorSummary(
            produced: produced, pulled: scan.pulled.count, returned: scan.count(.returned), filtered: scan.count(.filtered),
            dead: scan.count(.dead), rounds: rounds, tuples: tuples, stop: scan.stop)
    }

    /// The scan's layer searches in `HNSWTrace`'s shape: each upper layer's search (ef 1) as one greedy level, and
    /// every layer-0 round's steps in order.
    func hnswTrace(_ scan: PGVectorScanTrace.HNSWPart, graph: PGVectorHNSW) -> HNSWTrace {
        var visited: [Int] = []
        var seen = Set<Int>()
        func computed(_ node: Int) { if seen.insert(node).inserted { visited.append(node) } }
        let entry = graph.entry ?? -1
        if entry >= 0 { computed(entry) }
        var upper: [HNSWTrace.UpperLevel] = []
        var steps: [HNSWTrace.Step] = []
        var stop = HNSWTrace.StopReason.emptyIndex
        var entryDistance: Float = .infinity
        var layerZeroEntry = entry
        for search in scan.searches {
            if entryDistance == .infinity, let first = search.steps.first { entryDistance = Float(first.distance) }
            for step in search.steps { for event in step.events where event.distance != nil { computed(event.to) } }
            if search.layer > 0 {
                let passes = search.steps.filter(\.expanded).map { step in
                    step.events.compactMap { event in
                        event.distance.map { HNSWTrace.Edge(from: step.node, to: event.to, distance: Float($0)) }
                    }
                }
                upper.append(
                    HNSWTrace.UpperLevel(
                        level: search.layer, passes: passes, path: search.steps.filter(\.expanded).map(\.node),
                        exitDistance: Float(search.resultDistances.first ?? .infinity)))
            } else {
                if steps.isEmpty { layerZeroEntry = search.entries.last ?? entry }
                for step in search.steps {
                    steps.append(
                        HNSWTrace.Step(
                            node: step.node, distance: Float(step.distance), bound: Float(step.bound), resultSize: step.resultSize,
                            expanded: step.expanded,
                            neighbors: step.events.map { event in
                                HNSWTrace.NeighborEvent(
                                    id: event.to, distance: event.distance.map(Float.init),
                                    outcome: event.outcome == .visited ? .visited : (event.outcome == .admitted ? .admitted : .rejected),
                                    enteredResults: event.outcome == .visited ? nil : event.outcome == .admitted, evicted: event.evicted)
                            }))
                }
                stop = search.stoppedByBound ? .candidateWorseThanBound : .candidatesExhausted
            }
        }
        return HNSWTrace(
            entryPoint: entry, entryDistance: entryDistance, upperLevels: upper,
            level0: HNSWTrace.Level0(
                entry: layerZeroEntry, ef: scan.settings.efSearch, steps: steps, stopReason: stop, visitedCount: scan.tuples),
            visited: visited)
    }

    /// IVFFlat misses: the list each exact neighbour's entry is in, its coarse rank, and whether it was probed; a
    /// neighbour in a probed list that the scan scored but did not return (a later batch of an iterative scan) is
    /// "not kept" unless it ties the k-th. The probes the query needed: the coarse rank of the furthest such list.
    public func explain(_ trace: SearchTrace, truth: [Neighbor], misses: inout [Miss]) -> Needed? {
        guard let ivfTrace = trace.ivf, case .ivfflat(let ivf) = pages else { return nil }
        func list(ofEntry entry: Int) -> Int? {
            var (low, high) = (0, ivf.lists - 1)
            while low < high {
                let middle = (low + high + 1) / 2
                if Int(ivf.listStart[middle]) <= entry { low = middle } else { high = middle - 1 }
            }
            return entry < Int(ivf.listStart[ivf.lists]) ? low : nil
        }
        var listOf: [Int64: Int] = [:]
        for neighbor in truth {
            if let row = row(ofLabel: neighbor.id), let list = list(ofEntry: Int(rowSources[row])) { listOf[neighbor.id] = list }
        }
        let ranks = Explanations.coarseRanks(ivfTrace, nlist: ivf.lists, descending: false, lists: Set(listOf.values)) ?? [:]
        let probed = Set(ivfTrace.probes.map(\.list))
        let kth = trace.results.last?.distance
        for position in misses.indices {
            guard let list = listOf[misses[position].id] else { continue }
            misses[position].list = list
            misses[position].listRank = ranks[list]
            if !probed.contains(list) {
                misses[position].reason = .unprobedList
            } else if misses[position].distance != kth {
                misses[position].reason = .notKept
            }
        }
        return Needed(nprobe: truth.compactMap { listOf[$0.id].flatMap { ranks[$0] } }.max())
    }

    /// The exact top-k among the rows a query may return (visible, kept by the filter), by the index's distance, ties
    /// to the smaller id.
    public func exactNeighbors(queries: [[Float]], ks: [Int]) -> [[[Neighbor]]] {
        let k = ks.max() ?? 0
        let dims = Int32(dimensions)
        let answers: [[Neighbor]] = queries.map { components in
            guard k > 0, let query = try? PGVectorQuery(components: components, opclass: opclass, dimensions: dimensions) else { return [] }
            var best = LexicographicTopK<Double, Int64>(k: k)
            query.scanBytes.withUnsafeBytes { q in
                let pointer = q.baseAddress.unsafelyUnwrapped
                for row in 0..<rowLabels.count {
                    best.offer(PGVectorDistance.scan(opclass, pointer, values.row(Int(rowSources[row])), dims), label: rowLabels[row])
                }
            }
            return best.sorted().map { Neighbor(id: $0.label, distance: Float($0.distance), internalID: -1) }
        }
        return ks.map { k in answers.map { Array($0.prefix(k)) } }
    }

    public func distances(queries: [[Float]], labels: [[Int64]]) -> [[Float?]] {
        let dims = Int32(dimensions)
        let rowOf = Dictionary(rowLabels.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { first, _ in first })
        return zip(queries, labels).map { components, wanted in
            guard let query = try? PGVectorQuery(components: components, opclass: opclass, dimensions: dimensions) else {
                return wanted.map { _ in nil }
            }
            return query.scanBytes.withUnsafeBytes { q in
                wanted.map { label in
                    rowOf[label].map {
                        Float(PGVectorDistance.scan(opclass, q.baseAddress.unsafelyUnwrapped, values.row(Int(rowSources[$0])), dims))
                    }
                }
            }
        }
    }
}
