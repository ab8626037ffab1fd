/// Fixed-size codes stored back to back in the mapped file (an `IndexPQ`'s or `IndexScalarQuantizer`'s
/// `codes`, a fast-scan index's packed blocks).
public struct CodeTable: Sendable {
    public let file: MappedFile
    /// Offset of code 0's first byte.
    public let byteOffset: Int
    public let count: Int
    /// Bytes per code.
    public let codeSize: Int

    public init(file: MappedFile, byteOffset: Int, count: Int, codeSize: Int) {
        precondition(count >= 0 && codeSize >= 0 && byteOffset + count * codeSize <= file.count)
        self.file = file
        self.byteOffset = byteOffset
        self.count = count
        self.codeSize = codeSize
    }

    /// The address of code `index`'s first byte.
    @inlinable @inline(__always)
    public func codePointer(_ index: Int) -> UnsafeRawPointer {
        precondition(index >= 0 && index < count, "code index out of range")
        return file.baseAddress + byteOffset + index * codeSize
    }
}

/// `IxPq` (and the legacy `IxPQ` / `IxPo`, which faiss reads as L2): every vector stored as product-quantizer
/// codes (faiss `IndexPQ`).
public struct FaissPQIndex: Sendable {
    public var code: String
    public var header: FaissHeader
    public var pq: FaissProductQuantizer
    public var codes: CodeTable
    /// faiss `IndexPQ::Search_type_t` saved with the index (0 ST_PQ, the asymmetric search; `IxPQ` files have none).
    public var searchType: Int32
    public var encodeSigns: Bool
    public var polysemousThreshold: Int32
}

/// `IxSQ`: every vector stored as scalar-quantizer codes (faiss `IndexScalarQuantizer`).
public struct FaissSQIndex: Sendable {
    public var code: String
    public var header: FaissHeader
    public var sq: FaissScalarQuantizer
    public var codes: CodeTable
}

/// `IPfs`: 4-bit product-quantizer codes packed in blocks of `bbs` vectors for SIMD table lookups (faiss
/// `IndexPQFastScan`).
public struct FaissPQFastScanIndex: Sendable {
    public var code: String
    public var header: FaissHeader
    public var pq: FaissProductQuantizer
    /// faiss's `implem` saved with the index (0: choose by the number of queries).
    public var implementation: Int32
    /// Vectors per packed block (a multiple of 32).
    public var blockSize: Int
    /// Query batch size saved with the index (0: faiss's default).
    public var queryBatchSize: Int
    /// ntotal rounded up to a multiple of `blockSize`.
    public var paddedCount: Int
    /// M rounded up to an even number (two 4-bit codes per byte).
    public var paddedSubquantizers: Int
    /// The packed blocks: paddedCount / blockSize blocks of blockSize · paddedSubquantizers / 2 bytes.
    public var codes: CodeTable
}

/// The fast-scan fields an `IwPf` (IndexIVFPQFastScan) stores besides its product quantizer.
public struct FaissFastScanLayout: Sendable {
    /// Vectors per packed block.
    public var blockSize: Int
    /// M rounded up to an even number.
    public var paddedSubquantizers: Int
    public var implementation: Int32
    public var queryBatchSize: Int
}

/// `IxRF`: a base index whose shortlist of k_factor · k is re-scored by a second index (faiss `IndexRefine`;
/// `IndexRefineFlat` when the refine index is flat).
public struct FaissRefineIndex: Sendable {
    public var code: String
    public var header: FaissHeader
    public var base: FaissIndex
    public var refine: FaissIndex
    /// The shortlist factor saved with the index.
    public var kFactor: Float
}

/// `IxPT`: a chain of vector transforms applied to the query before the inner index searches (faiss
/// `IndexPreTransform`).
public struct FaissPreTransformIndex: Sendable {
    public var code: String
    public var header: FaissHeader
    public var chain: [FaissVectorTransform]
    public var inner: FaissIndex
}

/// One faiss `VectorTransform` as `read_VectorTransform` reads it.
public struct FaissVectorTransform: Sendable {
    /// What the transform does, with its trained arrays.
    public enum Kind: Sendable {
        /// y = A·x (+ b): `rrot` RandomRotationMatrix, `PCAm`/`PcAm`/`Pcam` PCAMatrix, `Viqm` ITQMatrix, `LTra`
        /// LinearTransform (OPQMatrix is written as `LTra`).
        case linear(FaissLinearTransform)
        /// `RmDT`: y[i] = x[map[i]], or 0 where map[i] is −1.
        case remap(map: MappedArray<Int32>)
        /// `VNrm`: x scaled to unit L-`norm` length (faiss renormalises with the L2 norm only).
        case normalize(norm: Float)
        /// `VCnt`: y = x − mean.
        case center(mean: MappedArray<Float>)
        /// `Viqt` ITQTransform: y = ITQ · PCA · (x − mean).
        case itq(mean: MappedArray<Float>, doPCA: Bool, itq: FaissLinearTransform, pcaThenITQ: FaissLinearTransform)
    }

    /// The four-character code it was written with.
    public var code: String
    public var kind: Kind
    public var inputDim: Int
    public var outputDim: Int
    public var isTrained: Bool

    /// "PCA 64 → 32", "OPQ/linear 64 → 64", "L2 normalisation 64", … for inspect and pages.
    public var summary: String {
        switch kind {
        case .linear(let linear):
            let name: String
            switch code {
            case "rrot": name = "random rotation"
            case "PCAm", "PcAm", "Pcam":
                name =
                    "PCA" + (linear.pca.map { $0.eigenPower != 0 ? " (whitened, power \($0.eigenPower))" : "" } ?? "")
                    + ((linear.pca?.randomRotation ?? false) ? " + random rotation" : "")
            case "Viqm": name = "ITQ rotation"
            default: name = "linear transform (OPQ rotations are saved as one)"
            }
            return "\(name) \(inputDim) → \(outputDim)" + (linear.hasBias ? " with bias" : "")
        case .remap: return "dimension remap \(inputDim) → \(outputDim)"
        case .normalize(let norm): return "L\(norm == 2 ? "2" : "\(norm)") normalisation \(inputDim)"
        case .center: return "centering \(inputDim)"
        case .itq(_, let doPCA, _, _): return "ITQ \(doPCA ? "(with PCA) " : "")\(inputDim) → \(outputDim)"
        }
    }
}

/// A faiss `LinearTransform`: A is d_out × d_in, row-major; b has d_out entries when `hasBias`.
public struct FaissLinearTransform: Sendable {
    /// PCAMatrix's own fields, when it is one.
    public struct PCA: Sendable {
        public var eigenPower: Float
        public var epsilon: Float
        public var randomRotation: Bool
        public var balancedBins: Int
        public var mean: MappedArray<Float>
        public var eigenvalues: MappedArray<Float>
    }

    public var matrix: MappedArray<Float>
    public var bias: MappedArray<Float>
    public var hasBias: Bool
    public var pca: PCA?
}

extension FaissIndex {
    /// Bytes one stored vector costs in the index's codes (4·d for flat storage), nil for composite kinds.
    public var bytesPerVector: Int? {
        switch self {
        case .flat(let index): return index.header.dim * 4
        case .ivf(let index): return index.invertedLists.codeSize
        case .hnsw(let index): return index.storage.bytesPerVector
        case .idMap(let index): return index.inner.bytesPerVector
        case .pq(let index): return index.codes.codeSize
        case .scalarQuantizer(let index): return index.codes.codeSize
        case .pqFastScan(let index): return (index.pq.subquantizers * index.pq.bitsPerCode + 7) / 8
        case .preTransform(let index): return index.inner.bytesPerVector
        case .refine: return nil
        }
    }
}
