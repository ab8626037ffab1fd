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
