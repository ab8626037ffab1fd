import CFederKernels
import FederIndex

/// Exhaustive search over codes, as faiss 1.15 runs it for one query: `IndexPQ` (search type ST_PQ: the
/// batched distance table, each code's table sum) and `IndexScalarQuantizer` (its scanner over every code).
/// Codes are scored in order and offered to the k-heap (strict gate; no reservoir for these indexes).
public enum FlatCodesSearch {
    /// Codes scored per call.
    static let block = 4096

    public static func trace(_ index: FaissPQIndex, query: [Float], k: Int) throws -> SearchTrace {
        guard index.header.metric == .l2 || index.header.metric == .innerProduct else {
            throw FederSearchError.unsupportedMetric(index.header.metric, role: "index")
        }
        guard index.searchType == 0 else {
            throw FederSearchError.unsupported(
                "this IndexPQ searches with search_type \(index.searchType) (polysemous or code-to-code); only the default ST_PQ is traced")
        }
        try FastScanSearch.requireOpenBLAS(index.pq)
        let innerProduct = index.header.metric == .innerProduct
        let table = query.withUnsafeBufferPointer { q in
            q.baseAddress.map { PQTable.compute(index.pq, query: $0, innerProduct: innerProduct, batched: true) } ?? []
        }
        var trace = table.withUnsafeBufferPointer { t -> SearchTrace in
            scan(index.header, codes: index.codes, k: k) { codes, count, out in
                guard let t = t.baseAddress else { return }
                PQTable.scan(
                    index.pq, table: t, estimator: Int32(FEDER_PQ_INDEX_PQ), codes: codes, codeSize: index.codes.codeSize,
                    count: count, base: nil, into: out)
            }
        }
        trace.codes = index.pq.summary
        if index.pq.subDim >= 16 { trace.openBLAS = "\(Kernels.active.openBLAS.name) sgemm" }
        return trace
    }

    public static func trace(_ index: FaissSQIndex, query: [Float], k: Int) throws -> SearchTrace {
        guard index.header.metric == .l2 || index.header.metric == .innerProduct else {
            throw FederSearchError.unsupportedMetric(index.header.metric, role: "index")
        }
        let innerProduct = index.header.metric == .innerProduct
        let computer = try SQDistanceComputer(index.sq, innerProduct: innerProduct)
        withQueryPointer(query) { computer.setQuery($0) }
        // The scanner: inner products are its accu0 (0 here) plus each code's.
        var trace = scan(index.header, codes: index.codes, k: k) { codes, count, out in
            computer.scan(codes, count: count, base: innerProduct ? 0 : nil, into: out)
        }
        trace.codes = "SQ \(index.sq.typeName) (\(computer.kernels))"
        return trace
    }

    /// Every code in order: distances from `score` block by block, each offered to the k-heap.
    static func scan(
        _ header: FaissHeader, codes: CodeTable, k: Int,
        score: (_ codes: UnsafeRawPointer, _ count: Int, _ out: UnsafeMutablePointer<Float>) -> Void
    ) -> SearchTrace {
        let metric = header.metric
        var heap = FaissResultHeap(capacity: k, order: metric == .innerProduct ? .keepLargest : .keepSmallest)
        var distances = [Float](repeating: 0, count: codes.count)
        var start = 0
        while start < codes.count {
            let count = min(Self.block, codes.count - start)
            distances.withUnsafeMutableBufferPointer { out in
                guard let out = out.baseAddress else { return }
                score(codes.codePointer(start), count, out + start)
            }
            for position in start..<(start + count) { heap.offer(distances[position], id: Int64(position)) }
            start += count
        }
        var counts = SearchCounts(distanceComputations: codes.count, visited: codes.count)
        counts.scanned = codes.count
        var trace = SearchTrace(
            kind: .flat, metric: metric.name, parameters: SearchParameters(k: k),
            results: heap.sortedResults().map { Neighbor(id: $0.id, distance: $0.distance, internalID: Int($0.id)) },
            counts: counts, distance: FaissIndex.distance(of: metric), labels: .signed)
        trace.scoredRows = distances
        return trace
    }
}

/// `IndexRefine` / `IndexRefineFlat` for one query: the base index's search for k_base = Int(Float(k) ·
/// k_factor), every shortlist entry re-scored by the refine index (a flat index's own kernel; another index's
/// distance computer, stopping at the first −1), then faiss's `reorder_2_heaps`: the first k pushed in
/// shortlist order, the rest offered with the strict gate, the k best kept.
public enum RefineSearch {
    static func trace(_ index: FaissRefineIndex, query: [Float], request: SearchRequest, warnings: inout [String]) throws
        -> SearchTrace
    {
        let metric = index.header.metric
        guard metric == .l2 || metric == .innerProduct else { throw FederSearchError.unsupportedMetric(metric, role: "index") }
        let k = request.k
        let product = Float(k) * index.kFactor
        guard product.isFinite, product < Float(Int32.max) else {
            throw FederSearchError.invalidParameter(name: "k", value: k, detail: "k × k_factor \(index.kFactor) is too large")
        }
        let kBase = Int(product)
        guard kBase >= k else {
            throw FederSearchError.unsupported("k_factor \(index.kFactor) gives a shortlist of \(kBase) < k = \(k) (faiss refuses it)")
        }
        var baseRequest = request
        baseRequest.k = kBase
        let base = try Searcher.traceFaiss(index.base, query: query, request: baseRequest, warnings: &warnings)
        let refineCount = index.refine.header.count
        for entry in base.results where entry.id < -1 || entry.id >= Int64(refineCount) {
            throw FederSearchError.unsupported(
                "the base index returned label \(entry.id), which the refine index (\(refineCount) vectors) does not hold")
        }
        let innerProduct = metric == .innerProduct
        var refined: [Float?] = []
        let describe: String
        switch index.refine {
        case .flat(let flat):
            // IndexRefineFlat::compute_distance_subset: −1 entries get ∓∞.
            guard FaissKernel(flat.header.metric) == (innerProduct ? .innerProduct : .l2) else {
                throw FederSearchError.unsupportedMetric(flat.header.metric, role: "refine index")
            }
            let function = (innerProduct ? FaissKernel.innerProduct : .l2).resolved()
            withQueryPointer(query) { q in
                for entry in base.results {
                    refined.append(
                        entry.id < 0
                            ? (innerProduct ? -Float.infinity : .infinity)
                            : function(q, flat.vectors.rowPointer(Int(entry.id)), dim: flat.header.dim))
                }
            }
            describe = "flat"
        case .scalarQuantizer(let sq):
            let computer = try SQDistanceComputer(sq.sq, innerProduct: sq.header.metric == .innerProduct)
            withQueryPointer(query) { computer.setQuery($0) }
            refined = rescore(base.results) { computer.distance(sq.codes.codePointer($0)) }
            describe = "SQ \(sq.sq.typeName) (\(computer.kernels))"
        case .pq(let pq):
            let table = query.withUnsafeBufferPointer { q in
                q.baseAddress.map { PQTable.compute(pq.pq, query: $0, innerProduct: pq.header.metric == .innerProduct, batched: false) }
                    ?? []
            }
            refined = table.withUnsafeBufferPointer { t in
                rescore(base.results) { node in
                    feder_pq_code_distance(
                        Kernels.active.faiss.floatLevel, Int32(FEDER_PQ_CODE_DISTANCE), pq.pq.subquantizers, pq.pq.bitsPerCode,
                        t.baseAddress, pq.codes.codePointer(node).assumingMemoryBound(to: UInt8.self))
                }
            }
            describe = pq.pq.summary
        default:
            throw FederSearchError.unsupported(
                "tracing a refine index of kind \(index.refine.code) is not supported; flat, SQ and PQ refine indexes are")
        }

        // reorder_2_heaps.
        var heap = FaissResultHeap(capacity: k, order: innerProduct ? .keepLargest : .keepSmallest)
        for (position, entry) in base.results.enumerated() {
            let distance = refined[position] ?? entry.distance
            if position < k {
                heap.push(distance, id: entry.id, count: position + 1)
            } else {
                heap.offer(distance, id: entry.id)
            }
        }
        var counts = base.counts
        counts.distanceComputations += refined.count(where: { $0 != nil })
        var trace = SearchTrace(
            kind: base.kind, metric: metric.name,
            parameters: SearchParameters(k: k, nprobe: base.parameters.nprobe, ef: base.parameters.ef),
            results: heap.sortedResults().map { Neighbor(id: $0.id, distance: $0.distance, internalID: Int($0.id)) },
            counts: counts, distance: base.distance, labels: base.labels)
        // The base's own search (its coarse step, lists or graph) is what the views draw.
        trace.ivf = base.ivf
        trace.hnsw = base.hnsw
        trace.nodeLabels = base.nodeLabels
        trace.transform = base.transform
        trace.scoredRows = base.scoredRows
        trace.refine = RefineTrace(kBase: kBase, kFactor: index.kFactor, base: base, refined: refined, refineIndex: describe)
        trace.openBLAS = base.openBLAS
        trace.codes = base.codes
        return trace
    }

    /// `(*dc)(id)` for each shortlist entry until the first −1 (nil from there: the base's distance stays).
    static func rescore(_ shortlist: [Neighbor], distance: (Int) -> Float) -> [Float?] {
        var out: [Float?] = []
        var stopped = false
        for entry in shortlist {
            if entry.id < 0 { stopped = true }
            out.append(stopped ? nil : distance(Int(entry.id)))
        }
        return out
    }
}
