/// How the command ends when an error reaches it (sysexits.h), carried by the error itself so that the one
/// place printing errors needs no table of every stage's error types.
public struct ToolExitCode: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32

    public init(_ rawValue: Int32) { self.rawValue = rawValue }

    /// A `--fail-if` gate held, or `--check-layout` found a problem.
    public static let gateFailed = ToolExitCode(1)
    /// A bad command line.
    public static let usage = ToolExitCode(64)
    /// A corrupt, truncated or unsupported file or spec; a query that does not fit its index.
    public static let dataError = ToolExitCode(65)
    /// An input that cannot be opened (missing, a directory, unreadable).
    public static let cannotOpen = ToolExitCode(66)
    /// An output that cannot be written.
    public static let cannotWrite = ToolExitCode(73)

    public var description: String { "\(rawValue)" }
}

/// An error thrown by one of the stages: it knows the exit code it ends the command with.
public protocol ToolError: Error {
    var exitCode: ToolExitCode { get }
}

extension FederIndexError: ToolError {
    /// A file (index, vectors, media list) that cannot be opened: 66; anything else is bad data: 65.
    ///
    /// A database is opened like a file: a server that cannot be reached or refuses the connection is 66, and so is a
    /// statement that fails for the same reasons once connected (the connection lost, `08…`; authorization, `28…`;
    /// a database gone, `3D…`; the server shutting down, `57P…`; no permission on a relation, `42501`), as an
    /// unreadable file is. Any other failed statement is 65.
    public var exitCode: ToolExitCode {
        switch self {
        case .cannotOpen, .cannotReadMediaList, .databaseUnavailable: return .cannotOpen
        case .databaseQuery(_, let sqlState, _):
            let cannotOpen =
                ["08", "28", "3D"].contains(String(sqlState.prefix(2))) || sqlState.hasPrefix("57P") || sqlState == "42501"
            return cannotOpen ? .cannotOpen : .dataError
        case .databaseObject(_, _, let missing):
            return missing ? .cannotOpen : .dataError
        case .truncated, .invalid, .unknownCode, .unsupported, .notAnIndex, .mediaListNotUTF8, .malformedMediaListLine:
            return .dataError
        }
    }
}
