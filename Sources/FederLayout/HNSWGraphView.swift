import FederIndex

/// One read-only view of an HNSW graph, whichever library wrote it: node levels, links, vectors and labels.
public struct HNSWGraphView: Sendable {
    public var count: Int
    public var dim: Int
    /// Top level of the graph (−1 when empty).
    public var maxLevel: Int
    public var entryPoint: Int
    public var m: Int
    public var efConstruction: Int
    public var library: String
    /// Top level of a node.
    public var level: @Sendable (Int) -> Int
    /// Links of a node on a level.
    public var neighbors: @Sendable (Int, Int) -> [Int]
    /// Address of a node's first float.
    public var vector: @Sendable (Int) -> UnsafeRawPointer
    /// The caller's label of a node.
    public var label: @Sendable (Int) -> Int64

    /// The graph of an HNSW index (faiss `IHNf`, possibly inside an IDMap, hnswlib, or a door engine's layered
    /// graph); nil for other kinds, or when its vectors cannot be had as floats.
    public static func from(_ index: IndexFile) -> HNSWGraphView? {
        switch index {
        case .hnswlib(let hnsw):
            return HNSWGraphView(hnsw.layeredGraph(), vectors: hnsw.vectors)
        case .faiss(let faiss):
            return from(faiss, labels: nil)
        case .engine(let engine):
            guard let graph = engine.layeredGraph, let vectors = graph.vectors() else { return nil }
            return HNSWGraphView(graph, vectors: vectors)
        }
    }

    static func from(_ index: FaissIndex, labels: MappedArray<Int64>?) -> HNSWGraphView? {
        switch index {
        case .idMap(let map):
            return from(map.inner, labels: map.ids)
        case .refine(let refine):
            return from(refine.base, labels: labels)
        case .preTransform(let pre):
            return from(pre.inner, labels: labels)
        case .hnsw(let hnsw):
            // PQ / SQ storage: the codes decoded once (up to 2^26 floats) for the planes' projection.
            guard let storage = hnsw.flatStorage?.vectors ?? decoded(hnsw.storage) else { return nil }
            let graph = hnsw.graph.layeredGraph(count: storage.count, dim: hnsw.header.dim, engine: "faiss", labels: labels)
            return HNSWGraphView(graph, vectors: storage)
        default:
            return nil
        }
    }

    /// Every stored vector of a code storage, decoded, as a table (nil above 2^26 floats).
    static func decoded(_ storage: FaissIndex) -> VectorTable? {
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

    /// Nodes on each level, level 0 first.
    public func levelCounts() -> [Int] {
        guard maxLevel >= 0 else { return [] }
        var counts = [Int](repeating: 0, count: maxLevel + 1)
        for node in 0..<count {
            for value in 0...min(level(node), maxLevel) { counts[value] += 1 }
        }
        return counts
    }
}

extension HNSWGraphView {
    /// A layered graph with its nodes' vectors.
    init(_ graph: LayeredGraph, vectors: VectorTable) {
        self.init(
            count: graph.count, dim: vectors.dim, maxLevel: graph.maxLevel, entryPoint: graph.entryPoint, m: graph.m,
            efConstruction: graph.efConstruction, library: graph.engine, level: graph.level,
            neighbors: { node, level in
                var out: [Int] = []
                graph.neighbors(node, level) { out.append($0) }
                return out
            },
            vector: { vectors.rowPointer($0) }, label: graph.label)
    }
}
