/// An index file as read from disk, by the engine that wrote it (see `IndexEngines`).
public enum IndexFile: Sendable {
    case faiss(FaissIndex)
    case hnswlib(HNSWLibIndex)
    /// An index of an engine registered through the door (`EngineIndex`).
    case engine(any EngineIndex)

    /// Opens and decodes `path` with the registered engine that recognises its first bytes (`IndexEngines.all`).
    ///
    /// - Parameter space: the space of a format that does not record it (hnswlib; faiss files record their metric).
    /// - Throws: `FederIndexError` naming the file, the format code and the byte offset.
    public static func open(path: String, space: Metric = .l2) throws -> IndexFile {
        let file = try MappedFile(path: path)
        return try decode(file, space: space)
    }

    /// Decodes an already mapped file.
    public static func decode(_ file: MappedFile, space: Metric = .l2) throws -> IndexFile {
        do {
            return try engine(of: file).open(file, IndexOpenOptions(space: space))
        } catch FederIndexError.unknownCode(let path, let code, offset: 0) {
            // A file of another kind whose first bytes happen to look like a code (text, say).
            if let (kind, hint) = otherKind(of: file) { throw FederIndexError.notAnIndex(path: path, kind: kind, hint: hint) }
            throw FederIndexError.unknownCode(path: path, code: code, offset: 0)
        }
    }

    /// The registered engine whose files start as `file` does.
    public static func engine(of file: MappedFile) throws -> IndexEngine {
        if let engine = IndexEngines.all.first(where: { $0.recognises(file) }) { return engine }
        let reader = ByteReader(file: file, format: "index")
        guard let code = reader.peekCode() else {
            throw FederIndexError.truncated(
                path: file.path, format: "index", field: "format code", offset: 0, needed: 4, available: file.count)
        }
        if file.count < 8, code.allSatisfy({ $0 == 0 }) {
            throw FederIndexError.truncated(
                path: file.path, format: "hnswlib", field: "offsetLevel0", offset: 0, needed: 8, available: file.count)
        }
        if let (kind, hint) = otherKind(of: file) { throw FederIndexError.notAnIndex(path: file.path, kind: kind, hint: hint) }
        throw FederIndexError.unknownCode(path: file.path, code: describeCode(code), offset: 0)
    }

    /// What a file that is not an index is, by its first bytes, and where it goes instead (nil: nothing recognised).
    static func otherKind(of file: MappedFile) -> (kind: String, hint: String)? {
        let head = [UInt8](UnsafeRawBufferPointer(start: file.baseAddress, count: min(file.count, 512)))
        let vectors = "vectors go to --vector (queries) or --vectors (the vectors that were added), or a spec's \"vector\""
        if head.starts(with: [0x93] + Array("NUMPY".utf8)) { return ("a NumPy .npy array", vectors) }
        if head.starts(with: [0x89] + Array("HDF".utf8)) { return ("an HDF5 file", vectors) }
        if head.starts(with: [0x89] + Array("PNG".utf8)) || head.starts(with: [0xFF, 0xD8, 0xFF]) {
            return ("a picture", "pictures go to --media or a spec's \"media\"")
        }
        if head.first == UInt8(ascii: "{") || head.first == UInt8(ascii: "[") {
            return ("JSON", "a job spec is run as `feder-report SPEC.json`")
        }
        // Text: printable ASCII, tabs and line ends, or UTF-8 (a character cut at the 512th byte forgiven).
        let printable = head.allSatisfy { $0 >= 0x20 && $0 != 0x7F || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        if !head.isEmpty, printable, String(bytes: head.prefix(max(head.count - 3, 1)), encoding: .utf8) != nil {
            return ("a text file", "a media list goes to --media or a spec's \"media\"; an index is a faiss, hnswlib or Voyager file")
        }
        return nil
    }

    public var dim: Int {
        switch self {
        case .faiss(let index): return index.header.dim
        case .hnswlib(let index): return index.dim
        case .engine(let index): return index.model.dim
        }
    }

    public var count: Int {
        switch self {
        case .faiss(let index): return index.header.count
        case .hnswlib(let index): return index.count
        case .engine(let index): return index.model.count
        }
    }

    public var metric: Metric {
        switch self {
        case .faiss(let index): return index.header.metric
        case .hnswlib(let index): return index.space
        case .engine(let index): return index.model.metric
        }
    }

    /// What the index is, as the pipeline needs it (its distance, labels, structures and parameters).
    public var model: IndexModel {
        switch self {
        case .faiss(let index): return index.model
        case .hnswlib(let index): return index.model
        case .engine(let index): return index.model
        }
    }
}
