import FederIndex

/// A layered graph with its nodes' vectors as floats, as the HNSW views place and draw it (the graph itself is
/// FederIndex's `LayeredGraph`, which the searches, explanations and health read too).
public struct HNSWGraphView: Sendable {
    public let graph: LayeredGraph
    /// Every node's vector, row r the node r.
    public let vectors: VectorTable

    public init(_ graph: LayeredGraph, vectors: VectorTable) {
        self.graph = graph
        self.vectors = vectors
    }

    public var count: Int { graph.count }
    public var dim: Int { vectors.dim }
    /// Top level of the graph (−1 when empty).
    public var maxLevel: Int { graph.maxLevel }
    public var entryPoint: Int { graph.entryPoint }
    public var m: Int { graph.m }
    public var efConstruction: Int { graph.efConstruction }
    public var library: String { graph.engine }
    /// Top level of a node.
    public func level(_ node: Int) -> Int { graph.level(node) }
    /// Links of a node on a level, in stored order.
    public func neighbors(_ node: Int, _ level: Int) -> [Int] {
        var out: [Int] = []
        graph.neighbors(node, level) { out.append($0) }
        return out
    }
    /// Address of a node's first float.
    public func vector(_ node: Int) -> UnsafeRawPointer { vectors.rowPointer(node) }
    /// The caller's label of a node.
    public func label(_ node: Int) -> Int64 { graph.label(node) }

    /// The graph of an HNSW index (faiss `IHNf`, possibly inside an IDMap, hnswlib, or a door engine's layered
    /// graph) with its vectors; nil for other kinds, or when its vectors cannot be had as floats.
    public static func from(_ index: IndexFile) -> HNSWGraphView? {
        guard let graph = index.layeredGraph, let vectors = graph.vectors() else { return nil }
        return HNSWGraphView(graph, vectors: vectors)
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
