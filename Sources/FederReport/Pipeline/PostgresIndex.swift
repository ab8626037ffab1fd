import FederIndex
import FederSearch

/// A pgvector index in a live database, as the command line and specs name it: where, which, and what its scans run
/// with (a filter, settings).
public struct PostgresIndex: Sendable, Equatable {
    public static func == (a: PostgresIndex, b: PostgresIndex) -> Bool {
        (a.connection, a.index, a.idColumn, a.dataDirectory, a.predicate) == (
            b.connection, b.index, b.idColumn, b.dataDirectory, b.predicate
        )
            && a.settings.map(\.0) == b.settings.map(\.0) && a.settings.map(\.1) == b.settings.map(\.1)
    }

    /// A libpq connection string or URI (never printed: `PGConnection.redacted` is).
    public var connection: String
    public var index: String
    public var idColumn: String?
    public var dataDirectory: String?
    public var predicate: String?
    public var settings: [(String, String)]

    public init(
        connection: String, index: String, idColumn: String? = nil, dataDirectory: String? = nil, predicate: String? = nil,
        settings: [(String, String)] = []
    ) {
        (self.connection, self.index, self.idColumn, self.dataDirectory, self.predicate, self.settings) =
            (connection, index, idColumn, dataDirectory, predicate, settings)
    }

    /// Opens it through the engine door: the pages read and the rows mapped at one snapshot.
    /// - Throws: `FederIndexError` (connection, catalogue, pages), `FederSearchError` (settings).
    public func open() throws -> IndexFile {
        _ = try PGVectorSettings(settings)
        return .engine(
            try PGVectorIndex(
                connectionString: connection, index: index, idColumn: idColumn, dataDirectory: dataDirectory, predicate: predicate,
                settings: settings))
    }

    /// How outputs name it: the index and the server, without a password.
    public var name: String { "\(index) (\(PGConnection.redacted(connection)))" }
}
