/// A faiss index as read from a file: one case per family this tool understands.
///
/// Nested indexes (an IVF's coarse quantizer, an HNSW's storage, an IDMap's inner index) are values of the
/// same type. Built only after every field was validated.
public indirect enum FaissIndex: Sendable {
    case flat(FaissFlatIndex)
    case ivf(FaissIVFIndex)
    case hnsw(FaissHNSWIndex)
    case idMap(FaissIDMapIndex)
    case pq(FaissPQIndex)
    case scalarQuantizer(FaissSQIndex)
    case pqFastScan(FaissPQFastScanIndex)
    case refine(FaissRefineIndex)
    case preTransform(FaissPreTransformIndex)

    /// The common header every faiss index starts with.
    public var header: FaissHeader {
        switch self {
        case .flat(let index): return index.header
        case .ivf(let index): return index.header
        case .hnsw(let index): return index.header
        case .idMap(let index): return index.header
        case .pq(let index): return index.header
        case .scalarQuantizer(let index): return index.header
        case .pqFastScan(let index): return index.header
        case .refine(let index): return index.header
        case .preTransform(let index): return index.header
        }
    }

    /// The four-character code the index was written with (`IxF2`, `IwFl`, …).
    public var code: String {
        switch self {
        case .flat(let index): return index.code
        case .ivf(let index): return index.code
        case .hnsw(let index): return index.code
        case .idMap(let index): return index.code
        case .pq(let index): return index.code
        case .scalarQuantizer(let index): return index.code
        case .pqFastScan(let index): return index.code
        case .refine(let index): return index.code
        case .preTransform(let index): return index.code
        }
    }
}

/// Fields shared by every faiss index (faiss `read_index_header`).
public struct FaissHeader: Equatable, Sendable {
    public var dim: Int
    public var count: Int
    public var isTrained: Bool
    public var metric: Metric
    /// Only present in the file when `metric_type > 1`.
    public var metricArg: Float?
}

/// `IxF2` / `IxFI` / `IxFl`: every vector stored as is.
public struct FaissFlatIndex: Sendable {
    public var code: String
    public var header: FaissHeader
    public var vectors: VectorTable
}

/// The id lookup an IVF index may keep (`DirectMap`): none, an array by id, or a hash table.
public enum FaissDirectMap: Sendable {
    case none
    /// Entry i is `list << 32 | offset` for id i, or −1.
    case array(MappedArray<Int64>)
    /// (id, list << 32 | offset) pairs, as 2·count i64 values.
    case hashtable(MappedArray<Int64>)

    public var name: String {
        switch self {
        case .none: return "none"
        case .array: return "array"
        case .hashtable: return "hashtable"
        }
    }
}

/// One inverted list: `size` codes of `codeSize` bytes at `codesOffset`, then their ids.
public struct FaissInvertedList: Sendable {
    public var size: Int
    public var codesOffset: Int
    public var ids: MappedArray<Int64>
}

/// The inverted lists of an IVF index (`ilar` in the file, or the legacy per-list layout).
public struct FaissInvertedLists: Sendable {
    public enum Layout: String, Sendable {
        case full
        case sparse = "sprs"
        case legacy
        case none = "il00"
        /// `ilbl`: a fast-scan index's codes packed in blocks.
        case blocks = "ilbl"
    }
    public var layout: Layout
    public var codeSize: Int
    public var lists: [FaissInvertedList]

    public var sizes: [Int] { lists.map(\.size) }
}

/// What an IVF list stores per vector.
public enum FaissIVFEncoding: Sendable {
    /// Raw float32 vectors (`IwFl`, legacy `IvFl`/`IvFL`).
    case flat
    /// Product-quantizer codes (`IwPQ`).
    case productQuantizer(FaissProductQuantizer)
    /// Scalar-quantizer codes (`IwSq`, `IwSQ`).
    case scalarQuantizer(FaissScalarQuantizer)
    /// 4-bit product-quantizer codes packed for fast scan (`IwPf`).
    case productQuantizerFastScan(FaissProductQuantizer, FaissFastScanLayout)
}

/// A trained product quantizer (faiss `ProductQuantizer`).
public struct FaissProductQuantizer: Sendable {
    public var dim: Int
    /// Number of sub-quantizers.
    public var subquantizers: Int
    public var bitsPerCode: Int
    /// dim × 2^nbits floats: subquantizer m's centroid j is at (m·ksub + j)·dsub.
    public var centroids: MappedArray<Float>
    public var byResidual: Bool
}

/// A trained scalar quantizer (faiss `ScalarQuantizer`).
public struct FaissScalarQuantizer: Sendable {
    /// faiss `QuantizerType`: 0 QT_8bit, 1 QT_4bit, 2 QT_8bit_uniform, 3 QT_4bit_uniform, 4 QT_fp16,
    /// 5 QT_8bit_direct, 6 QT_6bit, 7 QT_bf16, 8 QT_8bit_direct_signed.
    public var quantizerType: Int32
    public var rangeStat: Int32
    public var rangeStatArg: Float
    public var dim: Int
    public var codeSize: Int
    public var trained: MappedArray<Float>
    public var byResidual: Bool

    public var typeName: String {
        let names = [
            "QT_8bit", "QT_4bit", "QT_8bit_uniform", "QT_4bit_uniform", "QT_fp16", "QT_8bit_direct",
            "QT_6bit", "QT_bf16", "QT_8bit_direct_signed",
        ]
        return Int(quantizerType) < names.count && quantizerType >= 0 ? names[Int(quantizerType)] : "QT_\(quantizerType)"
    }

    /// The code size faiss derives from the type and dimension (`set_derived_sizes`), nil for an unknown type.
    public static func codeSize(type: Int32, dim: Int) -> Int? {
        switch type {
        case 0, 2, 5, 8: return dim
        case 1, 3: return (dim + 1) / 2
        case 6: return (dim * 6 + 7) / 8
        case 4, 7: return 2 * dim
        default: return nil
        }
    }

    /// Floats of `trained` the type reads: vmin and vdiff per component (8, 4 and 6 bits), one pair (the
    /// uniform types), none for fp16, bf16 and the direct types.
    public static func trainedCount(type: Int32, dim: Int) -> Int {
        switch type {
        case 0, 1, 6: return 2 * dim
        case 2, 3: return 2
        default: return 0
        }
    }
}

/// An inverted-file index: a coarse quantizer over `nlist` centroids and one list per centroid.
public struct FaissIVFIndex: Sendable {
    public var code: String
    public var header: FaissHeader
    public var nlist: Int
    /// The `nprobe` saved with the index (the search default after loading).
    public var nprobe: Int
    public var quantizer: FaissIndex
    public var directMap: FaissDirectMap
    public var encoding: FaissIVFEncoding
    public var invertedLists: FaissInvertedLists

    /// The centroids, in list order: a flat quantizer's vectors, or an HNSW quantizer's flat storage.
    public var centroids: VectorTable? {
        switch quantizer {
        case .flat(let flat): return flat.vectors
        case .hnsw(let hnsw): return hnsw.flatStorage?.vectors
        default: return nil
        }
    }
}

/// The HNSW graph of a faiss `IndexHNSW` (faiss `read_HNSW`).
public struct FaissHNSWGraph: Sendable {
    /// Level-assignment probabilities (one per level).
    public var assignProbabilities: [Double]
    /// Cumulative neighbour slots per level: `[0, 2M, 3M, 4M, …]`.
    public var cumulativeNeighbors: [Int]
    /// Per node, its number of levels (top level + 1).
    public var levels: MappedArray<Int32>
    /// Per node (plus one), where its neighbour slots start in `neighbors`.
    public var offsets: MappedArray<UInt64>
    /// Neighbour slots; −1 marks an unused slot, and a scan stops at the first −1.
    public var neighbors: MappedArray<Int32>
    public var entryPoint: Int
    public var maxLevel: Int
    public var efConstruction: Int
    public var efSearch: Int
    public var upperBeam: Int

    /// Slots of node `node` on `level`, as a range into `neighbors`.
    @inline(__always)
    public func slotRange(node: Int, level: Int) -> Range<Int> {
        let base = Int(offsets[node])
        return (base + cumulativeNeighbors[level])..<(base + cumulativeNeighbors[level + 1])
    }

    /// The most slots any level's list has (2M for level 0).
    public var maxListSize: Int {
        zip(cumulativeNeighbors.dropFirst(), cumulativeNeighbors).map { $0 - $1 }.max() ?? 0
    }

    /// M: the slot count of levels above 0.
    public var m: Int { cumulativeNeighbors.count > 2 ? cumulativeNeighbors[2] - cumulativeNeighbors[1] : cumulativeNeighbors.last ?? 0 }

    /// Number of nodes on each level, level 0 first.
    public func levelCounts() -> [Int] {
        var counts = [Int](repeating: 0, count: maxLevel + 1)
        for value in levels {
            for level in 0..<min(Int(value), counts.count) { counts[level] += 1 }
        }
        return counts
    }
}

/// `IHNf` / `IHNp` / `IHNs`: an HNSW graph over a storage index (flat, PQ or SQ codes).
public struct FaissHNSWIndex: Sendable {
    public var code: String
    public var header: FaissHeader
    public var graph: FaissHNSWGraph
    /// `IxF2`/`IxFI`/`IxFl` for IndexHNSWFlat, `IxPq` for IndexHNSWPQ, `IxSQ` for IndexHNSWSQ.
    public var storage: FaissIndex

    /// The storage's vectors when it stores them as they are (IndexHNSWFlat).
    public var flatStorage: FaissFlatIndex? {
        if case .flat(let flat) = storage { return flat }
        return nil
    }
}

/// `IxMp` / `IxM2`: an inner index whose sequential ids are mapped to the caller's ids.
public struct FaissIDMapIndex: Sendable {
    public var code: String
    public var header: FaissHeader
    public var inner: FaissIndex
    /// id_map[i] is the caller's id of the inner index's vector i.
    public var ids: MappedArray<Int64>
}
