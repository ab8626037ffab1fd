/// An index read through the engine door (`IndexFile.engine`): what the stages ask of it besides its search,
/// which its engine's folder in `FederSearch` adds (`TracedEngineIndex`).
public protocol EngineIndex: Sendable {
    /// What it is (distance, labels, structures, parameters).
    var model: IndexModel { get }
    /// What `inspect` prints of it.
    var summary: IndexSummary { get }
    /// The vector stored under `label` in the form queries take (float32, or a binary code's bits as 0 / 1), nil
    /// when there is none.
    func storedVector(label: Int64) -> [Float]?
    /// Stored float rows for projections and exact search, in exact search's order (empty when there are none, or
    /// when the engine computes exact truth itself).
    func storedSegments() -> [StoredSegment]
    /// The stored rows, each with its label, for explanations that ask where a label is stored.
    var rows: Int { get }
    func label(ofRow row: Int) -> Int64
    /// Its layered graph, when it is one (or holds one).
    var layeredGraph: LayeredGraph? { get }
    /// Its partition as the partition views and health read it (float rows; lists, ids and centroids as the index
    /// holds them), when it is one; built on each call, so callers keep it.
    var partitionView: FaissIVFIndex? { get }
    /// Its partition's list sizes, by list number (what list health reads), when it is one: cheap, unlike the view.
    var listSizes: [Int]? { get }
    /// The node of `layeredGraph` holding each row, when rows are not the graph's nodes (a pgvector element holds
    /// up to ten rows); nil when row i is node i.
    var rowNodes: [Int]? { get }
    /// What health says of it beyond its graph or lists, one sentence each (a database index's dead rows awaiting
    /// VACUUM, lists trained on too few rows).
    var healthNotes: [String] { get }
}

extension EngineIndex {
    public var partitionView: FaissIVFIndex? { nil }
    public var listSizes: [Int]? { nil }
    public var rowNodes: [Int]? { nil }
    public var healthNotes: [String] { [] }
}

/// A layered proximity graph, whichever engine wrote it: what views, explanations and health read.
public struct LayeredGraph: Sendable {
    /// Nodes (storage rows).
    public var count: Int
    public var dim: Int
    /// Top level (−1 when empty) and the node searches enter at.
    public var maxLevel: Int
    public var entryPoint: Int
    public var m: Int
    public var efConstruction: Int
    /// The engine, for captions.
    public var engine: String
    /// Whether any node is marked deleted.
    public var hasDeleted: Bool
    /// Top level of a node.
    public var level: @Sendable (Int) -> Int
    /// Calls the visitor with each link of a node on a level, in stored order.
    public var neighbors: @Sendable (_ node: Int, _ level: Int, _ visit: (Int) -> Void) -> Void
    public var isDeleted: @Sendable (Int) -> Bool
    /// The caller's label of a node.
    public var label: @Sendable (Int) -> Int64
    /// Every node's vector as floats, for placing nodes (a code's bits as 0 / 1, 8-bit storage decoded), made when
    /// called (views call it once; searches, health and explanations never); nil when too large to unpack.
    public var vectors: @Sendable () -> VectorTable?

    /// Top level of `node`.
    public func level(of node: Int) -> Int { level(node) }

    public init(
        count: Int, dim: Int, maxLevel: Int, entryPoint: Int, m: Int, efConstruction: Int, engine: String, hasDeleted: Bool,
        level: @escaping @Sendable (Int) -> Int, neighbors: @escaping @Sendable (Int, Int, (Int) -> Void) -> Void,
        isDeleted: @escaping @Sendable (Int) -> Bool, label: @escaping @Sendable (Int) -> Int64,
        vectors: @escaping @Sendable () -> VectorTable? = { nil }
    ) {
        (self.count, self.dim, self.maxLevel, self.entryPoint, self.m) = (count, dim, maxLevel, entryPoint, m)
        (self.efConstruction, self.engine, self.hasDeleted) = (efConstruction, engine, hasDeleted)
        (self.level, self.neighbors, self.isDeleted, self.label, self.vectors) = (level, neighbors, isDeleted, label, vectors)
    }
}

extension IndexFile {
    /// The index's layered graph, whichever engine wrote it (faiss's through its wrappers), with its vectors for
    /// placing nodes; nil when it has none.
    public var layeredGraph: LayeredGraph? {
        switch self {
        case .hnswlib(let hnswlib):
            let vectors = hnswlib.vectors
            return hnswlib.layeredGraph(vectors: { vectors })
        case .faiss(let faiss):
            return faiss.layeredGraph
        case .engine(let engine):
            return engine.layeredGraph
        }
    }
}
