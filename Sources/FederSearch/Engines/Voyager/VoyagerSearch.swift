import FederIndex

/// Voyager's `Index.query` (2.2.3), traced: the query prepared as Voyager prepares it (normalised for cosine, the
/// inner product's extra dimension set to 0, converted to the storage type), then hnswlib's `searchKnn` as Voyager
/// forked it (`HNSWLibSearch.search`) with Voyager's kernels (`VoyagerKernels`, `VoyagerE4M3`). ef is the query's,
/// else 10 (what loading sets), and at least k; Voyager refuses a query_ef below k and so does this search.
extension VoyagerIndex: TracedEngineIndex {
    public var kernels: String {
        storage == .e4m3
            ? "voyager E4M3 (table-decoded, added in the wheel's order, no FMA)"
            : "voyager SSE (4 lanes, no FMA, as the PyPI wheel is built)"
    }

    /// The query as the kernels take it: float32 components, Float8 codes, or E4M3 bytes decoded back to floats.
    enum Prepared {
        case floats([Float])
        case codes([Int8])
        case e4m3([Float])
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
            var values = space == .cosine ? VoyagerKernels.normalized(query) : query
            if extra { values.append(0) }
            return .e4m3(try Self.e4m3Decoded(values, cosine: space == .cosine))
        }
    }

    /// Each component through `E4M3(float)` and back through the library's table, as the kernels read the query.
    static func e4m3Decoded(_ values: [Float], cosine: Bool) throws -> [Float] {
        // The wheel's cosine path (normalise, then encode in one loop) ORs in a sign register it sets only at the
        // first non-zero component: a leading 0 becomes whatever byte that register held (any value, NaN
        // included), so the library's distances for such a query are not defined and cannot be matched.
        if cosine, let first = values.first, first == 0 {
            throw FederSearchError.unsupported(
                "a cosine query whose first component is 0 after normalisation cannot be traced exactly over Voyager's E4M3 "
                    + "storage: the wheel encodes that component with a sign byte it never sets (undefined behaviour; the "
                    + "byte is whatever a register held, NaN included), so Voyager's own distances for this query are "
                    + "unpredictable")
        }
        return try values.enumerated().map { position, value in
            guard let byte = VoyagerE4M3.encode(value) else {
                throw FederSearchError.unsupported(
                    "Voyager's E4M3 storage holds values from -448 to 448; component \(position) of the query is \(value)")
            }
            return VoyagerE4M3.table[Int(byte)]
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
        case .e4m3(let query):
            return query.withUnsafeBufferPointer { q in
                VoyagerE4M3.distance(q, vector.assumingMemoryBound(to: UInt8.self), innerProduct: innerProduct)
            }
        }
    }

    mutating func removeAll() { gathered.removeAll(keepingCapacity: true) }
    mutating func append(_ node: Int) { gathered.append(node) }
    mutating func score() { values = gathered.map(distance) }
    func scored(_ position: Int) -> Float { values[position] }
}
