/// A faiss binary index (`write_index_binary`): vectors are packed bit codes of d / 8 bytes, compared by Hamming
/// distance (differing bits). One case per kind the tool reads; nested indexes (an IVF's quantizer, an IDMap's
/// inner index) are values of the same type. Codes and ids stay in the mapped file.
public indirect enum FaissBinaryIndex: Sendable {
    /// `IBxF` (IndexBinaryFlat): every code, scanned in row order.
    case flat(FaissBinaryFlatIndex)
    /// `IBwF` (IndexBinaryIVF): codes in lists around binary centroids.
    case ivf(FaissBinaryIVFIndex)
    /// `IBHf` (IndexBinaryHNSW): faiss's HNSW graph over a flat code storage.
    case hnsw(FaissBinaryHNSWIndex)
    /// `IBMp` / `IBM2` (IndexBinaryIDMap / IDMap2): the inner index's rows relabelled.
    case idMap(FaissBinaryIDMapIndex)

    public var header: FaissBinaryHeader {
        switch self {
        case .flat(let index): return index.header
        case .ivf(let index): return index.header
        case .hnsw(let index): return index.header
        case .idMap(let index): return index.header
        }
    }
}

/// `read_index_binary_header`: the code, d (bits, a multiple of 8), code_size (d / 8), ntotal, is_trained,
/// metric_type (binary indexes write 1).
public struct FaissBinaryHeader: Sendable, Equatable {
    public var code: String
    /// Bits per vector.
    public var dim: Int
    /// Bytes per code (d / 8).
    public var codeSize: Int
    public var count: Int
    public var isTrained: Bool
    public var metricType: Int32
}

public struct FaissBinaryFlatIndex: Sendable {
    public var header: FaissBinaryHeader
    public var codes: CodeTable
}

public struct FaissBinaryIVFIndex: Sendable {
    public var header: FaissBinaryHeader
    public var nlist: Int
    /// The nprobe saved in the file (searches default to it).
    public var nprobe: Int
    /// The coarse quantizer: a flat index of the nlist centroids' codes.
    public var quantizer: FaissBinaryFlatIndex
    public var directMap: FaissDirectMap
    /// Each list's codes (code_size bytes each) and ids, in insertion order.
    public var invertedLists: FaissInvertedLists

    /// The codes of list `list`.
    public func codes(of list: Int) -> CodeTable {
        let entry = invertedLists.lists[list]
        return CodeTable(file: entry.ids.file, byteOffset: entry.codesOffset, count: entry.size, codeSize: header.codeSize)
    }
}

public struct FaissBinaryHNSWIndex: Sendable {
    public var header: FaissBinaryHeader
    public var graph: FaissHNSWGraph
    public var storage: FaissBinaryFlatIndex
}

public struct FaissBinaryIDMapIndex: Sendable {
    public var header: FaissBinaryHeader
    public var inner: FaissBinaryIndex
    public var ids: MappedArray<Int64>
}

/// Bits as the tool carries vectors: bit i of a code (byte i / 8, least significant bit first, as faiss's
/// `fvec2bitvec` packs) is the float 0 or 1 at position i.
public enum PackedBits {
    /// The code at `pointer` (`bytes` long) as 8 · bytes floats of 0 and 1.
    public static func unpack(_ pointer: UnsafeRawPointer, bytes: Int) -> [Float] {
        var out = [Float](repeating: 0, count: bytes * 8)
        for byte in 0..<bytes {
            let value = pointer.load(fromByteOffset: byte, as: UInt8.self)
            for bit in 0..<8 where value & (1 << bit) != 0 { out[byte * 8 + bit] = 1 }
        }
        return out
    }

    /// Floats of 0 and 1 packed back into bytes; nil when a value is neither 0 nor 1 or the count is not a multiple
    /// of 8.
    public static func pack(_ bits: [Float]) -> [UInt8]? {
        guard bits.count % 8 == 0 else { return nil }
        var out = [UInt8](repeating: 0, count: bits.count / 8)
        for (position, value) in bits.enumerated() {
            if value == 1 {
                out[position / 8] |= 1 << (position % 8)
            } else if value != 0 {
                return nil
            }
        }
        return out
    }
}
