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
    public var exitCode: ToolExitCode {
        switch self {
        case .cannotOpen, .cannotReadMediaList: return .cannotOpen
        case .truncated, .invalid, .unknownCode, .unsupported, .notAnIndex, .mediaListNotUTF8, .malformedMediaListLine:
            return .dataError
        }
    }
}
