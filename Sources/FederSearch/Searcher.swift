import FederIndex

/// What to search for and how: the libraries' defaults apply where a parameter is nil.
public struct SearchRequest: Sendable, Equatable {
    public var k: Int
    /// IVF: lists to probe (default: the nprobe saved in the file; clamped to nlist as faiss does).
    public var nprobe: Int?
    /// HNSW: faiss efSearch (default: saved in the file) or hnswlib ef (default 10, as after load_index).
    public var ef: Int?
    /// faiss's OpenMP threads (`omp_get_max_threads()`): above 1, a flat search (or a flat coarse quantizer)
    /// over at least max(10,000, threads × 1,024) vectors is split across the threads as faiss splits it, with
    /// OpenBLAS's sgemm for the distances. Default 1, as with `faiss.omp_set_num_threads(1)`.
    public var ompThreads: Int
    /// Keep layer 0's expansions (every pop and neighbour event) in an HNSW trace (hnswlib or faiss); false when
    /// only the answer and the counts are wanted (the searches that look for the ef a query needed), which saves
    /// their recording.
    public var recordSteps = true

    /// The most OpenMP threads a search mirrors.
    public static let maximumOMPThreads = 1024

    public init(k: Int = 10, nprobe: Int? = nil, ef: Int? = nil, ompThreads: Int = 1) {
        self.k = k
        self.nprobe = nprobe
        self.ef = ef
        self.ompThreads = ompThreads
    }
}

/// Runs the traced search that mirrors the library that wrote `index`.
public enum Searcher {
    /// hnswlib's `ef_` after `load_index`.
    public static let hnswlibDefaultEf = 10

    /// - Throws: `FederSearchError` for a bad k / nprobe / ef, a query of the wrong dimension or with NaN,
    ///   and index kinds that cannot be traced.
    /// - Returns: the trace, and warnings (such as nprobe clamped to nlist).
    /// - Parameter previous: a whole trace of the same query on the same index at other settings: an HNSW search
    ///   (hnswlib or faiss) then takes over its upper-level descent (which no setting changes) instead of descending
    ///   again.
    public static func trace(
        _ index: IndexFile, query: [Float], request: SearchRequest, source: String = "the query", reusing previous: SearchTrace? = nil
    ) throws -> (trace: SearchTrace, warnings: [String]) {
        guard request.k >= 1 else { throw FederSearchError.invalidK(request.k) }
        guard (1...SearchRequest.maximumOMPThreads).contains(request.ompThreads) else {
            throw FederSearchError.invalidParameter(
                name: "ompThreads", value: request.ompThreads, detail: "must be between 1 and \(SearchRequest.maximumOMPThreads)")
        }
        guard query.count == index.dim else {
            throw FederSearchError.dimensionMismatch(expected: index.dim, got: query.count, source: source)
        }
        guard allFinite(query) else { throw FederSearchError.nonFiniteQuery(source: source) }
        var warnings: [String] = []
        let trace: SearchTrace
        switch index {
        case .hnswlib(let hnswlib):
            let ef = request.ef ?? hnswlibDefaultEf
            guard ef >= 1 else { throw FederSearchError.invalidParameter(name: "ef", value: ef, detail: "must be at least 1") }
            let descent = previous.flatMap { $0.kind == .hnswlib ? HNSWLibSearch.Descent(of: $0) : nil }
            trace = HNSWLibSearch.trace(hnswlib, query: query, k: request.k, ef: ef, descent: descent, record: request.recordSteps)
            if trace.results.count < request.k {
                warnings.append(
                    "found \(trace.results.count) of k = \(request.k) results (hnswlib's knn_query would raise here)")
            }
        case .faiss(let faiss):
            trace = try traceFaiss(
                faiss, query: query, request: request, warnings: &warnings,
                descent: previous.flatMap { $0.kind == .hnswlib || $0.kind == .voyager ? nil : FaissHNSWSearch.Descent(of: $0) })
        case .engine(let engine):
            guard let traced = engine as? any TracedEngineIndex else {
                throw FederSearchError.unsupported("\(engine.model.engine) \(engine.model.type) indexes are read but not searched")
            }
            trace = try traced.trace(query: query, request: request, warnings: &warnings, reusing: previous)
        }
        return (trace, warnings)
    }

    static func traceFaiss(
        _ index: FaissIndex, query: [Float], request: SearchRequest, warnings: inout [String], descent: FaissHNSWSearch.Descent? = nil
    ) throws -> SearchTrace {
        switch index {
        case .flat(let flat):
            guard let kernel = FaissKernel(flat.header.metric) else {
                throw FederSearchError.unsupportedMetric(flat.header.metric, role: "index")
            }
            return try FlatSearch.trace(flat, kernel: kernel, query: query, k: request.k, ompThreads: request.ompThreads)
        case .ivf(let ivf):
            let nprobe = request.nprobe ?? ivf.nprobe
            guard nprobe >= 1 else {
                throw FederSearchError.invalidParameter(name: "nprobe", value: nprobe, detail: "must be at least 1")
            }
            if case .productQuantizerFastScan = ivf.encoding {
                guard nprobe <= max(ivf.nlist, 1 << 16) else {
                    throw FederSearchError.invalidParameter(
                        name: "nprobe", value: nprobe, detail: "must be at most nlist \(ivf.nlist) (or 65536)")
                }
            } else if nprobe > ivf.nlist {
                warnings.append("nprobe \(nprobe) is larger than nlist \(ivf.nlist); using \(ivf.nlist) as faiss does")
            }
            return try IVFSearch.trace(ivf, query: query, k: request.k, nprobe: nprobe, ompThreads: request.ompThreads)
        case .hnsw(let hnsw):
            let ef = request.ef ?? hnsw.graph.efSearch
            guard ef >= 1 else { throw FederSearchError.invalidParameter(name: "ef", value: ef, detail: "must be at least 1") }
            return try FaissHNSWSearch.trace(hnsw, query: query, k: request.k, efSearch: ef, descent: descent, record: request.recordSteps)
        case .idMap(let map):
            var trace = try traceFaiss(map.inner, query: query, request: request, warnings: &warnings, descent: descent)
            // IndexIDMap::search: labels[i] = labels[i] < 0 ? labels[i] : id_map[labels[i]].
            for position in trace.results.indices where trace.results[position].id >= 0 {
                let internalID = trace.results[position].id
                guard internalID < Int64(map.ids.count) else {
                    throw FederSearchError.unsupported("the id map has no entry for internal id \(internalID) (corrupt index)")
                }
                trace.results[position].id = map.ids[Int(internalID)]
            }
            let nodes = (trace.hnsw?.visited ?? []) + (trace.ivf?.scanned ?? []).map { Int(truncatingIfNeeded: $0.id) }
            trace.nodeLabels = NodeLabels(idMap: map.ids, nodes: nodes)
            trace.kind = trace.kind.inIDMap
            return trace
        case .preTransform(let pre):
            let stages = try VectorTransforms.apply(pre.chain, to: query, ompThreads: request.ompThreads)
            let transformed = stages.last ?? query
            guard transformed.allSatisfy(\.isFinite) else {
                throw FederSearchError.nonFiniteQuery(source: "the transformed query")
            }
            var trace = try traceFaiss(pre.inner, query: transformed, request: request, warnings: &warnings, descent: descent)
            trace.transform = TransformTrace(
                stages: zip(pre.chain, stages).map { TransformTrace.Stage(transform: $0.summary, output: $1) })
            if VectorTransforms.usesOpenBLAS(pre.chain) {
                let sgemv = "\(Kernels.active.openBLAS.name) sgemv"
                trace.openBLAS = trace.openBLAS.map { "\(sgemv), \($0)" } ?? sgemv
            }
            return trace
        case .pqFastScan(let fastScan):
            return try FastScanSearch.trace(fastScan, query: query, k: request.k)
        case .pq(let pq):
            return try FlatCodesSearch.trace(pq, query: query, k: request.k)
        case .scalarQuantizer(let sq):
            return try FlatCodesSearch.trace(sq, query: query, k: request.k)
        case .refine(let refine):
            return try RefineSearch.trace(refine, query: query, request: request, warnings: &warnings)
        }
    }
}

/// Whether every value is finite: one pass without an early exit, which the compiler turns into vector code (a
/// query is checked once per search).
func allFinite(_ values: [Float]) -> Bool {
    values.withUnsafeBufferPointer { buffer in
        // A value is not finite when its exponent bits are all set (an infinity or a NaN).
        var exponentsFull: UInt32 = 0
        for value in buffer { exponentsFull |= (value.bitPattern & 0x7F80_0000) == 0x7F80_0000 ? 1 : 0 }
        return exponentsFull == 0
    }
}
