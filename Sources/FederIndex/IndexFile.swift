/// An index file of either library, as read from disk.
public enum IndexFile: Sendable {
    case faiss(FaissIndex)
    case hnswlib(HNSWLibIndex)

    /// Which library wrote a file, told from its first bytes.
    public enum Format: String, Sendable {
        case faiss, hnswlib
    }

    /// Opens and decodes `path`, telling faiss from hnswlib by the first bytes: a faiss file starts with a
    /// printable four-character code, an hnswlib file with the u64 offsetLevel0, which is always 0.
    ///
    /// - Parameter space: the hnswlib space (ignored for faiss, whose files record their metric).
    /// - Throws: `FederIndexError` naming the file, the format code and the byte offset.
    public static func open(path: String, space: Metric = .l2) throws -> IndexFile {
        let file = try MappedFile(path: path)
        return try decode(file, space: space)
    }

    /// Decodes an already mapped file.
    public static func decode(_ file: MappedFile, space: Metric = .l2) throws -> IndexFile {
        switch try detectFormat(file) {
        case .faiss:
            var reader = FaissReader(file: file)
            return .faiss(try reader.readFile())
        case .hnswlib:
            guard space == .l2 || space == .innerProduct || space == .cosine else {
                throw FederIndexError.invalid(
                    path: file.path, format: "hnswlib", field: "space", offset: 0,
                    detail: "hnswlib spaces are l2, ip and cosine")
            }
            return .hnswlib(try HNSWLibReader.read(file: file, space: space))
        }
    }

    /// Tells the format from the first eight bytes.
    public static func detectFormat(_ file: MappedFile) throws -> Format {
        let reader = ByteReader(file: file, format: "index")
        guard let code = reader.peekCode() else {
            throw FederIndexError.truncated(
                path: file.path, format: "index", field: "format code", offset: 0, needed: 4, available: file.count)
        }
        if code.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return .faiss }
        if file.count >= 8, file.bytes[0..<8].allSatisfy({ $0 == 0 }) { return .hnswlib }
        if file.count < 8, code.allSatisfy({ $0 == 0 }) {
            throw FederIndexError.truncated(
                path: file.path, format: "hnswlib", field: "offsetLevel0", offset: 0, needed: 8, available: file.count)
        }
        throw FederIndexError.unknownCode(path: file.path, code: describeCode(code), offset: 0)
    }

    public var format: Format {
        switch self {
        case .faiss: return .faiss
        case .hnswlib: return .hnswlib
        }
    }

    public var dim: Int {
        switch self {
        case .faiss(let index): return index.header.dim
        case .hnswlib(let index): return index.dim
        }
    }

    public var count: Int {
        switch self {
        case .faiss(let index): return index.header.count
        case .hnswlib(let index): return index.count
        }
    }

    public var metric: Metric {
        switch self {
        case .faiss(let index): return index.header.metric
        case .hnswlib(let index): return index.space
        }
    }
}
