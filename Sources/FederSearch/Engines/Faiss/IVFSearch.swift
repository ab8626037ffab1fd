import CFederKernels
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
        case .productQuantizer(let pq):
            let nprobe = min(requested, index.nlist)
            let coarse = try coarseSearch(index, query: query, nprobe: nprobe, ompThreads: ompThreads)
            return try scanPQ(index, pq: pq, kernel: kernel, query: query, k: k, nprobe: nprobe, coarse: coarse, ompThreads: ompThreads)
        case .scalarQuantizer(let sq):
            let nprobe = min(requested, index.nlist)
            let coarse = try coarseSearch(index, query: query, nprobe: nprobe, ompThreads: ompThreads)
            return try scanSQ(index, sq: sq, kernel: kernel, query: query, k: k, nprobe: nprobe, coarse: coarse, ompThreads: ompThreads)
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
            let trace = try FaissHNSWSearch.trace(hnswQuantizer, query: query, k: nprobe, efSearch: hnswQuantizer.graph.efSearch)
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
                coarseHNSW: coarse.hnswTrace?.hnsw, coarseCounts: coarse.hnswTrace?.counts),
            distance: FaissIndex.distance(of: index.header.metric), labels: .signed)
        trace.openBLAS = coarse.openBLAS.map { "\($0.name) sgemm" }
        return trace
    }

    /// IVFFlat's scan: probed lists in rank order, each vector offered to the k-heap in list order.
    static func scanFlat(
        _ index: FaissIVFIndex, kernel: FaissKernel, query: [Float], k: Int, nprobe: Int, coarse: Coarse, ompThreads: Int
    ) -> SearchTrace {
        let dim = index.header.dim
        let stride = index.invertedLists.codeSize
        var block = DistanceBatch(capacity: Self.scanBlock)
        return withQueryPointer(query) { q -> SearchTrace in
            scanLists(index, order: kernel.order, k: k, nprobe: nprobe, coarse: coarse, ompThreads: ompThreads) {
                _, codes, count, out in
                // Several vectors at a time (each summed in its own order), in blocks.
                var blockStart = 0
                while blockStart < count {
                    let blockCount = min(Self.scanBlock, count - blockStart)
                    block.gather(codes, stride: stride, from: blockStart, count: blockCount)
                    block.score(faiss: kernel, query: q, dim: dim)
                    for position in 0..<blockCount { out[blockStart + position] = block.distances[position] }
                    blockStart += blockCount
                }
            }
        }
    }

    /// IndexIVFPQ's scan for one query (`IVFPQScanner`, precompute mode 2): the query's tables once
    /// (`init_query`), each probed list's table and base distance (`set_list`: the precomputed table minus twice
    /// the query's inner products, or the residual's own table, or the inner product with the centroid), then
    /// every code's base + table sum in list order.
    static func scanPQ(
        _ index: FaissIVFIndex, pq: FaissProductQuantizer, kernel: FaissKernel, query: [Float], k: Int, nprobe: Int,
        coarse: Coarse, ompThreads: Int
    ) throws -> SearchTrace {
        guard kernel == .l2 || kernel == .innerProduct else {
            throw FederSearchError.unsupportedMetric(index.header.metric, role: "index")
        }
        guard let centroids = index.centroids else { throw FederSearchError.notTracedYet(.ivf(index)) }
        let innerProduct = kernel == .innerProduct
        let entries = pq.subquantizers * pq.centroidsPerSubquantizer
        // read_index's precompute_table: with an L2 quantizer and residuals, when nlist · M · ksub floats fit in
        // faiss's 2 GiB.
        let tableBytes = index.nlist.multipliedReportingOverflow(by: entries * 4)
        let usesPrecomputed =
            pq.byResidual && index.quantizer.header.metric == .l2 && !tableBytes.overflow && tableBytes.partialValue <= 1 << 31
        let level = Kernels.active.faiss.floatLevel
        let estimator = Int32(FEDER_PQ_CODE_DISTANCE)
        let codeSize = index.invertedLists.codeSize
        let summary =
            pq.summary
            + (pq.byResidual
                ? (innerProduct
                    ? ", by residual" : usesPrecomputed ? ", by residual (precomputed table)" : ", by residual (residual tables)")
                : "")
        var trace = withQueryPointer(query) { q -> SearchTrace in
            let floats = q.assumingMemoryBound(to: Float.self)
            // init_query.
            var queryTable: [Float] = []
            if innerProduct || !pq.byResidual {
                queryTable = PQTable.compute(pq, query: floats, innerProduct: innerProduct, batched: false)
            } else if usesPrecomputed {
                queryTable = PQTable.compute(pq, query: floats, innerProduct: true, batched: false)
            }
            var listTable = [Float](repeating: 0, count: entries)
            var residual = [Float](repeating: 0, count: index.header.dim)
            return scanLists(index, order: kernel.order, k: k, nprobe: nprobe, coarse: coarse, ompThreads: ompThreads) {
                probe, codes, count, out in
                let list = Int(probe.id)
                var base: Float = 0
                var table = queryTable
                if pq.byResidual {
                    let centroid = centroids.rowPointer(list)
                    if innerProduct {
                        base = feder_faiss_kernel(level, 1, floats, centroid, index.header.dim)
                    } else if usesPrecomputed {
                        base = probe.distance
                        let precomputedRow = IVFPQPrecomputedTables.shared.row(
                            index, pq: pq, centroids: centroids, list: list, level: level)
                        listTable.withUnsafeMutableBufferPointer { out in
                            precomputedRow.withUnsafeBufferPointer { row in
                                queryTable.withUnsafeBufferPointer { ip in
                                    feder_fvec_madd(entries, row.baseAddress, -2, ip.baseAddress, out.baseAddress)
                                }
                            }
                        }
                        table = listTable
                    } else {
                        for lane in 0..<residual.count {
                            residual[lane] = floats[lane] - centroid.loadUnaligned(fromByteOffset: lane * 4, as: Float.self)
                        }
                        table = residual.withUnsafeBufferPointer { r in
                            PQTable.compute(pq, query: r.baseAddress ?? floats, innerProduct: false, batched: false)
                        }
                    }
                }
                table.withUnsafeBufferPointer { t in
                    guard let t = t.baseAddress else { return }
                    PQTable.scan(
                        pq, table: t, estimator: estimator, codes: codes, codeSize: codeSize, count: count, base: base, into: out)
                }
            }
        }
        trace.codes = summary
        return trace
    }

    /// IndexIVFScalarQuantizer's scan for one query (`IVFSQScannerL2` / `IVFSQScannerIP`): L2 sets the
    /// distance computer's query to each list's residual (or the query), inner product sets the query once and
    /// adds the list's coarse inner product (with residuals) to every code's.
    static func scanSQ(
        _ index: FaissIVFIndex, sq: FaissScalarQuantizer, kernel: FaissKernel, query: [Float], k: Int, nprobe: Int,
        coarse: Coarse, ompThreads: Int
    ) throws -> SearchTrace {
        guard kernel == .l2 || kernel == .innerProduct else {
            throw FederSearchError.unsupportedMetric(index.header.metric, role: "index")
        }
        guard let centroids = index.centroids else { throw FederSearchError.notTracedYet(.ivf(index)) }
        let innerProduct = kernel == .innerProduct
        let computer = try SQDistanceComputer(sq, innerProduct: innerProduct)
        var trace = withQueryPointer(query) { q -> SearchTrace in
            let floats = q.assumingMemoryBound(to: Float.self)
            if innerProduct { computer.setQuery(q) }
            var residual = [Float](repeating: 0, count: index.header.dim)
            return scanLists(index, order: kernel.order, k: k, nprobe: nprobe, coarse: coarse, ompThreads: ompThreads) {
                probe, codes, count, out in
                if innerProduct {
                    computer.scan(codes, count: count, base: sq.byResidual ? probe.distance : 0, into: out)
                    return
                }
                if sq.byResidual {
                    let centroid = centroids.rowPointer(Int(probe.id))
                    for lane in 0..<residual.count {
                        residual[lane] = floats[lane] - centroid.loadUnaligned(fromByteOffset: lane * 4, as: Float.self)
                    }
                    residual.withUnsafeBytes { r in if let base = r.baseAddress { computer.setQuery(base) } }
                } else {
                    computer.setQuery(q)
                }
                computer.scan(codes, count: count, base: nil, into: out)
            }
        }
        trace.codes = "SQ \(sq.typeName) (\(computer.kernels))" + (sq.byResidual ? ", by residual" : "")
        return trace
    }

    /// The scan every IVF encoding shares: the probed lists in rank order (empty ones recorded, not scanned),
    /// each list's distances from `score` (the probe, the list's codes, their count, where to write), then each
    /// vector offered to one k-heap in list order with faiss's strict gate.
    static func scanLists(
        _ index: FaissIVFIndex, order: FaissResultHeap.Order, k: Int, nprobe: Int, coarse: Coarse, ompThreads: Int,
        score: (_ probe: (distance: Float, id: Int64), _ codes: UnsafeRawPointer, _ count: Int, _ out: UnsafeMutablePointer<Float>)
            -> Void
    ) -> SearchTrace {
        let file = index.invertedLists.lists.first?.ids.file
        var heap = FaissResultHeap(capacity: k, order: order)
        var probes: [IVFTrace.Probe] = []
        probes.reserveCapacity(coarse.ranked.count)
        var probedLists = 0
        var toScan = 0
        var longest = 0
        for entry in coarse.ranked where entry.id >= 0 {
            let size = index.invertedLists.lists[Int(entry.id)].size
            toScan += size
            longest = max(longest, size)
        }
        var scanned: [IVFTrace.ScannedVector] = []
        scanned.reserveCapacity(toScan)
        var distances = [Float](repeating: 0, count: max(longest, 1))
        for (rank, entry) in coarse.ranked.enumerated() where entry.id >= 0 {
            let list = Int(entry.id)
            let invertedList = index.invertedLists.lists[list]
            probes.append(IVFTrace.Probe(rank: rank, list: list, size: invertedList.size, distance: entry.distance))
            guard invertedList.size > 0, let file else { continue }
            probedLists += 1
            let codes = file.baseAddress + invertedList.codesOffset
            let ids = file.baseAddress + invertedList.ids.byteOffset
            distances.withUnsafeMutableBufferPointer { out in
                guard let out = out.baseAddress else { return }
                score(entry, codes, invertedList.size, out)
            }
            for position in 0..<invertedList.size {
                let value = distances[position]
                let id = ids.loadUnaligned(fromByteOffset: position * 8, as: Int64.self)
                let admitted = heap.admits(value)
                if admitted { heap.replaceTop(value, id: id) }
                scanned.append(IVFTrace.ScannedVector(id: id, list: list, distance: value, admitted: admitted))
            }
        }
        let results = heap.sortedResults().map { Neighbor(id: $0.id, distance: $0.distance, internalID: Int($0.id)) }
        return assemble(
            index, k: k, nprobe: nprobe, coarse: coarse, ompThreads: ompThreads, results: results, probes: probes,
            scanned: scanned, probedLists: probedLists)
    }
}
