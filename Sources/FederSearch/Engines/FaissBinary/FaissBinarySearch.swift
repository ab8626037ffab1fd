import FederIndex

/// faiss's binary searches (`IndexBinaryFlat`, `IndexBinaryIVF`, `IndexBinaryHNSW`, the binary IDMaps), traced.
///
/// Every scanner keeps faiss's k-heap (`CMax<int32, int64>`: a max-heap on (distance, id)) and admits a code only
/// when its distance is strictly below the current worst, so which tied ids stay depends on the order codes
/// arrive in: row order for a flat index, probe order then list order for an IVF index, the graph walk for HNSW.
/// Distances are integers carried as floats (exact below 2^24). A missing result is label −1 with distance
/// INT32_MAX from the flat and IVF searches and INT32_MIN from the HNSW search (the float heap's FLT_MAX converted
/// to int32), as faiss returns them.
extension FaissBinaryIndex: TracedEngineIndex {
    public var kernels: String { "popcount" }

    public func trace(query: [Float], request: SearchRequest, warnings: inout [String], reusing previous: SearchTrace?) throws
        -> SearchTrace
    {
        guard let packed = PackedBits.pack(query) else {
            throw FederSearchError.unsupported("a query of a binary index must be bits (0 or 1), \(header.dim) of them")
        }
        var trace: SearchTrace
        switch self {
        case .flat(let flat):
            trace = FaissBinarySearch.flat(flat, query: packed, k: request.k)
        case .ivf(let ivf):
            let nprobe = request.nprobe ?? ivf.nprobe
            guard nprobe >= 1 else {
                throw FederSearchError.invalidParameter(name: "nprobe", value: nprobe, detail: "must be at least 1")
            }
            if nprobe > ivf.nlist {
                warnings.append("nprobe \(nprobe) is larger than nlist \(ivf.nlist); using \(ivf.nlist) as faiss does")
            }
            trace = FaissBinarySearch.ivf(ivf, query: packed, k: request.k, nprobe: min(nprobe, ivf.nlist))
        case .hnsw(let hnsw):
            let ef = request.ef ?? hnsw.graph.efSearch
            guard ef >= 1 else { throw FederSearchError.invalidParameter(name: "ef", value: ef, detail: "must be at least 1") }
            trace = FaissBinarySearch.hnsw(hnsw, query: query, packed: packed, k: request.k, efSearch: ef, record: request.recordSteps)
        case .idMap(let map):
            trace = try map.inner.trace(query: query, request: request, warnings: &warnings, reusing: previous)
            // IndexBinaryIDMap::search: a label outside the map becomes −1.
            for position in trace.results.indices {
                let inner = trace.results[position].id
                trace.results[position].id = inner >= 0 && inner < Int64(map.ids.count) ? map.ids[Int(inner)] : -1
            }
            let nodes = (trace.hnsw?.visited ?? []) + (trace.ivf?.scanned ?? []).map { Int(truncatingIfNeeded: $0.id) }
            trace.nodeLabels = NodeLabels(idMap: map.ids, nodes: nodes)
            trace.kind = trace.kind.inIDMap
        }
        trace.kernels = kernels
        return trace
    }

    public func exactNeighbors(queries: [[Float]], ks: [Int]) -> [[[Neighbor]]] {
        let codeSize = header.codeSize
        let packed = queries.map { PackedBits.pack($0) }
        let k = ks.max() ?? 0
        let answers: [[Neighbor]] = packed.map { query in
            guard let query, k > 0 else { return [] }
            var best = LexicographicTopK<Int32, Int64>(k: k)
            query.withUnsafeBytes { q in
                guard let base = q.baseAddress else { return }
                forEachCode { label, code in best.offer(Hamming.distance(base, code, bytes: codeSize), label: label) }
            }
            return best.sorted().map { Neighbor(id: $0.label, distance: Float($0.distance), internalID: -1) }
        }
        return ks.map { k in answers.map { Array($0.prefix(k)) } }
    }

    /// An IVF search's misses: a neighbour whose list was not probed is `unprobed-list` with that list's coarse rank
    /// (the probed lists first, then the others by centroid distance, ties to the lower list, as the flat quantizer
    /// ranks them); one in a probed list was scanned at its exact distance and lost a tie. The nprobe needed is the
    /// largest coarse rank of the exact neighbours' lists.
    public func explain(_ trace: SearchTrace, truth: [Neighbor], misses: inout [Miss]) -> Needed? {
        guard let ivfTrace = trace.ivf else { return nil }
        let (ivf, labels): (FaissBinaryIVFIndex, MappedArray<Int64>?)
        switch self {
        case .ivf(let index): (ivf, labels) = (index, nil)
        case .idMap(let map):
            guard case .ivf(let index) = map.inner else { return nil }
            (ivf, labels) = (index, map.ids)
        case .flat, .hnsw: return nil
        }
        // The list holding each exact neighbour (its id in the lists: the row of the id map, if any).
        var listOf: [Int64: Int] = [:]
        for neighbor in truth {
            let stored = labels.map { ids in ids.firstIndex(of: neighbor.id).map(Int64.init) ?? -1 } ?? neighbor.id
            for (list, entry) in ivf.invertedLists.lists.enumerated() where listOf[neighbor.id] == nil {
                for position in 0..<entry.size where entry.ids[position] == stored {
                    listOf[neighbor.id] = list
                    break
                }
            }
        }
        // The flat quantizer ranks every centroid, smaller distances first.
        let ranks =
            Explanations.coarseRanks(ivfTrace, nlist: ivf.nlist, descending: false, lists: Set(listOf.values)) ?? [:]
        let probed = Set(ivfTrace.probes.map(\.list))
        for position in misses.indices {
            guard let list = listOf[misses[position].id] else { continue }
            misses[position].list = list
            misses[position].listRank = ranks[list]
            if !probed.contains(list) { misses[position].reason = .unprobedList }
        }
        return Needed(nprobe: truth.compactMap { listOf[$0.id].flatMap { ranks[$0] } }.max())
    }

    public func distances(queries: [[Float]], labels: [[Int64]]) -> [[Float?]] {
        zip(queries, labels).map { query, wanted in
            guard let packed = PackedBits.pack(query) else { return wanted.map { _ in nil } }
            return wanted.map { label in
                guard let (codes, row) = locate(label: label) else { return nil }
                return packed.withUnsafeBytes { q in
                    q.baseAddress.map { Float(Hamming.distance($0, codes.codePointer(row), bytes: codes.codeSize)) }
                }
            }
        }
    }
}

enum FaissBinarySearch {
    /// What faiss's flat and IVF binary searches return for a missing result.
    static let missingDistance = Float(Int32.max)
    /// What its HNSW search returns: FLT_MAX converted to int32.
    static let missingGraphDistance = Float(Int32.min)

    static func results(_ heap: FaissResultHeap, missing: Float) -> [Neighbor] {
        heap.sortedResults().map {
            Neighbor(id: $0.id, distance: $0.id < 0 ? missing : $0.distance, internalID: Int($0.id))
        }
    }

    /// `IndexBinaryFlat::search` (`hammings_knn_hc`): every code in row order offered to the k-heap.
    static func flat(_ index: FaissBinaryFlatIndex, query: [UInt8], k: Int) -> SearchTrace {
        var heap = FaissResultHeap(capacity: k, order: .keepSmallest)
        let codes = index.codes
        query.withUnsafeBytes { q in
            guard let base = q.baseAddress else { return }
            for row in 0..<codes.count {
                heap.offer(Float(Hamming.distance(base, codes.codePointer(row), bytes: codes.codeSize)), id: Int64(row))
            }
        }
        var counts = SearchCounts(distanceComputations: codes.count, visited: codes.count)
        counts.scanned = codes.count
        return SearchTrace(
            kind: .flat, metric: Metric.hamming.name, parameters: SearchParameters(k: k), results: results(heap, missing: missingDistance),
            counts: counts, distance: DistanceConvention(.hamming), labels: .signed)
    }

    /// `IndexBinaryIVF::search`: the quantizer's nprobe nearest centroids (ascending distance, ties to the lower list),
    /// then `search_knn_hamming_heap` over those lists in probe order, each in insertion order. Counts as
    /// `indexIVF_stats`: ndis the codes scanned, nlist the non-empty lists probed (here with every centroid distance
    /// added to distance computations, as for float IVF).
    static func ivf(_ index: FaissBinaryIVFIndex, query: [UInt8], k: Int, nprobe: Int) -> SearchTrace {
        let centroids = index.quantizer.codes
        let codeSize = index.header.codeSize
        var centroidDistances = [Float](repeating: 0, count: index.nlist)
        var coarse = FaissResultHeap(capacity: nprobe, order: .keepSmallest)
        var heap = FaissResultHeap(capacity: k, order: .keepSmallest)
        var probes: [IVFTrace.Probe] = []
        var scanned: [IVFTrace.ScannedVector] = []
        var probedLists = 0
        query.withUnsafeBytes { q in
            guard let base = q.baseAddress else { return }
            for list in 0..<index.nlist {
                let d = Float(Hamming.distance(base, centroids.codePointer(list), bytes: codeSize))
                centroidDistances[list] = d
                coarse.offer(d, id: Int64(list))
            }
            for (rank, probe) in coarse.sortedResults().enumerated() where probe.id >= 0 {
                let list = Int(probe.id)
                let entry = index.invertedLists.lists[list]
                probes.append(IVFTrace.Probe(rank: rank, list: list, size: entry.size, distance: probe.distance))
                probedLists += 1
                let codes = index.codes(of: list)
                for position in 0..<entry.size {
                    let d = Float(Hamming.distance(base, codes.codePointer(position), bytes: codeSize))
                    let id = entry.ids[position]
                    let admitted = heap.offer(d, id: id)
                    scanned.append(IVFTrace.ScannedVector(id: id, list: list, distance: d, admitted: admitted))
                }
            }
        }
        var counts = SearchCounts(distanceComputations: scanned.count + index.nlist, visited: scanned.count)
        counts.scanned = scanned.count
        counts.probedLists = probedLists
        return SearchTrace(
            kind: .ivf, metric: Metric.hamming.name, parameters: SearchParameters(k: k, nprobe: nprobe),
            results: results(heap, missing: missingDistance), counts: counts,
            ivf: IVFTrace(centroidDistances: centroidDistances, probes: probes, scanned: scanned, coarseHNSW: nil, coarseCounts: nil),
            distance: DistanceConvention(.hamming), labels: .signed)
    }

    /// `IndexBinaryHNSW::search`: faiss's `HNSW::search` with Hamming distances as floats.
    static func hnsw(_ index: FaissBinaryHNSWIndex, query: [Float], packed: [UInt8], k: Int, efSearch: Int, record: Bool) -> SearchTrace {
        withQueryPointer(query) { q in
            var scorer = HNSWStorageDistance(
                hamming: index.storage.codes, packedQuery: packed, query: q, capacity: index.graph.maxListSize)
            var trace = FaissHNSWSearch.search(
                index.graph, metric: .hamming, distance: DistanceConvention(.hamming), order: .keepSmallest, scorer: &scorer, k: k,
                efSearch: efSearch, descent: nil, record: record)
            for position in trace.results.indices where trace.results[position].id < 0 {
                trace.results[position].distance = missingGraphDistance
            }
            return trace
        }
    }
}
