extension HNSWLibIndex {
    /// The graph as the stages read it: levels, links in stored order, deleted marks and labels; `vectors` for
    /// placing nodes when the caller has them as floats.
    public func layeredGraph(
        engine: String = "hnswlib", dim: Int? = nil, vectors: @escaping @Sendable () -> VectorTable? = { nil }
    ) -> LayeredGraph {
        let index = self
        let levels = elementLevels
        return LayeredGraph(
            count: count, dim: dim ?? self.dim, maxLevel: maxLevel, entryPoint: entryPoint, m: m, efConstruction: efConstruction,
            engine: engine, hasDeleted: deletedCount > 0, level: { Int(levels[$0]) },
            neighbors: { node, level, visit in
                guard level <= Int(levels[node]) else { return }
                let (linkCount, ids) = index.linkList(of: node, level: level)
                for slot in 0..<linkCount { visit(Int(ids.loadUnaligned(fromByteOffset: slot * 4, as: UInt32.self))) }
            },
            isDeleted: { index.isDeleted($0) }, label: { Int64(bitPattern: index.label($0)) }, vectors: vectors)
    }
}

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
