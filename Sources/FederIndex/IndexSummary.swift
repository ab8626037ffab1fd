/// What `inspect` reports about an index: plain values, encoded as the `--json` object.
public struct IndexSummary: Codable, Equatable, Sendable {
    public var format: String
    public var type: String
    /// The type as people know it (`IndexIVFFlat`, `HierarchicalNSW`).
    public var typeName: String?
    /// What a stored vector's components are when not float32: `bits` (binary codes), `Float8`, `E4M3`.
    public var vectorType: String?
    public var dim: Int
    public var count: Int
    public var metric: String
    public var fileBytes: Int?
    /// Stored vectors holding a NaN or an infinity (searches and layouts skip nothing; this says they exist).
    public var nonFiniteVectors: Int?
    /// The library build whose distance kernels a search of this index reproduces ("faiss AVX512").
    public var kernels: String?

    // IVF
    public var nlist: Int?
    public var nprobe: Int?
    /// The coarse quantizer's code (`IxF2`, `IHNf`, …) and, for an HNSW quantizer, its saved efSearch.
    public var quantizer: String?
    public var quantizerTypeName: String?
    public var quantizerEfSearch: Int?
    public var listSizes: [Int]?
    public var invlistsLayout: String?
    public var directMap: String?
    public var emptyLists: Int?
    public var encoding: String?
    public var pq: ProductQuantizerSummary?
    public var sq: ScalarQuantizerSummary?
    public var byResidual: Bool?
    /// Bytes one vector's code takes (4·d for flat storage).
    public var codeSize: Int?
    /// Fast scan: vectors per packed block.
    public var fastScanBlock: Int?

    // Pre-transform and refine
    /// The transform chain applied to the query first, one line each ("PCA 64 → 32").
    public var transforms: [String]?
    /// IndexRefine: the shortlist factor saved with the index.
    public var kFactor: Float?
    /// IndexRefine: the base index that makes the shortlist.
    public var base: Box?

    // HNSW (both libraries)
    public var levels: Int?
    public var levelCounts: [Int]?
    // swift-format-ignore: AlwaysUseLowerCamelCase
    // `M` is the libraries' own name for the graph degree, and the JSON key users look for.
    public var M: Int?
    public var efConstruction: Int?
    public var efSearch: Int?
    /// The entry point's label (unsigned for hnswlib, as the library writes it).
    public var entryPoint: Label?
    public var entryPointInternal: Int?
    public var linkCounts: [Int]?

    // hnswlib
    public var deleted: Int?
    public var maxElements: Int?

    // IDMap
    public var inner: Box?
    public var idRange: [Int64]?

    public struct ProductQuantizerSummary: Codable, Equatable, Sendable {
        // swift-format-ignore: AlwaysUseLowerCamelCase
        // `M` is faiss's name for the number of sub-quantizers, and the JSON key.
        public var M: Int
        public var nbits: Int
    }

    public struct ScalarQuantizerSummary: Codable, Equatable, Sendable {
        public var qtype: Int
        public var name: String
    }

    /// Indirection so that an IDMap summary can hold its inner index's summary.
    public final class Box: Codable, Equatable, Sendable {
        public let value: IndexSummary
        public init(_ value: IndexSummary) { self.value = value }
        public init(from decoder: Decoder) throws { value = try IndexSummary(from: decoder) }
        public func encode(to encoder: Encoder) throws { try value.encode(to: encoder) }
        public static func == (lhs: Box, rhs: Box) -> Bool { lhs.value == rhs.value }
    }

    public init(format: String, type: String, dim: Int, count: Int, metric: String) {
        self.format = format
        self.type = type
        self.dim = dim
        self.count = count
        self.metric = metric
    }
}

extension IndexSummary {
    /// Summarises a decoded index file.
    public init(_ file: IndexFile) {
        switch file {
        case .faiss(let index):
            self.init(faiss: index)
        case .hnswlib(let index):
            self.init(hnswlib: index)
        case .engine(let index):
            self = index.summary
        }
    }

    init(faiss index: FaissIndex) {
        let header = index.header
        self.init(format: "faiss", type: index.code, dim: header.dim, count: header.count, metric: header.metric.name)
        typeName = FaissIndex.typeName(code: index.code)
        codeSize = index.bytesPerVector
        switch index {
        case .flat:
            break
        case .pq(let pqIndex):
            encoding = "pq"
            pq = ProductQuantizerSummary(M: pqIndex.pq.subquantizers, nbits: pqIndex.pq.bitsPerCode)
        case .scalarQuantizer(let sqIndex):
            encoding = "sq"
            sq = ScalarQuantizerSummary(qtype: Int(sqIndex.sq.quantizerType), name: sqIndex.sq.typeName)
        case .pqFastScan(let fastScan):
            encoding = "pq fast scan"
            pq = ProductQuantizerSummary(M: fastScan.pq.subquantizers, nbits: fastScan.pq.bitsPerCode)
            fastScanBlock = fastScan.blockSize
        case .preTransform(let pre):
            transforms = pre.chain.map(\.summary)
            inner = Box(IndexSummary(faiss: pre.inner))
        case .refine(let refine):
            kFactor = refine.kFactor
            base = Box(IndexSummary(faiss: refine.base))
            inner = Box(IndexSummary(faiss: refine.refine))
        case .ivf(let ivf):
            nlist = ivf.nlist
            nprobe = ivf.nprobe
            quantizer = ivf.quantizer.code
            quantizerTypeName = FaissIndex.typeName(code: ivf.quantizer.code)
            if case .hnsw(let hnswQuantizer) = ivf.quantizer { quantizerEfSearch = hnswQuantizer.graph.efSearch }
            let sizes = ivf.invertedLists.sizes
            listSizes = sizes
            emptyLists = sizes.filter { $0 == 0 }.count
            invlistsLayout = ivf.invertedLists.layout.rawValue
            directMap = ivf.directMap.name
            switch ivf.encoding {
            case .flat:
                encoding = "flat"
            case .productQuantizer(let pqInfo):
                encoding = "pq"
                pq = ProductQuantizerSummary(M: pqInfo.subquantizers, nbits: pqInfo.bitsPerCode)
                byResidual = pqInfo.byResidual
            case .scalarQuantizer(let sqInfo):
                encoding = "sq"
                sq = ScalarQuantizerSummary(qtype: Int(sqInfo.quantizerType), name: sqInfo.typeName)
                byResidual = sqInfo.byResidual
            case .productQuantizerFastScan(let pqInfo, let layout):
                encoding = "pq fast scan"
                pq = ProductQuantizerSummary(M: pqInfo.subquantizers, nbits: pqInfo.bitsPerCode)
                byResidual = pqInfo.byResidual
                fastScanBlock = layout.blockSize
            }
        case .hnsw(let hnsw):
            describeGraph(hnsw.graph, count: header.count)
            if hnsw.flatStorage == nil { inner = Box(IndexSummary(faiss: hnsw.storage)) }
        case .idMap(let map):
            let innerSummary = IndexSummary(faiss: map.inner)
            inner = Box(innerSummary)
            // The entry point as the caller knows it: through the id map.
            if let internalID = innerSummary.entryPointInternal, internalID < map.ids.count {
                entryPoint = .signed(map.ids[internalID])
            }
            if let low = map.ids.min(), let high = map.ids.max() { idRange = [low, high] }
        }
    }

    init(hnswlib index: HNSWLibIndex) {
        self.init(format: "hnswlib", type: "hnswlib", dim: index.dim, count: index.count, metric: index.space.name)
        typeName = "HierarchicalNSW"
        describeGraph(index, efSearch: nil)
        deleted = index.deletedCount
        maxElements = index.maxElements
    }
}

extension IndexSummary {
    /// A layered graph's levels (nodes per level), M, efConstruction, efSearch and entry point (by its label).
    mutating func describeGraph(levelCounts counts: [Int], m: Int, efConstruction: Int, efSearch: Int?, entry: (label: Label, node: Int)?) {
        levels = counts.count
        levelCounts = counts
        M = m
        self.efConstruction = efConstruction
        self.efSearch = efSearch
        if let entry {
            entryPoint = entry.label
            entryPointInternal = entry.node
        }
    }

    /// faiss's graph (faiss's HNSW and binary HNSW): labels are the node numbers.
    mutating func describeGraph(_ graph: FaissHNSWGraph, count: Int) {
        describeGraph(
            levelCounts: count == 0 ? [] : graph.levelCounts(), m: graph.m, efConstruction: graph.efConstruction,
            efSearch: graph.efSearch, entry: graph.entryPoint >= 0 ? (.signed(Int64(graph.entryPoint)), graph.entryPoint) : nil)
    }

    /// hnswlib's graph (hnswlib and Voyager): the entry point by its unsigned label.
    mutating func describeGraph(_ index: HNSWLibIndex, efSearch: Int?) {
        describeGraph(
            levelCounts: index.levelCounts(), m: index.m, efConstruction: index.efConstruction, efSearch: efSearch,
            entry: index.entryPoint >= 0 ? (.unsigned(index.label(index.entryPoint)), index.entryPoint) : nil)
    }
}
