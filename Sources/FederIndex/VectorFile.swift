import Foundation

/// Readers for query and data vectors: NumPy `.npy`, `.fvecs`, and JSON arrays.
public enum VectorFile {
    /// Reads `path` by its extension (`.npy`, `.fvecs`, `.bvecs`, `.fbin`, `.u8bin`, `.i8bin`, `.json`, and
    /// ann-benchmarks `.hdf5` / `.h5`, whose `dataset` is read: `test` unless named).
    /// - Throws: `FederIndexError` naming the file and the byte offset of the problem.
    public static func read(path: String, dataset: String? = nil) throws -> VectorTable {
        let lower = path.lowercased()
        if lower.hasSuffix(".hdf5") || lower.hasSuffix(".h5") {
            return try HDF5File.vectors(path: path, dataset: dataset ?? HDF5File.queryDataset)
        }
        if lower.hasSuffix(".fvecs") { return try readFvecs(try MappedFile(path: path)) }
        if lower.hasSuffix(".bvecs") { return try readBvecs(try MappedFile(path: path)) }
        if lower.hasSuffix(".fbin") { return try readBin(try MappedFile(path: path), element: .float32) }
        if lower.hasSuffix(".u8bin") { return try readBin(try MappedFile(path: path), element: .uint8) }
        if lower.hasSuffix(".i8bin") { return try readBin(try MappedFile(path: path), element: .int8) }
        if lower.hasSuffix(".json") {
            let file = try MappedFile(path: path)
            return try parseJSON(Data(file.bytes), name: path)
        }
        return try readNpy(try MappedFile(path: path))
    }

    // MARK: npy

    /// NumPy format 1.0–3.0: magic `\x93NUMPY`, version, header length (u16 in 1.0, u32 after), a Python
    /// dict literal with `descr`, `fortran_order` and `shape`, then the data. float32 rows are read in
    /// place; float64 rows are converted. 1-D arrays are one row.
    public static func readNpy(_ file: MappedFile) throws -> VectorTable {
        var (reader, header, rows, dim, headerStart) = try npyLayout(file)
        let elementSize: Int
        switch header.descr {
        case "<f4", "=f4": elementSize = 4
        case "<f8", "=f8": elementSize = 8
        default:
            throw reader.invalid("descr", "dtype '\(header.descr)'; float32 or float64 expected", at: headerStart)
        }
        guard let bytes = checkedProduct(rows, dim, elementSize) else {
            throw reader.invalid("shape", "\(header.shape) overflows", at: headerStart)
        }
        let dataOffset = try reader.skip(bytes, "npy data (\(rows)×\(dim) × \(elementSize) bytes)")
        if elementSize == 4 {
            return VectorTable(file: file, byteOffset: dataOffset, count: rows, dim: dim)
        }
        var floats = [Float](repeating: 0, count: rows * dim)
        for index in 0..<floats.count {
            floats[index] = Float(file.baseAddress.loadUnaligned(fromByteOffset: dataOffset + index * 8, as: Double.self))
        }
        return VectorTable(name: file.path, rows: floats, dim: dim)
    }

    /// A 2-D (or 1-D: one row) integer `.npy` (`<i4`, `<i8`, `<u4`, `<u8`) as rows of Int64 (ground-truth ids).
    public static func readNpyIntegers(_ file: MappedFile) throws -> [[Int64]] {
        var (reader, header, rows, dim, headerStart) = try npyLayout(file)
        let elementSize: Int
        switch header.descr {
        case "<i4", "=i4", "<u4", "=u4": elementSize = 4
        case "<i8", "=i8", "<u8", "=u8": elementSize = 8
        default:
            throw reader.invalid("descr", "dtype '\(header.descr)'; int32, int64, uint32 or uint64 ids expected", at: headerStart)
        }
        guard let bytes = checkedProduct(rows, dim, elementSize) else {
            throw reader.invalid("shape", "\(header.shape) overflows", at: headerStart)
        }
        let dataOffset = try reader.skip(bytes, "npy data (\(rows)×\(dim) × \(elementSize) bytes)")
        let signed = header.descr.hasSuffix("i4") || header.descr.hasSuffix("i8")
        return (0..<rows).map { row in
            (0..<dim).map { lane in
                let offset = dataOffset + (row * dim + lane) * elementSize
                if elementSize == 4 {
                    return signed
                        ? Int64(file.baseAddress.loadUnaligned(fromByteOffset: offset, as: Int32.self))
                        : Int64(file.baseAddress.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
                }
                return file.baseAddress.loadUnaligned(fromByteOffset: offset, as: Int64.self)
            }
        }
    }

    /// The header of an `.npy`: its reader (past the header), the header, rows, row length and where it starts.
    static func npyLayout(_ file: MappedFile) throws -> (ByteReader, NpyHeader, Int, Int, Int) {
        var reader = ByteReader(file: file, format: "npy")
        try reader.require(10, for: "npy magic")
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
        guard Array(file.bytes[0..<6]) == magic else {
            throw reader.invalid("magic", "not a NumPy .npy file (expected \\x93NUMPY)", at: 0)
        }
        try reader.skip(6, "npy magic")
        let major = try reader.read(UInt8.self, "npy major version")
        _ = try reader.read(UInt8.self, "npy minor version")
        let headerLength: Int
        switch major {
        case 1: headerLength = Int(try reader.read(UInt16.self, "npy header length"))
        case 2, 3: headerLength = Int(try reader.read(UInt32.self, "npy header length"))
        default: throw reader.invalid("npy version", "major version \(major) (1, 2 or 3 expected)", at: 6)
        }
        let headerStart = try reader.skip(headerLength, "npy header")
        let headerText = String(decoding: file.bytes[headerStart..<headerStart + headerLength], as: UTF8.self)
        let header = try NpyHeader(parsing: headerText, reader: reader, offset: headerStart)
        guard !header.fortranOrder else {
            throw reader.invalid("fortran_order", "Fortran-ordered arrays are not read; save with C order", at: headerStart)
        }
        let (rows, dim): (Int, Int)
        switch header.shape.count {
        case 1: (rows, dim) = (1, header.shape[0])
        case 2: (rows, dim) = (header.shape[0], header.shape[1])
        default:
            throw reader.invalid("shape", "\(header.shape.count)-D array; 1-D or 2-D expected", at: headerStart)
        }
        guard dim > 0 else { throw reader.invalid("shape", "rows of dimension 0", at: headerStart) }
        guard dim <= FaissReader.maxDim else {
            throw reader.invalid("shape", "rows of dimension \(dim); at most \(FaissReader.maxDim) are read", at: headerStart)
        }
        return (reader, header, rows, dim, headerStart)
    }

    struct NpyHeader {
        var descr = ""
        var fortranOrder = false
        var shape: [Int] = []

        /// Parses `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.
        init(parsing text: String, reader: ByteReader, offset: Int) throws {
            func value(after key: String) -> Substring? {
                guard let range = text.range(of: "'\(key)'") else { return nil }
                var rest = text[range.upperBound...].drop(while: { $0 == " " })
                guard rest.first == ":" else { return nil }
                rest = rest.dropFirst().drop(while: { $0 == " " })
                return rest
            }
            guard let descrText = value(after: "descr"), descrText.first == "'",
                let end = descrText.dropFirst().firstIndex(of: "'")
            else { throw reader.invalid("npy header", "no 'descr' entry", at: offset) }
            descr = String(descrText[descrText.index(after: descrText.startIndex)..<end])
            if let fortran = value(after: "fortran_order") { fortranOrder = fortran.hasPrefix("True") }
            guard let shapeText = value(after: "shape"), shapeText.first == "(",
                let close = shapeText.firstIndex(of: ")")
            else { throw reader.invalid("npy header", "no 'shape' entry", at: offset) }
            let inner = shapeText[shapeText.index(after: shapeText.startIndex)..<close]
            for part in inner.split(separator: ",") {
                let trimmed = part.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "L", with: "")
                if trimmed.isEmpty { continue }
                guard let number = Int(trimmed), number >= 0 else {
                    throw reader.invalid("npy shape", "'\(part)' is not a size", at: offset)
                }
                shape.append(number)
            }
        }
    }

    // MARK: fvecs

    /// `.fvecs`: rows of (i32 d, d × f32), every row with the same d. Read in place.
    public static func readFvecs(_ file: MappedFile) throws -> VectorTable {
        var reader = ByteReader(file: file, format: "fvecs")
        let dim = Int(try reader.readInt32("dimension of row 0", in: 1...Int32(FaissReader.maxDim)))
        let rowSize = 4 + 4 * dim
        let rows = try wholeRows(file, rowSize: rowSize, dim: dim, reader: reader)
        return VectorTable(file: file, byteOffset: 4, count: rows, dim: dim, rowStride: rowSize)
    }

    // MARK: JSON

    /// A JSON array of numbers (one vector) or of equal-length arrays (several).
    public static func parseJSON(_ data: Data, name: String) throws -> VectorTable {
        func fail(_ detail: String) -> FederIndexError {
            .invalid(path: name, format: "json", field: "vector", offset: 0, detail: detail)
        }
        let tree: NumberTree
        do {
            tree = try JSONDecoder().decode(NumberTree.self, from: data)
        } catch {
            throw fail("not valid JSON")
        }
        func number(_ node: NumberTree, at path: String) throws -> Float {
            guard case .number(let value) = node else { throw fail("\(path) is not a number") }
            let float = Float(value)
            guard float.isFinite else { throw fail("\(path) is not a finite float32") }
            return float
        }
        guard case .array(let items) = tree, !items.isEmpty else {
            throw fail("expected a non-empty array of numbers or of arrays of numbers")
        }
        if case .array(let first) = items[0] {
            let dim = first.count
            guard dim > 0 else { throw fail("row 0 is empty") }
            var floats: [Float] = []
            floats.reserveCapacity(items.count * dim)
            for (index, item) in items.enumerated() {
                guard case .array(let row) = item else { throw fail("[\(index)] is not an array") }
                guard row.count == dim else { throw fail("row \(index) has \(row.count) numbers, row 0 has \(dim)") }
                for (lane, value) in row.enumerated() { floats.append(try number(value, at: "[\(index)][\(lane)]")) }
            }
            return VectorTable(name: name, rows: floats, dim: dim)
        }
        let floats = try items.enumerated().map { try number($0.element, at: "[\($0.offset)]") }
        return VectorTable(name: name, rows: floats, dim: floats.count)
    }

    /// Just enough JSON to tell numbers from arrays from anything else.
    enum NumberTree: Decodable {
        case number(Double)
        case array([NumberTree])
        case other

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Double.self) {
                self = .number(value)
            } else if let values = try? container.decode([NumberTree].self) {
                self = .array(values)
            } else {
                self = .other
            }
        }
    }
}

extension VectorFile {
    /// A NumPy `.npy` (format 1.0, little-endian float32, C order) of `rows` rows of `dim` values.
    public static func npyData(_ values: [Float], rows: Int, dim: Int) -> Data {
        precondition(values.count == rows * dim)
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(rows), \(dim)), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        values.withUnsafeBytes { data.append(contentsOf: $0) }
        return data
    }
}
