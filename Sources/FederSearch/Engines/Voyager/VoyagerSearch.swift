import FederIndex

/// Voyager's `Index.query` (2.2.3), traced: the query prepared as Voyager prepares it (normalised for cosine, the
/// inner product's extra dimension set to 0, converted to the storage type), then hnswlib's `searchKnn` as Voyager
/// forked it (`HNSWLibSearch.search`) with Voyager's kernels (`VoyagerKernels`). ef is the query's, else 10 (what
/// loading sets), and at least k; Voyager refuses a query_ef below k and so does this search.
extension VoyagerIndex: TracedEngineIndex {
    public var kernels: String { "voyager SSE (4 lanes, no FMA, as the PyPI wheel is built)" }

    /// The query as the kernels take it: float32 components, or Float8 codes.
    enum Prepared {
        case floats([Float])
        case codes([Int8])
    }

    func prepare(_ query: [Float]) throws -> Prepared {
        let extra = space == .innerProduct && orderPreserving
        switch storage {
        case .float32:
            var values = space == .cosine ? VoyagerKernels.normalized(query) : query
            if extra { values.append(0) }
            return .floats(values)
        case .float8:
            var codes: [Int8]
            if space == .cosine {
                codes = VoyagerKernels.float8Normalized(query)
            } else {
                codes = []
                codes.reserveCapacity(query.count + 1)
                for (position, value) in query.enumerated() {
                    guard value <= 1, value >= -128 / 127 else {
                        throw FederSearchError.unsupported(
                            "Voyager's Float8 storage holds values from -128/127 to 1; component \(position) of the query is \(value)")
                    }
                    codes.append(Int8((value * 127).rounded(.towardZero)))
                }
            }
            if extra { codes.append(0) }
            return .codes(codes)
        case .e4m3:
            throw FederSearchError.unsupported(
                "tracing Voyager's E4M3 storage is not supported yet (Float32 and Float8 are); inspect and health read it")
        }
    }

    public func trace(query: [Float], request: SearchRequest, warnings: inout [String], reusing previous: SearchTrace?) throws
        -> SearchTrace
    {
        let ef = request.ef ?? Self.defaultEf
        guard ef >= 1 else { throw FederSearchError.invalidParameter(name: "ef", value: ef, detail: "must be at least 1") }
        if let asked = request.ef, asked < request.k {
            throw FederSearchError.invalidParameter(
                name: "ef", value: asked, detail: "is below k = \(request.k), which Voyager's query refuses (query_ef must be at least k)")
        }
        let prepared = try prepare(query)
        var trace = withScorer(prepared) { scorer in
            HNSWLibSearch.search(
                graph, scorer: &scorer, k: request.k, ef: ef, kind: .voyager, distance: model.distance,
                descent: previous.flatMap { $0.kind == .voyager ? HNSWDescent(of: $0) : nil }, record: request.recordSteps)
        }
        if trace.results.count < request.k {
            warnings.append("found \(trace.results.count) of k = \(request.k) results (Voyager's query would raise RecallError here)")
        }
        trace.kernels = kernels
        return trace
    }

    func withScorer<T>(_ prepared: Prepared, _ body: (inout VoyagerScorer) -> T) -> T {
        var scorer = VoyagerScorer(index: self, prepared: prepared)
        return body(&scorer)
    }

    public func exactNeighbors(queries: [[Float]], ks: [Int]) -> [[[Neighbor]]] {
        let k = ks.max() ?? 0
        let answers: [[Neighbor]] = queries.map { query in
            guard k > 0, let prepared = try? prepare(query) else { return [] }
            let scorer = VoyagerScorer(index: self, prepared: prepared)
            // Labels are unsigned: ties go to the smaller one as an unsigned number.
            var best = LexicographicTopK<Float, UInt64>(k: k)
            for id in 0..<graph.count where !graph.isDeleted(id) { best.offer(scorer.distance(id), label: graph.label(id)) }
            return best.sorted().map { Neighbor(id: Int64(bitPattern: $0.label), distance: $0.distance, internalID: -1) }
        }
        return ks.map { k in answers.map { Array($0.prefix(k)) } }
    }

    public func distances(queries: [[Float]], labels: [[Int64]]) -> [[Float?]] {
        zip(queries, labels).map { query, wanted in
            guard let prepared = try? prepare(query) else { return wanted.map { _ in nil } }
            let scorer = VoyagerScorer(index: self, prepared: prepared)
            return wanted.map { label in element(label: label).map { scorer.distance($0) } }
        }
    }
}

/// Voyager's kernels, node by node.
struct VoyagerScorer: GraphScorer {
    let index: VoyagerIndex
    let prepared: VoyagerIndex.Prepared
    let innerProduct: Bool
    var gathered: [Int] = []
    var values: [Float] = []

    init(index: VoyagerIndex, prepared: VoyagerIndex.Prepared) {
        self.index = index
        self.prepared = prepared
        innerProduct = index.space != .euclidean
    }

    func distance(_ node: Int) -> Float {
        let vector = index.graph.vectorPointer(node)
        switch prepared {
        case .floats(let query):
            return query.withUnsafeBufferPointer { q in
                VoyagerKernels.float32(q, vector.assumingMemoryBound(to: Float.self), innerProduct: innerProduct)
            }
        case .codes(let query):
            return query.withUnsafeBufferPointer { q in
                VoyagerKernels.float8(q, vector.assumingMemoryBound(to: Int8.self), innerProduct: innerProduct)
            }
        }
    }

    mutating func removeAll() { gathered.removeAll(keepingCapacity: true) }
    mutating func append(_ node: Int) { gathered.append(node) }
    mutating func score() { values = gathered.map(distance) }
    func scored(_ position: Int) -> Float { values[position] }
}
