import FederIndex

/// What is wrong with an index before any query runs: unbalanced IVF lists, HNSW nodes no search can reach.
public struct IndexHealth: Codable, Equatable, Sendable {
    /// `ivf` or `hnsw` (faiss) or `hnswlib`.
    public var kind: String
    public var count: Int
    public var ivf: IVFHealth?
    public var hnsw: HNSWHealth?
    /// What the engine says beyond the lists or the graph, a sentence each (`EngineIndex.healthNotes`).
    public var notes: [String]?

    public init(kind: String, count: Int, ivf: IVFHealth? = nil, hnsw: HNSWHealth? = nil, notes: [String]? = nil) {
        (self.kind, self.count, self.ivf, self.hnsw, self.notes) = (kind, count, ivf, hnsw, notes)
    }

    /// The health of `index`: its IVF lists or its HNSW graph, wherever they sit (inside an IDMap, a
    /// pre-transform or a refine index); nil for indexes with neither (flat, PQ, SQ).
    public static func of(_ index: IndexFile) -> IndexHealth? {
        switch index {
        case .hnswlib(let hnswlib):
            return IndexHealth(kind: "hnswlib", count: hnswlib.count, hnsw: HNSWHealth(hnswlib.layeredGraph()))
        case .faiss(let faiss):
            let found = Explanations.FaissContext(index: faiss)
            if let ivf = found.ivf { return IndexHealth(kind: "ivf", count: ivf.header.count, ivf: IVFHealth(ivf)) }
            guard let hnsw = found.hnsw else { return nil }
            let links = hnsw.graph.layeredGraph(count: hnsw.header.count, dim: hnsw.header.dim, engine: "faiss", labels: found.labels)
            return IndexHealth(kind: "hnsw", count: hnsw.header.count, hnsw: HNSWHealth(links))
        case .engine(let engine):
            let notes = engine.healthNotes.isEmpty ? nil : engine.healthNotes
            if let sizes = engine.listSizes {
                return IndexHealth(kind: "ivf", count: sizes.reduce(0, +), ivf: IVFHealth(sizes: sizes), notes: notes)
            }
            guard let graph = engine.layeredGraph else { return nil }
            return IndexHealth(kind: engine.model.type, count: graph.count, hnsw: HNSWHealth(graph), notes: notes)
        }
    }
}

/// How an IVF index's vectors spread over its lists.
public struct IVFHealth: Codable, Equatable, Sendable {
    public var nlist: Int
    /// faiss's `invlists.imbalance_factor()`: nlist · Σ size² / (Σ size)²; 1 when every list holds as many.
    public var imbalanceFactor: Double
    public var emptyLists: Int
    /// The share of the vectors held by the largest 1 % of the lists (at least one list).
    public var largestListsShare: Double
    public var sizes: SizeSummary
    /// Lists by size: bins of equal width from 0 to the largest size.
    public var histogram: [Bin]

    public struct SizeSummary: Codable, Equatable, Sendable {
        public var min: Int
        public var p50: Int
        public var p95: Int
        public var max: Int
        public var mean: Double
    }

    public struct Bin: Codable, Equatable, Sendable {
        /// Sizes from `from` to `to`, both included.
        public var from: Int
        public var to: Int
        /// Lists (IVF) or nodes (HNSW in-degrees) in the bin.
        public var count: Int
    }

    public init(_ index: FaissIVFIndex) {
        let sizes = index.invertedLists.sizes
        self.init(sizes: sizes)
    }

    public init(sizes: [Int]) {
        nlist = sizes.count
        let total = Double(sizes.reduce(0, +))
        let squares = sizes.reduce(0.0) { $0 + Double($1) * Double($1) }
        imbalanceFactor = total > 0 ? squares * Double(sizes.count) / (total * total) : 0
        emptyLists = sizes.count { $0 == 0 }
        let sorted = sizes.sorted()
        let top = max(1, Int((Double(sizes.count) * 0.01).rounded(.up)))
        largestListsShare = total > 0 ? Double(sorted.suffix(top).reduce(0, +)) / total : 0
        func quantile(_ q: Double) -> Int { Quantile.nearestRank(sorted, q) }
        self.sizes = SizeSummary(
            min: sorted.first ?? 0, p50: quantile(0.5), p95: quantile(0.95), max: sorted.last ?? 0,
            mean: sizes.isEmpty ? 0 : total / Double(sizes.count))
        histogram = Self.bins(sizes)
    }

    /// At most 20 bins of equal width from 0 to the largest value, each counting the values in it.
    static func bins(_ values: [Int]) -> [Bin] {
        let largest = max(0, values.max() ?? 0)
        let binCount = max(1, min(20, largest + 1))
        let width = max(1, Int((Double(largest + 1) / Double(binCount)).rounded(.up)))
        var bins = (0..<binCount).map { Bin(from: $0 * width, to: ($0 + 1) * width - 1, count: 0) }
        for value in values where value >= 0 { bins[min(binCount - 1, value / width)].count += 1 }
        return bins.filter { $0.from <= largest }
    }
}

/// How well an HNSW graph connects: what no search can reach, what nothing links to, where the hubs are.
public struct HNSWHealth: Codable, Equatable, Sendable {
    /// The entry point's label and level.
    public var entryPoint: Int64
    public var maxLevel: Int
    /// Nodes marked deleted (hnswlib).
    public var deleted: Int
    /// Live nodes no layer-0 path reaches from the entry point (walking through deleted nodes as the libraries do).
    public var unreachable: Int
    /// Their labels, in internal order.
    public var unreachableLabels: [Int64]
    /// Live nodes reachable from the entry point only through deleted nodes.
    public var reachableOnlyThroughDeleted: Int
    /// Live nodes that no stored layer-0 link points to.
    public var inDegreeZero: Int
    /// Components of layer 0 with its links taken both ways, and the size of the largest.
    public var components: Int
    public var largestComponent: Int
    /// Per level, top first: nodes, in-degree spread and the most linked-to nodes.
    public var levels: [Level]
    /// Layer 0's live nodes by in-degree: bins of equal width from 0 to the largest (nodes per bin).
    public var inDegreeHistogram: [IVFHealth.Bin]

    public struct Level: Codable, Equatable, Sendable {
        public var level: Int
        public var nodes: Int
        public var links: Int
        public var inDegree: Degrees
        /// The most linked-to nodes (label and in-degree), most first, up to five.
        public var hubs: [Hub]
    }

    public struct Degrees: Codable, Equatable, Sendable {
        public var min: Int
        public var p50: Int
        public var p95: Int
        public var max: Int
        public var mean: Double
    }

    public struct Hub: Codable, Equatable, Sendable {
        public var id: Int64
        public var inDegree: Int
    }

    init(_ graph: LayeredGraph) {
        let count = graph.count
        entryPoint = graph.entryPoint >= 0 && graph.entryPoint < count ? graph.label(graph.entryPoint) : -1
        maxLevel = graph.maxLevel
        deleted = (0..<count).count { graph.isDeleted($0) }
        // Reachability from the entry point on layer 0, through deleted nodes and without walking through them.
        let everywhere = graph.reached(from: graph.entryPoint, throughDeleted: true)
        let live = graph.hasDeleted ? graph.reached(from: graph.entryPoint, throughDeleted: false) : everywhere
        var unreachableLabels: [Int64] = []
        var onlyThroughDeleted = 0
        for node in 0..<count where !graph.isDeleted(node) {
            if !everywhere[node] {
                unreachableLabels.append(graph.label(node))
            } else if !live[node] {
                onlyThroughDeleted += 1
            }
        }
        unreachable = unreachableLabels.count
        self.unreachableLabels = unreachableLabels
        reachableOnlyThroughDeleted = onlyThroughDeleted

        // In-degrees per level, and layer 0's undirected components (union–find).
        var levels: [Level] = []
        var inDegreeZero = 0
        var histogram: [IVFHealth.Bin] = []
        var layerZeroSets = UnionFind(count: count)
        for level in stride(from: graph.maxLevel, through: 0, by: -1) {
            var inDegree = [Int32](repeating: 0, count: count)
            var nodes = 0
            var links = 0
            for node in 0..<count where graph.level(of: node) >= level {
                nodes += 1
                graph.neighbors(node, level) { neighbor in
                    guard neighbor >= 0, neighbor < count else { return }
                    inDegree[neighbor] += 1
                    links += 1
                    if level == 0 { layerZeroSets.union(node, neighbor) }
                }
            }
            let present = (0..<count).filter { graph.level(of: $0) >= level }
            let degrees = present.map { Int(inDegree[$0]) }.sorted()
            func quantile(_ q: Double) -> Int { Quantile.nearestRank(degrees, q) }
            let hubs = present.sorted { (inDegree[$0], -$0) > (inDegree[$1], -$1) }.prefix(5).map {
                Hub(id: graph.label($0), inDegree: Int(inDegree[$0]))
            }
            levels.append(
                Level(
                    level: level, nodes: nodes, links: links,
                    inDegree: Degrees(
                        min: degrees.first ?? 0, p50: quantile(0.5), p95: quantile(0.95), max: degrees.last ?? 0,
                        mean: degrees.isEmpty ? 0 : Double(degrees.reduce(0, +)) / Double(degrees.count)),
                    hubs: Array(hubs)))
            if level == 0 {
                inDegreeZero = (0..<count).count { inDegree[$0] == 0 && !graph.isDeleted($0) }
                histogram = IVFHealth.bins((0..<count).filter { !graph.isDeleted($0) }.map { Int(inDegree[$0]) })
            }
        }
        self.levels = levels
        self.inDegreeZero = inDegreeZero
        inDegreeHistogram = histogram
        var sizes: [Int: Int] = [:]
        for node in 0..<count { sizes[layerZeroSets.root(node), default: 0] += 1 }
        components = sizes.count
        largestComponent = sizes.values.max() ?? 0
    }
}

extension LayeredGraph {
    /// Which nodes layer-0 links reach from `start`; without `throughDeleted`, deleted nodes are reached but not
    /// walked through (the start always is).
    func reached(from start: Int, throughDeleted: Bool) -> [Bool] {
        var seen = [Bool](repeating: false, count: count)
        guard start >= 0, start < count else { return seen }
        seen[start] = true
        var stack = [start]
        while let node = stack.popLast() {
            if !throughDeleted, node != start, isDeleted(node) { continue }
            neighbors(node, 0) { neighbor in
                guard neighbor >= 0, neighbor < count, !seen[neighbor] else { return }
                seen[neighbor] = true
                stack.append(neighbor)
            }
        }
        return seen
    }
}
