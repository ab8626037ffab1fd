import FederIndex

/// faiss `IndexIVF::search` for one query, traced: the coarse quantizer ranks every centroid and keeps the
/// `nprobe` best (a flat k-search, or an HNSW quantizer's graph search at its saved efSearch); then the probed
/// lists are scanned as the encoding's scanner scans them: IVFFlat in rank order, empty lists skipped, each
/// vector offered to the k-heap with faiss's strict gate; PQ fast scan as `IndexIVFFastScan` does (below).
///
/// - Complexity: O(nlist·d + scanned·d).
public enum IVFSearch {
    /// Vectors of a list scored per call of the batched kernel.
    static let scanBlock = 64

    /// The coarse step: every centroid's distance (for the views) and the quantizer's ranking of the probes.
    struct Coarse {
        var centroidDistances: [Float]
        /// The quantizer's k = nprobe results, best first (id −1 pads when fewer lists exist).
        var ranked: [(distance: Float, id: Int64)]
        var hnswTrace: SearchTrace?
        var openBLAS: Kernels.OpenBLASCore?
    }

    public static func trace(
        _ index: FaissIVFIndex, query: [Float], k: Int, nprobe requested: Int, ompThreads: Int = 1
    ) throws -> SearchTrace {
        guard let kernel = FaissKernel(index.header.metric) else {
            throw FederSearchError.unsupportedMetric(index.header.metric, role: "index")
        }
        switch index.encoding {
        case .flat:
            let nprobe = min(requested, index.nlist)
            let coarse = try coarseSearch(index, query: query, nprobe: nprobe, ompThreads: ompThreads)
            return scanFlat(index, kernel: kernel, query: query, k: k, nprobe: nprobe, coarse: coarse, ompThreads: ompThreads)
        case .productQuantizerFastScan(let pq, let layout):
            // IndexIVFFastScan does not clamp nprobe: probes past nlist stay in its tables as −1 entries.
            let coarse = try coarseSearch(index, query: query, nprobe: requested, ompThreads: ompThreads)
            return try FastScanSearch.scanIVF(
                index, pq: pq, layout: layout, kernel: kernel, query: query, k: k, nprobe: requested, coarse: coarse,
                ompThreads: ompThreads)
        case .productQuantizer, .scalarQuantizer:
            throw FederSearchError.notTracedYet(.ivf(index))
        }
    }

    /// The quantizer's own k-search for the nprobe nearest centroids: a flat one as faiss's flat search runs it
    /// for one query (the k-heap below nprobe 100, the reservoir from there on, split across threads as faiss
    /// splits it), recording every centroid distance for the views; or the HNSW quantizer's graph search, with
    /// every centroid distance computed for the views only. faiss ranks with the quantizer's metric, which may
    /// differ from the index's (`IndexIVFFlat(IndexFlatIP(d), d, nlist, METRIC_L2)`).
    static func coarseSearch(_ index: FaissIVFIndex, query: [Float], nprobe: Int, ompThreads: Int) throws -> Coarse {
        guard let centroids = index.centroids else {
            throw FederSearchError.unsupported(
                "tracing an IVF index whose coarse quantizer is \(index.quantizer.code) is not supported; flat and HNSW quantizers are")
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
        guard let coarseKernel = FaissKernel(quantizerHeader.metric) else {
            throw FederSearchError.unsupportedMetric(quantizerHeader.metric, role: "coarse quantizer")
        }
        let dim = index.header.dim
        var coarse = Coarse(centroidDistances: [Float](repeating: 0, count: index.nlist), ranked: [])
        if let hnswQuantizer {
            withQueryPointer(query) { q in
                for list in 0..<index.nlist { coarse.centroidDistances[list] = coarseKernel(q, centroids.rowPointer(list), dim: dim) }
            }
            let trace = FaissHNSWSearch.trace(
                hnswQuantizer, kernel: coarseKernel, query: query, k: nprobe, efSearch: hnswQuantizer.graph.efSearch)
            coarse.ranked = trace.results.map { ($0.distance, $0.id) }
            coarse.hnswTrace = trace
        } else {
            let ranking = try coarse.centroidDistances.withUnsafeMutableBufferPointer { recorded in
                try FlatSearch.scan(
                    centroids, query: query, k: nprobe, kernel: coarseKernel, ompThreads: ompThreads, distances: recorded)
            }
            coarse.ranked = ranking.results
            coarse.openBLAS = ranking.openBLAS
        }
        return coarse
    }

    /// The trace of an IVF search from its coarse step and its list scan.
    static func assemble(
        _ index: FaissIVFIndex, k: Int, nprobe: Int, coarse: Coarse, ompThreads: Int, results: [Neighbor],
        probes: [IVFTrace.Probe], scanned: [IVFTrace.ScannedVector], probedLists: Int
    ) -> SearchTrace {
        var counts = SearchCounts(
            distanceComputations: scanned.count + (coarse.hnswTrace?.counts.distanceComputations ?? index.nlist),
            visited: scanned.count)
        counts.scanned = scanned.count
        counts.probedLists = probedLists
        var trace = SearchTrace(
            kind: .ivf, metric: index.header.metric.name,
            parameters: SearchParameters(k: k, nprobe: nprobe, ompThreads: ompThreads > 1 ? ompThreads : nil),
            results: results, counts: counts,
            ivf: IVFTrace(
                centroidDistances: coarse.centroidDistances, probes: probes, scanned: scanned,
                coarseHNSW: coarse.hnswTrace?.hnsw, coarseCounts: coarse.hnswTrace?.counts))
        trace.openBLAS = coarse.openBLAS.map { "\($0.name) sgemm" }
        return trace
    }

    /// IVFFlat's scan: probed lists in rank order, each vector offered to the k-heap in list order.
    static func scanFlat(
        _ index: FaissIVFIndex, kernel: FaissKernel, query: [Float], k: Int, nprobe: Int, coarse: Coarse, ompThreads: Int
    ) -> SearchTrace {
        let dim = index.header.dim
        let file = index.invertedLists.lists.first?.ids.file
        var block = DistanceBatch(capacity: Self.scanBlock)
        return withQueryPointer(query) { q -> SearchTrace in
            var heap = FaissResultHeap(capacity: k, order: kernel.order)
            var probes: [IVFTrace.Probe] = []
            probes.reserveCapacity(coarse.ranked.count)
            var probedLists = 0
            var toScan = 0
            for entry in coarse.ranked where entry.id >= 0 { toScan += index.invertedLists.lists[Int(entry.id)].size }
            var scanned: [IVFTrace.ScannedVector] = []
            scanned.reserveCapacity(toScan)
            let codeSize = index.invertedLists.codeSize
            for (rank, entry) in coarse.ranked.enumerated() where entry.id >= 0 {
                let list = Int(entry.id)
                let invertedList = index.invertedLists.lists[list]
                probes.append(IVFTrace.Probe(rank: rank, list: list, size: invertedList.size, distance: entry.distance))
                guard invertedList.size > 0, let file else { continue }
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
            let results = heap.sortedResults().map { Neighbor(id: $0.id, distance: $0.distance, internalID: Int($0.id)) }
            return assemble(
                index, k: k, nprobe: nprobe, coarse: coarse, ompThreads: ompThreads, results: results, probes: probes,
                scanned: scanned, probedLists: probedLists)
        }
    }
}
