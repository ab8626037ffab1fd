/// Rows of `dim` float32 values inside a mapped file, `rowStride` bytes apart.
///
/// Faiss stores rows back to back (stride 4·dim); hnswlib interleaves them with links and labels
/// (stride `size_data_per_element`). Rows are read in place; nothing is copied unless asked for.
public struct VectorTable: Sendable {
    public let file: MappedFile
    /// Offset of row 0's first float.
    public let byteOffset: Int
    public let count: Int
    public let dim: Int
    /// Bytes from one row to the next.
    public let rowStride: Int

    public init(file: MappedFile, byteOffset: Int, count: Int, dim: Int, rowStride: Int? = nil) {
        let stride = rowStride ?? dim * 4
        precondition(dim > 0 && count >= 0 && stride >= dim * 4)
        precondition(count == 0 || byteOffset + (count - 1) * stride + dim * 4 <= file.count)
        self.file = file
        self.byteOffset = byteOffset
        self.count = count
        self.dim = dim
        self.rowStride = stride
    }

    /// Builds an in-memory table from row-major floats.
    public init(name: String, rows: [Float], dim: Int) {
        precondition(dim > 0 && rows.count % dim == 0)
        self.init(file: MappedFile(name: name, floats: rows), byteOffset: 0, count: rows.count / dim, dim: dim)
    }

    /// The address of row `index`'s first float; read it with `loadUnaligned`.
    @inline(__always)
    public func rowPointer(_ index: Int) -> UnsafeRawPointer {
        precondition(index >= 0 && index < count, "row index out of range")
        return file.baseAddress + byteOffset + index * rowStride
    }

    /// A copy of row `index`.
    public func row(_ index: Int) -> [Float] {
        let pointer = rowPointer(index)
        // One byte copy (the row may sit at any alignment in the file).
        return [Float](unsafeUninitializedCapacity: dim) { buffer, initialized in
            if let base = buffer.baseAddress { UnsafeMutableRawPointer(base).copyMemory(from: pointer, byteCount: dim * 4) }
            initialized = dim
        }
    }

    /// Indices of rows holding a NaN or an infinity (checked on demand; costs one pass).
    public func nonFiniteRows(limit: Int = 10) -> [Int] {
        var found: [Int] = []
        for index in 0..<count {
            let pointer = rowPointer(index)
            for lane in 0..<dim where !pointer.loadUnaligned(fromByteOffset: lane * 4, as: Float.self).isFinite {
                found.append(index)
                break
            }
            if found.count >= limit { break }
        }
        return found
    }
}
