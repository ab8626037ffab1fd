/// What a loaded index is, as the pipeline needs it: the stages ask this instead of which library wrote the file.
///
/// Every engine describes its indexes with one of these (see `Sources/README.md`): the distance it reports and
/// which way is better, how its labels read, whether exact search over its stored vectors is the ground truth,
/// which structures it is made of (each drawn, explained and checked by one family of views, explanations and
/// health whatever the engine), and which search parameters it reads.
public struct IndexModel: Sendable, Equatable {
    /// The engine's name as output says it: `faiss`, `hnswlib`.
    public var engine: String
    /// The engine's own name for this kind of index (faiss's four-character code, `hnswlib`).
    public var type: String
    /// Its name as people know it (`IndexIVFFlat`, `HierarchicalNSW`).
    public var typeName: String
    /// Dimensions of the vectors queries give (bits, for binary codes).
    public var dim: Int
    public var count: Int
    /// The metric, by the name output uses.
    public var metric: Metric
    public var distance: DistanceConvention
    public var labels: LabelKind
    /// Whether the index keeps the vectors that were added (flat storage somewhere), so that exact search over
    /// them is the ground truth.
    public var storesVectors: Bool
    /// The structures the index is made of, outermost first.
    public var structures: [StructureFamily]
    /// The search parameters its searches read (beyond k).
    public var parameters: [SearchParameter]
    /// How its vectors (and so its queries) are stored.
    public var vectors: VectorEncoding

    public init(
        engine: String, type: String, dim: Int, count: Int, metric: Metric, distance: DistanceConvention, labels: LabelKind,
        storesVectors: Bool, structures: [StructureFamily], parameters: [SearchParameter], vectors: VectorEncoding = .float32,
        typeName: String? = nil
    ) {
        self.engine = engine
        self.type = type
        self.typeName = typeName ?? type
        self.dim = dim
        self.count = count
        self.metric = metric
        self.distance = distance
        self.labels = labels
        self.storesVectors = storesVectors
        self.structures = structures
        self.parameters = parameters
        self.vectors = vectors
    }

    /// Whether the index holds a structure of `family` somewhere.
    public func has(_ family: StructureFamily) -> Bool { structures.contains(family) }

    /// Whether its searches read `parameter`.
    public func reads(_ parameter: SearchParameter) -> Bool { parameters.contains(parameter) }
}

/// The distance an engine reports, and which way is better.
public struct DistanceConvention: Sendable, Hashable, Codable, CustomStringConvertible {
    /// What the reported number is.
    public enum Unit: String, Sendable, Hashable, Codable {
        /// Σ (a − b)², smaller is closer (faiss L2, hnswlib `l2`).
        case squaredL2 = "squared L2"
        /// Σ a·b, larger is closer (faiss inner product).
        case innerProduct = "inner product"
        /// 1 − Σ a·b (hnswlib `ip`).
        case oneMinusInnerProduct = "1 − inner product"
        /// 1 − cos(a, b), the vectors normalised (hnswlib `cosine`).
        case oneMinusCosine = "1 − cosine"
        /// Σ |a − b| (faiss L1).
        case l1 = "L1"
        /// max |a − b| (faiss L∞).
        case linf = "L∞"
        /// Differing bits (faiss binary indexes, pgvector `bit_hamming_ops`).
        case hamming = "Hamming"
        /// −Σ a·b, smaller is closer (pgvector `<#>`, and its cosine classes over unit vectors).
        case negativeInnerProduct = "negative inner product"
        /// 1 − |a ∧ b| / |a ∨ b| over bits (pgvector `bit_jaccard_ops`).
        case jaccard = "Jaccard"
        /// A metric read but not searched (faiss Lp, Canberra, …).
        case other
    }

    public var unit: Unit
    public var largerIsBetter: Bool

    public init(_ unit: Unit, largerIsBetter: Bool = false) {
        self.unit = unit
        self.largerIsBetter = largerIsBetter
    }

    /// `squared L2, smaller is better`.
    public var description: String { "\(unit.rawValue), \(largerIsBetter ? "larger" : "smaller") is better" }

    /// Whether `a` ranks before `b` under this convention (no tie-breaking).
    public func isBetter(_ a: Float, than b: Float) -> Bool { largerIsBetter ? a > b : a < b }
}

/// How an engine's labels read. The tool carries every label as the `Int64` with the same bits.
public enum LabelKind: String, Sendable, Hashable, Codable {
    /// Signed 64-bit, −1 for "none" (faiss `idx_t`).
    case signed
    /// Unsigned 64-bit (hnswlib `labeltype`): every bit pattern is a label; padding has no internal id.
    case unsigned

    public var isUnsigned: Bool { self == .unsigned }

    /// `bits` as this kind of label.
    public func label(_ bits: Int64) -> Label { Label(bits: bits, unsigned: isUnsigned) }

    /// Whether a result is an answer rather than padding: faiss pads with label −1, hnswlib answers are never padding
    /// but for an entry without internal id.
    public func isAnswer(id: Int64, internalID: Int) -> Bool { isUnsigned ? internalID >= 0 : id >= 0 }
}

/// The structures indexes are made of. Each is drawn by one family of views and checked by one family of
/// explanations and health, whatever the engine.
public enum StructureFamily: String, Sendable, Hashable, Codable {
    /// Every stored vector scanned (an exact scan over floats or codes).
    case flat
    /// Vectors partitioned into lists around centroids; a probe scans the nearest lists.
    case partition
    /// A layered proximity graph searched from an entry point (HNSW).
    case layeredGraph = "layered graph"
    /// Codes whose distances approximate the vectors' (PQ, SQ, fast scan).
    case codes
    /// A chain of transforms applied to vectors and queries before the inner index.
    case transform
    /// A shortlist re-scored by a second index.
    case refine
    /// A forest of trees searched by margin (Annoy).
    case forest
}

/// A search parameter beyond k.
public enum SearchParameter: String, Sendable, Hashable, Codable, CaseIterable {
    case nprobe
    case ef
}

/// How an index stores vectors, and so how its queries are read.
public enum VectorEncoding: String, Sendable, Hashable, Codable {
    /// float32 components.
    case float32
    /// Packed bits, d / 8 bytes a vector (a `.npy` of uint8 or a `.bvecs` file for queries); the tool carries each
    /// bit as a float 0 or 1 (`PackedBits`).
    case packedBits = "packed bits"
}
