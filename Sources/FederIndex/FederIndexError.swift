import Foundation

/// Everything that can go wrong while opening or decoding an index, vector file or media list, or while reading an
/// index from a PostgreSQL server.
///
/// Every case names the file; decoding errors also name the format code being read and the byte offset, so a
/// message is enough to find the bad byte with a hex dump. (`exitCode`, in ExitCode.swift, gives each case's exit
/// code.)
public enum FederIndexError: Error, Equatable, Sendable {
    /// The file could not be opened or mapped (missing, a directory, no permission).
    case cannotOpen(path: String, reason: String)
    /// The file ends before `field` could be read.
    case truncated(path: String, format: String, field: String, offset: Int, needed: Int, available: Int)
    /// A field holds a value that cannot be right (negative size, id out of range, inconsistent sizes, …).
    case invalid(path: String, format: String, field: String, offset: Int, detail: String)
    /// The four-byte code at `offset` names no index type this tool knows.
    case unknownCode(path: String, code: String, offset: Int)
    /// A known structure that this tool does not read (yet), such as on-disk inverted lists.
    case unsupported(path: String, format: String, offset: Int, detail: String)
    /// A file of another kind (vectors, pictures, text) given where an index goes: `kind` names it, `hint` says where
    /// it belongs.
    case notAnIndex(path: String, kind: String, hint: String)
    /// A media list file is missing, a directory or unreadable.
    case cannotReadMediaList(path: String, reason: String)
    /// A media list file is not valid UTF-8.
    case mediaListNotUTF8(path: String)
    /// A line of a `LABEL<TAB>VALUE` media list is wrong; `line` is 1-based.
    case malformedMediaListLine(path: String, line: Int, reason: String)
    /// A PostgreSQL server could not be reached or refused the connection (not running, wrong socket, host or port,
    /// authentication, unknown database or role, a malformed connection string). `target` is the connection
    /// string without its password (`PGConnection.redacted`); `detail` is libpq's message on one line, with a hint.
    case databaseUnavailable(target: String, detail: String)
    /// A statement failed on a server that was reached. `sqlState` is the server's five-character code (`25006`:
    /// a write in a read-only transaction), or one this client chose when libpq failed on its own or the statement
    /// could not be sent (`08006` the connection lost, `XX000` another libpq failure, `22021` a NUL byte, `54000`
    /// over 65535 parameters, `53200` out of memory, `0A000` a COPY to or from the client).
    case databaseQuery(target: String, sqlState: String, detail: String)
    /// What the database holds is not what was asked for: no such index (`missing`: exit 66, as a missing file), or an
    /// index this tool does not read (another access method, not valid yet, another pgvector version, no right to
    /// read its pages) with what to do.
    case databaseObject(target: String, detail: String, missing: Bool)
}

extension FederIndexError: LocalizedError {
    public var errorDescription: String? {
        switch self {
        case .cannotOpen(let path, let reason):
            return "\(path): cannot open: \(reason)"
        case .truncated(let path, let format, let field, let offset, let needed, let available):
            return "\(path): \(format): file truncated at byte \(offset) while reading \(field) "
                + "(needs \(needed) bytes, \(available) left)"
        case .invalid(let path, let format, let field, let offset, let detail):
            return "\(path): \(format): invalid \(field) at byte \(offset): \(detail)"
        case .unknownCode(let path, let code, let offset):
            return "\(path): unknown index format code \(code) at byte \(offset) "
                + "(expected a faiss code such as IxF2, IwFl, IHNf, IxMp, a faiss binary code such as IBxF, an hnswlib file or a Voyager file)"
        case .notAnIndex(let path, let kind, let hint):
            return "\(path): this is \(kind), not an index; \(hint)"
        case .unsupported(let path, let format, let offset, let detail):
            return "\(path): \(format): unsupported at byte \(offset): \(detail)"
        case .cannotReadMediaList(let path, let reason):
            return "\(path): cannot read the media list: \(reason)"
        case .mediaListNotUTF8(let path):
            return "\(path): media list is not UTF-8 text"
        case .malformedMediaListLine(let path, let line, let reason):
            return "\(path):\(line): malformed media list line: \(reason)"
        case .databaseUnavailable(let target, let detail):
            return "PostgreSQL (\(target)): cannot connect: \(detail)"
        case .databaseQuery(let target, _, let detail):
            return "PostgreSQL (\(target)): query failed: \(detail)"
        case .databaseObject(let target, let detail, _):
            return "PostgreSQL (\(target)): \(detail)"
        }
    }
}

/// Renders four bytes as a readable code: printable ASCII as is, anything else as `0x…` hex.
func describeCode(_ bytes: [UInt8]) -> String {
    if bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
        return "'" + String(decoding: bytes, as: UTF8.self) + "'"
    }
    return "0x" + bytes.map { String(format: "%02x", $0) }.joined()
}
