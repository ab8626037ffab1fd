extension FaissHNSWGraph {
    /// faiss's graph as the stages read it: a node with levels[i] = L has lists on levels 0 … L − 1, a list ends at
    /// its first −1; labels through an id map when there is one.
    public func layeredGraph(
        count: Int, dim: Int, engine: String, labels: MappedArray<Int64>? = nil,
        vectors: @escaping @Sendable () -> VectorTable? = { nil }
    ) -> LayeredGraph {
        let graph = self
        return LayeredGraph(
            count: count, dim: dim, maxLevel: count == 0 ? -1 : maxLevel, entryPoint: entryPoint, m: m,
            efConstruction: efConstruction, engine: engine, hasDeleted: false, level: { Int(graph.levels[$0]) - 1 },
            neighbors: { node, level, visit in
                guard level < Int(graph.levels[node]) else { return }
                for slot in graph.slotRange(node: node, level: level) {
                    let neighbor = Int(graph.neighbors[slot])
                    if neighbor < 0 { break }
                    visit(neighbor)
                }
            },
            isDeleted: { _ in false },
            label: { node in labels.map { node < $0.count ? $0[node] : Int64(node) } ?? Int64(node) }, vectors: vectors)
    }
}

extension FaissIndex {
    /// The HNSW graph of this index — itself, or under an id map, a refine index or a pre-transform — labelled
    /// through the id map; its `vectors` are the stored vectors as floats: flat storage as it is, PQ / SQ codes
    /// decoded (nil above 2^26 floats). Nil for an index without a graph.
    public var layeredGraph: LayeredGraph? { layeredGraph(labels: nil) }

    func layeredGraph(labels: MappedArray<Int64>?) -> LayeredGraph? {
        switch self {
        case .idMap(let map):
            return map.inner.layeredGraph(labels: map.ids)
        case .refine(let refine):
            return refine.base.layeredGraph(labels: labels)
        case .preTransform(let pre):
            return pre.inner.layeredGraph(labels: labels)
        case .hnsw(let hnsw):
            let flat = hnsw.flatStorage?.vectors
            let storage = hnsw.storage
            return hnsw.graph.layeredGraph(
                count: hnsw.header.count, dim: hnsw.header.dim, engine: "faiss", labels: labels,
                vectors: { flat ?? FaissIndex.decodedRows(of: storage) })
        default:
            return nil
        }
    }

    /// Every stored vector of a code storage, decoded, as a table (nil when empty or above 2^26 floats).
    static func decodedRows(of storage: FaissIndex) -> VectorTable? {
        let count = storage.header.count
        let dim = storage.header.dim
        guard count > 0, count.multipliedReportingOverflow(by: dim).partialValue <= 1 << 26 else { return nil }
        var rows: [Float] = []
        rows.reserveCapacity(count * dim)
        for row in 0..<count {
            guard let vector = storage.reconstruct(row: row) else { return nil }
            rows += vector
        }
        return VectorTable(name: "decoded codes", rows: rows, dim: dim)
    }
}
