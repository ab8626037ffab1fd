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
