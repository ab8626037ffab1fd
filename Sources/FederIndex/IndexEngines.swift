/// An engine the tool reads: how its files are recognised and opened. Every engine is registered once, in
/// `IndexEngines.all`; `IndexFile.open` asks each in turn, so no stage names the engines.
public struct IndexEngine: Sendable {
    /// The engine's name, as the index model and output say it.
    public let name: String
    /// Whether a file's first bytes are this engine's (cheap: the file may be anything).
    public let recognises: @Sendable (MappedFile) -> Bool
    /// Decodes a recognised file, checking every field.
    /// - Throws: `FederIndexError` naming the file, the field and its byte offset.
    public let open: @Sendable (MappedFile, IndexOpenOptions) throws -> IndexFile

    public init(
        name: String, recognises: @escaping @Sendable (MappedFile) -> Bool,
        open: @escaping @Sendable (MappedFile, IndexOpenOptions) throws -> IndexFile
    ) {
        self.name = name
        self.recognises = recognises
        self.open = open
    }
}

/// What a file cannot say about itself, given by the user.
public struct IndexOpenOptions: Sendable, Equatable {
    /// The space of a format that does not record it (hnswlib).
    public var space: Metric

    public init(space: Metric = .l2) { self.space = space }
}

/// The engines the tool reads, in the order their files are recognised: one line an engine.
public enum IndexEngines {
    public static let all: [IndexEngine] = [.faissBinary, .voyager, .faiss, .hnswlib]

    /// The registered engine named `name`.
    public static func named(_ name: String) -> IndexEngine? { all.first { $0.name == name } }
}
