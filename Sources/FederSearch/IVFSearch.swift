import FederIndex

/// faiss `IndexIVF::search` for IVFFlat, traced: the coarse quantizer ranks every centroid and keeps the
/// `nprobe` best (a flat k-search, ties to the lower list number, or an HNSW quantizer's graph search at its
/// saved efSearch); the probed lists are scanned in rank order, empty ones skipped, each vector offered to the
/// k-heap with faiss's strict gate.
///
/// - Complexity: O(nlist·d + scanned·d).
public enum IVFSearch {
    /// Vectors of a list scored per call of the batched kernel.
    static let scanBlock = 64

    public static func trace(
        _ index: FaissIVFIndex, query: [Float], k: Int, nprobe requested: Int, ompThreads: Int = 1
    ) throws -> SearchTrace {
        guard case .flat = index.encoding else {
            throw FederSearchError.unsupported(
                "tracing \(index.code) (quantized codes) is not supported yet; IVFFlat indexes can be traced")
        }
        guard let centroids = index.centroids else {
            throw FederSearchError.unsupported(
                "tracing an IVF index whose coarse quantizer is \(index.quantizer.code) is not supported; a flat quantizer is")
        }
        let quantizerHeader: FaissHeader
        var hnswQuantizer: FaissHNSWIndex?
        switch index.quantizer {
        case .flat(let flat): quantizerHeader = flat.header
        case .hnsw(let hnsw):
            quantizerHeader = hnsw.storage.header
            hnswQuantizer = hnsw
        default:
            throw FederSearchError.unsupported(
                "tracing an IVF index whose coarse quantizer is \(index.quantizer.code) is not supported; flat and HNSW quantizers are")
        }
        guard let kernel = FaissKernel(index.header.metric) else {
            throw FederSearchError.unsupportedMetric(index.header.metric, role: "index")
        }
        // faiss ranks the lists with the quantizer's own search, so with the quantizer's metric, which may differ
        // from the index's (IndexIVFFlat(IndexFlatIP(d), d, nlist, METRIC_L2)).
        guard let coarseKernel = FaissKernel(quantizerHeader.metric) else {
            throw FederSearchError.unsupportedMetric(quantizerHeader.metric, role: "coarse quantizer")
        }
        let nprobe = min(requested, index.nlist)
        let order = kernel.order
        let dim = index.header.dim
        let file = centroids.file

        // Coarse: the quantizer's own k-search for the nprobe nearest centroids: a flat one as faiss's flat search
        // runs it for one query (the k-heap below nprobe 100, the reservoir from there on, split across threads
        // as faiss splits it), recording every centroid distance for the views; or the HNSW quantizer's graph
        // search, with every centroid distance computed for the views only.
        var centroidDistances = [Float](repeating: 0, count: index.nlist)
        var coarseTrace: SearchTrace?
        var coarseBLAS: Kernels.OpenBLASCore?
        let ranked: [(distance: Float, id: Int64)]
        if let hnswQuantizer {
            withQueryPointer(query) { q in
                for list in 0..<index.nlist { centroidDistances[list] = coarseKernel(q, centroids.rowPointer(list), dim: dim) }
            }
            let trace = FaissHNSWSearch.trace(
                hnswQuantizer, kernel: coarseKernel, query: query, k: nprobe, efSearch: hnswQuantizer.graph.efSearch)
            ranked = trace.results.map { ($0.distance, $0.id) }
            coarseTrace = trace
        } else {
            let ranking = try centroidDistances.withUnsafeMutableBufferPointer { recorded in
                try FlatSearch.scan(
                    centroids, query: query, k: nprobe, kernel: coarseKernel, ompThreads: ompThreads, distances: recorded)
            }
            ranked = ranking.results
            coarseBLAS = ranking.openBLAS
        }

        var block = DistanceBatch(capacity: Self.scanBlock)
        return withQueryPointer(query) { q -> SearchTrace in
            var heap = FaissResultHeap(capacity: k, order: order)
            var probes: [IVFTrace.Probe] = []
            probes.reserveCapacity(ranked.count)
            var probedLists = 0
            var toScan = 0
            for entry in ranked where entry.id >= 0 { toScan += index.invertedLists.lists[Int(entry.id)].size }
            var scanned: [IVFTrace.ScannedVector] = []
            scanned.reserveCapacity(toScan)
            let codeSize = index.invertedLists.codeSize
            for (rank, entry) in ranked.enumerated() where entry.id >= 0 {
                let list = Int(entry.id)
                let invertedList = index.invertedLists.lists[list]
                probes.append(IVFTrace.Probe(rank: rank, list: list, size: invertedList.size, distance: entry.distance))
                guard invertedList.size > 0 else { continue }
                probedLists += 1
                let codes = file.baseAddress + invertedList.codesOffset
                let ids = file.baseAddress + invertedList.ids.byteOffset
                // The list's distances in blocks, several vectors at a time (each summed in its own order), then
                // each offered to the heap in list order as faiss does.
                var blockStart = 0
                while blockStart < invertedList.size {
                    let blockCount = min(Self.scanBlock, invertedList.size - blockStart)
                    block.gather(codes, stride: codeSize, from: blockStart, count: blockCount)
                    block.score(faiss: kernel, query: q, dim: dim)
                    for position in 0..<blockCount {
                        let value = block.distances[position]
                        let id = ids.loadUnaligned(fromByteOffset: (blockStart + position) * 8, as: Int64.self)
                        let admitted = heap.admits(value)
                        if admitted { heap.replaceTop(value, id: id) }
                        scanned.append(IVFTrace.ScannedVector(id: id, list: list, distance: value, admitted: admitted))
                    }
                    blockStart += blockCount
                }
            }
            var counts = SearchCounts(
                distanceComputations: scanned.count + (coarseTrace?.counts.distanceComputations ?? index.nlist),
                visited: scanned.count)
            counts.scanned = scanned.count
            counts.probedLists = probedLists
            let results = heap.sortedResults().map { Neighbor(id: $0.id, distance: $0.distance, internalID: Int($0.id)) }
            var trace = SearchTrace(
                kind: .ivf, metric: index.header.metric.name,
                parameters: SearchParameters(k: k, nprobe: nprobe, ompThreads: ompThreads > 1 ? ompThreads : nil),
                results: results, counts: counts,
                ivf: IVFTrace(
                    centroidDistances: centroidDistances, probes: probes, scanned: scanned, coarseHNSW: coarseTrace?.hnsw,
                    coarseCounts: coarseTrace?.counts))
            trace.openBLAS = coarseBLAS.map { "\($0.name) sgemm" }
            return trace
        }
    }
}
