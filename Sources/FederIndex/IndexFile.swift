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
        try engine(of: file).open(file, IndexOpenOptions(space: space))
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
        throw FederIndexError.unknownCode(path: file.path, code: describeCode(code), offset: 0)
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
