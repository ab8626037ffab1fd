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

    /// The graph of an HNSW index (faiss `IHNf`, possibly inside an IDMap, or hnswlib); nil for other kinds.
    public static func from(_ index: IndexFile) -> HNSWGraphView? {
        switch index {
        case .hnswlib(let hnsw):
            return HNSWGraphView(
                count: hnsw.count, dim: hnsw.dim, maxLevel: hnsw.maxLevel, entryPoint: hnsw.entryPoint, m: hnsw.m,
                efConstruction: hnsw.efConstruction, library: "hnswlib",
                level: { Int(hnsw.elementLevels[$0]) },
                neighbors: { node, level in
                    let list = hnsw.linkList(of: node, level: level)
                    return (0..<list.count).map { Int(list.ids.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)) }
                },
                vector: { hnsw.vectorPointer($0) }, label: { Int64(bitPattern: hnsw.label($0)) })
        case .faiss(let faiss):
            return from(faiss, labels: nil)
        case .engine(let engine):
            guard let graph = engine.layeredGraph, let vectors = graph.vectors else { return nil }
            return HNSWGraphView(
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

    static func from(_ index: FaissIndex, labels: MappedArray<Int64>?) -> HNSWGraphView? {
        switch index {
        case .idMap(let map):
            return from(map.inner, labels: map.ids)
        case .refine(let refine):
            return from(refine.base, labels: labels)
        case .preTransform(let pre):
            return from(pre.inner, labels: labels)
        case .hnsw(let hnsw):
            let graph = hnsw.graph
            // PQ / SQ storage: the codes decoded once (up to 2^26 floats) for the planes' projection.
            guard let storage = hnsw.flatStorage?.vectors ?? decoded(hnsw.storage) else { return nil }
            return HNSWGraphView(
                count: storage.count, dim: hnsw.header.dim, maxLevel: storage.count == 0 ? -1 : graph.maxLevel,
                entryPoint: graph.entryPoint, m: graph.m, efConstruction: graph.efConstruction, library: "faiss",
                level: { Int(graph.levels[$0]) - 1 },
                neighbors: { node, level in
                    var out: [Int] = []
                    for slot in graph.slotRange(node: node, level: level) {
                        let neighbor = Int(graph.neighbors[slot])
                        if neighbor < 0 { break }
                        out.append(neighbor)
                    }
                    return out
                },
                vector: { storage.rowPointer($0) },
                label: { node in labels.map { $0[node] } ?? Int64(node) })
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
