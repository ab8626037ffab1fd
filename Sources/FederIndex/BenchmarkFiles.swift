/// The files ANN benchmarks ship vectors and ground truth in: TEXMEX `.fvecs` / `.bvecs` / `.ivecs` (SIFT, GIST)
/// and big-ann-benchmarks `.fbin` / `.u8bin` / `.i8bin` / `.ibin`.
extension VectorFile {
    /// `.bvecs`: rows of (i32 d, d × u8), every row with the same d; converted to float32.
    public static func readBvecs(_ file: MappedFile) throws -> VectorTable {
        var reader = ByteReader(file: file, format: "bvecs")
        let dim = Int(try reader.readInt32("dimension of row 0", in: 1...Int32(FaissReader.maxDim)))
        let rowSize = 4 + dim
        let rows = try wholeRows(file, rowSize: rowSize, dim: dim, reader: reader)
        var values: [Float] = []
        values.reserveCapacity(rows * dim)
        for row in 0..<rows {
            for lane in 0..<dim { values.append(Float(file.baseAddress.load(fromByteOffset: row * rowSize + 4 + lane, as: UInt8.self))) }
        }
        return VectorTable(name: file.path, rows: values, dim: dim)
    }

    /// big-ann-benchmarks `.fbin` (float32), `.u8bin` (uint8) or `.i8bin` (int8): u32 rows, u32 d, then the rows;
    /// float32 is read in place, bytes are converted.
    public static func readBin(_ file: MappedFile, element: BinElement) throws -> VectorTable {
        var reader = ByteReader(file: file, format: element.format)
        let rows = Int(try reader.read(UInt32.self, "row count"))
        let dim = Int(try reader.read(UInt32.self, "dimension"))
        guard dim >= 1, dim <= FaissReader.maxDim else {
            throw reader.invalid("dimension", "\(dim) is not within 1…\(FaissReader.maxDim)", at: 4)
        }
        let expected = 8 + rows * dim * element.size
        guard file.count == expected else {
            throw reader.invalid(
                "file size", "\(file.count) bytes, but \(rows) rows of \(dim) values take \(expected)", at: min(file.count, expected))
        }
        switch element {
        case .float32:
            return VectorTable(file: file, byteOffset: 8, count: rows, dim: dim)
        case .uint8, .int8:
            var values: [Float] = []
            values.reserveCapacity(rows * dim)
            for offset in 0..<(rows * dim) {
                let byte = file.baseAddress.load(fromByteOffset: 8 + offset, as: UInt8.self)
                values.append(element == .uint8 ? Float(byte) : Float(Int8(bitPattern: byte)))
            }
            return VectorTable(name: file.path, rows: values, dim: dim)
        }
    }

    public enum BinElement: Sendable {
        case float32, uint8, int8

        var size: Int { self == .float32 ? 4 : 1 }
        var format: String {
            switch self {
            case .float32: return "fbin"
            case .uint8: return "u8bin"
            case .int8: return "i8bin"
            }
        }
    }

    /// The row count of a TEXMEX file whose rows are `rowSize` bytes, each starting with its dimension `dim`.
    /// - Throws: a size that is not whole rows, or a row of another dimension (at its byte offset).
    static func wholeRows(_ file: MappedFile, rowSize: Int, dim: Int, reader: ByteReader) throws -> Int {
        guard file.count % rowSize == 0 else {
            throw reader.invalid(
                "file size", "\(file.count) bytes is not a whole number of rows of \(rowSize) bytes (d = \(dim))",
                at: file.count - file.count % rowSize)
        }
        let rows = file.count / rowSize
        for row in 1..<max(rows, 1) {
            let value = file.baseAddress.loadUnaligned(fromByteOffset: row * rowSize, as: Int32.self)
            guard Int(value) == dim else {
                throw reader.invalid("dimension of row \(row)", "\(value), row 0 has \(dim)", at: row * rowSize)
            }
        }
        return rows
    }
}

/// Ground-truth neighbour ids, one row per query, best first: `.ivecs` (i32 k, k × i32 per row), big-ann-benchmarks
/// `.ibin` (u32 rows, u32 k, rows × k u32 ids, then — in their ground-truth files — rows × k float32 distances),
/// a 2-D integer `.npy` (`<i4`, `<i8`, `<u4`, `<u8`), or an ann-benchmarks `.hdf5` (`neighbors`, `distances`).
public struct GroundTruthFile: Sendable {
    public var path: String
    public var ids: [[Int64]]
    /// The distances the file gives (big-ann `.ibin` ground truth), in its producer's convention.
    public var distances: [[Float]]?

    /// - Throws: `FederIndexError` naming the file and the byte offset of the problem.
    public static func read(path: String) throws -> GroundTruthFile {
        let file = try MappedFile(path: path)
        let lower = path.lowercased()
        if lower.hasSuffix(".ivecs") { return try readIvecs(file, path: path) }
        if lower.hasSuffix(".ibin") { return try readIbin(file, path: path) }
        if lower.hasSuffix(".npy") { return try readNpy(file, path: path) }
        if lower.hasSuffix(".hdf5") || lower.hasSuffix(".h5") {
            let ids = try HDF5File.integers(path: path, dataset: "neighbors")
            return GroundTruthFile(path: path, ids: ids, distances: try HDF5File.floatsIfPresent(path: path, dataset: "distances"))
        }
        throw FederIndexError.invalid(
            path: path, format: "ground truth", field: "extension", offset: 0,
            detail: "expected .ivecs, .ibin, an integer .npy or an ann-benchmarks .hdf5")
    }

    public static func readIvecs(_ file: MappedFile, path: String) throws -> GroundTruthFile {
        var reader = ByteReader(file: file, format: "ivecs")
        let k = Int(try reader.readInt32("neighbours in row 0", in: 1...1_000_000))
        let rows = try VectorFile.wholeRows(file, rowSize: 4 + 4 * k, dim: k, reader: reader)
        let ids = (0..<rows).map { row in
            (0..<k).map { Int64(file.baseAddress.loadUnaligned(fromByteOffset: row * (4 + 4 * k) + 4 + 4 * $0, as: Int32.self)) }
        }
        return GroundTruthFile(path: path, ids: ids, distances: nil)
    }

    public static func readIbin(_ file: MappedFile, path: String) throws -> GroundTruthFile {
        var reader = ByteReader(file: file, format: "ibin")
        let rows = Int(try reader.read(UInt32.self, "row count"))
        let k = Int(try reader.read(UInt32.self, "neighbours per row"))
        guard k >= 1, k <= 1_000_000 else { throw reader.invalid("neighbours per row", "\(k) is not within 1…1000000", at: 4) }
        let idBytes = rows * k * 4
        guard file.count == 8 + idBytes || file.count == 8 + 2 * idBytes else {
            throw reader.invalid(
                "file size", "\(file.count) bytes, but \(rows) rows of \(k) ids take \(8 + idBytes) (\(8 + 2 * idBytes) with distances)",
                at: min(file.count, 8 + idBytes))
        }
        let ids = (0..<rows).map { row in
            (0..<k).map { Int64(file.baseAddress.loadUnaligned(fromByteOffset: 8 + (row * k + $0) * 4, as: UInt32.self)) }
        }
        var distances: [[Float]]?
        if file.count == 8 + 2 * idBytes {
            distances = (0..<rows).map { row in
                (0..<k).map { file.baseAddress.loadUnaligned(fromByteOffset: 8 + idBytes + (row * k + $0) * 4, as: Float.self) }
            }
        }
        return GroundTruthFile(path: path, ids: ids, distances: distances)
    }

    static func readNpy(_ file: MappedFile, path: String) throws -> GroundTruthFile {
        let array = try VectorFile.readNpyIntegers(file)
        return GroundTruthFile(path: path, ids: array, distances: nil)
    }
}
