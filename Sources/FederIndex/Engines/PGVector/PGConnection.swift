import CLibPQ
import Foundation
import Synchronization

/// A connection to a PostgreSQL server through libpq, for the pgvector engine: statements with text parameters whose
/// results are copied out at once, a read-only snapshot to read an index in, and errors that never carry a password.
///
/// The connection string goes to `PQconnectdb` as given, `key=value` pairs or a `postgresql://` URI, so libpq's
/// environment variables (`PGHOST`, `PGPASSWORD`, …), `~/.pgpass`, service files and `sslmode` apply exactly as for
/// psql. Server notices (warnings, `NOTICE: … skipping`) are dropped rather than printed.
///
/// Unchecked `Sendable`: libpq serves one statement at a time per connection, so the handle is used only under `lock`
/// (and in `deinit`), and statements from several tasks run one after another. A snapshot belongs to the connection:
/// tasks sharing one share its transaction, and a task that needs a snapshot of its own opens a connection of its own.
public final class PGConnection: @unchecked Sendable {
    /// The connection string without any password (`redacted`), or when that is empty the host, port, user and
    /// database libpq took from its defaults; errors name the server by it.
    public let target: String
    private let connection: OpaquePointer
    private let lock = Mutex<Void>(())

    /// Connects with `PQconnectdb`, and sets the client encoding to UTF8.
    /// - Throws: `FederIndexError.databaseUnavailable` when the server cannot be reached or refuses the connection,
    ///   or the string is malformed; its detail is one line, with what to check when that is clear.
    public init(connectionString: String) throws {
        var target = Self.redacted(connectionString)
        guard !connectionString.utf8.contains(0) else {
            throw FederIndexError.databaseUnavailable(target: target, detail: "the connection string contains a NUL byte")
        }
        guard let connection = PQconnectdb(connectionString) else {
            throw FederIndexError.databaseUnavailable(target: target, detail: "libpq could not allocate a connection")
        }
        if target.isEmpty { target = Self.describe(connection) }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = PQerrorMessage(connection).map { String(cString: $0) } ?? ""
            PQfinish(connection)
            throw FederIndexError.databaseUnavailable(
                target: target, detail: ConnectionFailure.detail(message, connectionString: connectionString, target: target))
        }
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        guard PQsetClientEncoding(connection, "UTF8") == 0 else {
            let message = PQerrorMessage(connection).map { String(cString: $0) } ?? ""
            PQfinish(connection)
            throw FederIndexError.databaseUnavailable(
                target: target, detail: "cannot use the UTF8 client encoding: " + ConnectionFailure.oneLine(message))
        }
        self.target = target
        self.connection = connection
    }

    deinit {
        PQfinish(connection)
    }

    /// The server's version as a number: 180004 for 18.4, 160014 for 16.14.
    public var serverVersionNumber: Int {
        lock.withLock { _ in Int(PQserverVersion(connection)) }
    }

    /// Runs one statement through `PQexecParams`: `$1`, `$2`, … are `parameters`, sent as text (`nil` is NULL) with
    /// types the server infers; results come as text, or in each type's binary form (`bytea`'s bytes, `vector_send`'s
    /// layout) when `binaryResults`.
    /// - Throws: `FederIndexError.databaseQuery` when the statement fails (the server's SQLSTATE and message on one
    ///   line), or a parameter holds a NUL byte, which text cannot carry.
    public func query(_ sql: String, parameters: [String?] = [], binaryResults: Bool = false) throws -> PGResult {
        guard !sql.utf8.contains(0) else {
            throw FederIndexError.databaseQuery(target: target, sqlState: "22021", detail: "the statement contains a NUL byte")
        }
        if let index = parameters.firstIndex(where: { $0?.utf8.contains(0) ?? false }) {
            throw FederIndexError.databaseQuery(
                target: target, sqlState: "22021",
                detail: "parameter $\(index + 1) contains a NUL byte, which a text parameter cannot carry (send bytes as hex)")
        }
        guard parameters.count <= Int(UInt16.max) else {
            throw FederIndexError.databaseQuery(
                target: target, sqlState: "54000", detail: "\(parameters.count) parameters; a statement takes at most 65535")
        }
        let copies: [UnsafeMutablePointer<CChar>?] = parameters.map { $0.flatMap { strdup($0) } }
        defer {
            for copy in copies { free(copy) }
        }
        guard !zip(parameters, copies).contains(where: { $0.0 != nil && $0.1 == nil }) else {
            throw FederIndexError.databaseQuery(target: target, sqlState: "53200", detail: "out of memory for the parameters")
        }
        let values: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
        return try lock.withLock { _ in
            let result = values.withUnsafeBufferPointer {
                PQexecParams(connection, sql, Int32(values.count), nil, $0.baseAddress, nil, nil, binaryResults ? 1 : 0)
            }
            defer { PQclear(result) }
            guard let result else { throw Self.failure(nil, connection, target: target) }
            switch PQresultStatus(result) {
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
                return PGResult(copying: result)
            case let status where status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH:
                Self.abandonCopy(connection, status: status)
                throw FederIndexError.databaseQuery(
                    target: target, sqlState: "0A000", detail: "COPY to or from the client is not supported here")
            default:
                throw Self.failure(result, connection, target: target)
            }
        }
    }

    /// Starts a transaction in which every statement sees the same snapshot of the database and nothing can be
    /// written (`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`), so an index read page by page stays consistent.
    public func beginReadOnlySnapshot() throws {
        _ = try query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    }

    /// Ends the transaction `beginReadOnlySnapshot` began (`ROLLBACK`: it wrote nothing). Ending none is harmless.
    public func end() throws {
        _ = try query("ROLLBACK")
    }

    /// The host, port, user and database the connection used, for a connection string that named none.
    private static func describe(_ connection: OpaquePointer) -> String {
        let parts: [(String, UnsafeMutablePointer<CChar>?)] = [
            ("host", PQhost(connection)), ("port", PQport(connection)), ("user", PQuser(connection)), ("dbname", PQdb(connection)),
        ]
        return parts.compactMap { keyword, value in
            guard let value, value.pointee != 0 else { return nil }
            return keyword + "=" + ConnectionString.quoted(String(cString: value))
        }.joined(separator: " ")
    }

    /// The error of a failed statement: the server's fields when it sent them, libpq's message otherwise.
    private static func failure(_ result: OpaquePointer?, _ connection: OpaquePointer, target: String) -> FederIndexError {
        func field(_ code: Character) -> String? {
            guard let result, let ascii = code.asciiValue, let value = PQresultErrorField(result, Int32(ascii)) else { return nil }
            let text = String(cString: value)
            return text.isEmpty ? nil : text
        }
        let lost = PQstatus(connection) != CONNECTION_OK
        var detail: String
        if let primary = field("M") {
            detail = primary
            if let more = field("D") { detail += " (\(more))" }
            if let hint = field("H") { detail += "; \(hint)" }
        } else {
            let message = result.flatMap { PQresultErrorMessage($0) }.map { String(cString: $0) } ?? ""
            detail = message.isEmpty ? (PQerrorMessage(connection).map { String(cString: $0) } ?? "") : message
        }
        detail = ConnectionFailure.oneLine(detail)
        if detail.isEmpty { detail = lost ? "the connection was lost" : "the statement failed without a message" }
        let sqlState = field("C") ?? (lost ? "08006" : "XX000")
        return FederIndexError.databaseQuery(target: target, sqlState: sqlState, detail: detail)
    }

    /// Leaves the COPY state a statement put the connection in (ends the input, or reads the output to its end, then
    /// collects the statement's last results), so that the next statement can run.
    private static func abandonCopy(_ connection: OpaquePointer, status: ExecStatusType) {
        if status == PGRES_COPY_OUT {
            var buffer: UnsafeMutablePointer<CChar>?
            while PQgetCopyData(connection, &buffer, 0) > 0 {
                PQfreemem(buffer)
                buffer = nil
            }
        } else {
            _ = PQputCopyEnd(connection, "COPY is not supported here")
        }
        while let next = PQgetResult(connection) { PQclear(next) }
    }

    /// `connectionString` with every password removed, for messages and logs.
    ///
    /// In the `key=value` form (parsed by libpq's rules: single-quoted values with spaces, backslash escapes) each
    /// option whose keyword names a password or secret goes (`password`, `sslpassword`, `oauth_client_secret`, in any
    /// case); from the first token libpq could not parse on, the rest becomes `…`, since it may hold a value that lost
    /// its quotes. In a `postgresql://` or `postgres://` URI the `:password` of `user:password@` goes, found as libpq
    /// finds it (the userinfo ends at the first `@` met before any `/`), or, when libpq finds none and reads a port that
    /// is no number (`user:pa/ss@host`), everything from the first `:` to the first `@`; and so does every query
    /// parameter naming a password or secret. Everything else is kept as written.
    public static func redacted(_ connectionString: String) -> String {
        ConnectionString(connectionString).redacted
    }
}

/// A statement's result, copied out of libpq's (which is cleared at once): every value's bytes, and the columns'
/// names and type OIDs. A value outside the result reads as NULL.
public struct PGResult: Sendable, Equatable {
    /// The number of rows.
    public let rows: Int
    /// The number of columns.
    public let columns: Int
    /// Each column's name, as the statement labelled it.
    public let columnNames: [String]
    /// Each column's type OID (17 bytea, 25 text, 23 int4; pgvector's `vector` has an OID of its own per database).
    public let columnTypes: [UInt32]
    /// The command tag: `SELECT 2`, `INSERT 0 1`, `BEGIN`.
    public let commandTag: String
    private let storage: [UInt8]
    private let starts: [Int]
    /// Each value's length in bytes; −1 for NULL.
    private let lengths: [Int32]

    init(copying result: OpaquePointer) {
        let rows = Int(PQntuples(result))
        let columns = Int(PQnfields(result))
        self.rows = rows
        self.columns = columns
        columnNames = (0..<columns).map { column in PQfname(result, Int32(column)).map { String(cString: $0) } ?? "" }
        columnTypes = (0..<columns).map { column in UInt32(PQftype(result, Int32(column))) }
        commandTag = PQcmdStatus(result).map { String(cString: $0) } ?? ""
        var starts: [Int] = []
        var lengths: [Int32] = []
        starts.reserveCapacity(rows * columns)
        lengths.reserveCapacity(rows * columns)
        var total = 0
        for row in 0..<Int32(rows) {
            for column in 0..<Int32(columns) {
                let length = PQgetisnull(result, row, column) != 0 ? -1 : max(0, PQgetlength(result, row, column))
                starts.append(total)
                lengths.append(length)
                total += Int(max(0, length))
            }
        }
        var storage: [UInt8] = []
        storage.reserveCapacity(total)
        for row in 0..<Int32(rows) {
            for column in 0..<Int32(columns) {
                let length = Int(lengths[Int(row) * columns + Int(column)])
                guard length > 0, let value = PQgetvalue(result, row, column) else { continue }
                value.withMemoryRebound(to: UInt8.self, capacity: length) {
                    storage.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
                }
            }
        }
        self.storage = storage
        self.starts = starts
        self.lengths = lengths
    }

    /// The index of the column named `name`, if there is one.
    public func column(named name: String) -> Int? { columnNames.firstIndex(of: name) }

    /// Whether the value at (`row`, `column`) is NULL (or outside the result).
    public func isNull(_ row: Int, _ column: Int) -> Bool { cell(row, column) == nil }

    /// The value as text (decoded as UTF-8, the client encoding), or nil when NULL. Meant for text results.
    public func text(_ row: Int, _ column: Int) -> String? {
        guard let range = cell(row, column) else { return nil }
        return String(decoding: storage[range], as: UTF8.self)
    }

    /// The value's bytes as the server sent them, or nil when NULL: with `binaryResults`, the type's binary form.
    public func bytes(_ row: Int, _ column: Int) -> [UInt8]? {
        guard let range = cell(row, column) else { return nil }
        return Array(storage[range])
    }

    /// Calls `body` with the value's bytes in place (no copy), or returns nil when NULL.
    public func withBytes<T>(_ row: Int, _ column: Int, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T? {
        guard let range = cell(row, column) else { return nil }
        return try storage.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    private func cell(_ row: Int, _ column: Int) -> Range<Int>? {
        guard row >= 0, row < rows, column >= 0, column < columns else { return nil }
        let index = row * columns + column
        guard lengths[index] >= 0 else { return nil }
        return starts[index]..<(starts[index] + Int(lengths[index]))
    }
}

/// A connection string taken apart by libpq's rules, without libpq: what `redacted` keeps, and the secrets it removes
/// (to scrub them from messages as well).
struct ConnectionString {
    private(set) var redacted = ""
    /// The secret values found, as written and as libpq reads them (unescaped, percent-decoded).
    private(set) var secrets: [String] = []

    init(_ text: String) {
        let bytes = Array(text.utf8)
        if let prefix = Self.uriPrefixLength(bytes) {
            redactURI(bytes, prefix: prefix, text: text)
        } else {
            redactKeywordValue(bytes)
        }
    }

    /// Whether a keyword names a secret: libpq's password fields (`password`, `sslpassword`) and any `…secret…`.
    static func isSecret(_ keyword: some StringProtocol) -> Bool {
        let lower = keyword.lowercased()
        return lower.contains("password") || lower.contains("secret")
    }

    /// `value` as a `key=value` value: single-quoted, with `\` and `'` escaped, when it is empty or holds a space or
    /// either of those.
    static func quoted(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { $0.isWhitespace || $0 == "'" || $0 == "\\" }) else { return value }
        return "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }

    /// The length of `postgresql://` or `postgres://` at the start (in any case), if the string is a URI.
    private static func uriPrefixLength(_ bytes: [UInt8]) -> Int? {
        ["postgresql://", "postgres://"].first { String(decoding: bytes.prefix($0.utf8.count), as: UTF8.self).lowercased() == $0 }?
            .utf8.count
    }

    /// `key=value` pairs as libpq's `conninfo_parse` reads them; a secret option goes with the spaces that separated
    /// it, and an unparseable tail (a keyword without `=`, an unterminated quote) becomes `…`.
    private mutating func redactKeywordValue(_ bytes: [UInt8]) {
        let equals = UInt8(ascii: "=")
        let quote = UInt8(ascii: "'")
        let backslash = UInt8(ascii: "\\")
        var removals: [Range<Int>] = []
        var failure: Int?
        var index = 0
        var previousEnd = 0
        parsing: while index < bytes.count {
            if Self.isSpace(bytes[index]) {
                index += 1
                continue
            }
            let start = index
            while index < bytes.count, bytes[index] != equals, !Self.isSpace(bytes[index]) { index += 1 }
            let keyword = String(decoding: bytes[start..<index], as: UTF8.self)
            while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
            guard index < bytes.count, bytes[index] == equals else {
                failure = start
                break parsing
            }
            index += 1
            while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
            let valueStart = index
            var value: [UInt8] = []
            if index < bytes.count, bytes[index] == quote {
                index += 1
                var closed = false
                while index < bytes.count {
                    if bytes[index] == backslash {
                        index += 1
                        if index < bytes.count { value.append(bytes[index]) }
                        index += 1
                    } else if bytes[index] == quote {
                        index += 1
                        closed = true
                        break
                    } else {
                        value.append(bytes[index])
                        index += 1
                    }
                }
                guard closed else {
                    failure = start
                    if Self.isSecret(keyword) { noteSecret(value, raw: Array(bytes[valueStart...].dropFirst())) }
                    break parsing
                }
            } else {
                while index < bytes.count, !Self.isSpace(bytes[index]) {
                    if bytes[index] == backslash { index += 1 }
                    if index < bytes.count { value.append(bytes[index]) }
                    index += 1
                }
            }
            if Self.isSecret(keyword) {
                noteSecret(value, raw: Array(bytes[valueStart..<min(index, bytes.count)]))
                // The option goes with the spaces before it (after it, when it comes first; only itself, when the next
                // option follows its closing quote at once).
                if start == firstNonSpace(bytes) {
                    removals.append(start..<nextNonSpace(bytes, from: index))
                } else if index < bytes.count, !Self.isSpace(bytes[index]) {
                    removals.append(start..<index)
                } else {
                    removals.append(previousEnd..<index)
                }
            }
            previousEnd = min(index, bytes.count)
        }
        var kept = Self.removing(removals, from: Array(bytes[..<(failure ?? bytes.count)]))
        if failure != nil {
            while let last = kept.last, Self.isSpace(last) { kept.removeLast() }
            kept += Array((kept.isEmpty ? "…" : " …").utf8)
        }
        redacted = String(decoding: kept, as: UTF8.self)
    }

    /// A URI: the password of `user:password@` as libpq's `conninfo_uri_parse_options` finds it (the userinfo ends
    /// at the first `@` met before any `/`), and each query parameter naming a secret.
    private mutating func redactURI(_ bytes: [UInt8], prefix: Int, text: String) {
        let at = UInt8(ascii: "@")
        let slash = UInt8(ascii: "/")
        let colon = UInt8(ascii: ":")
        let question = UInt8(ascii: "?")
        let ampersand = UInt8(ascii: "&")
        let equals = UInt8(ascii: "=")
        var removals: [Range<Int>] = []
        let userinfoEnd = bytes[prefix...].firstIndex { $0 == at || $0 == slash }
        if let end = userinfoEnd, bytes[end] == at {
            if let colonIndex = bytes[prefix..<end].firstIndex(of: colon) {
                removals.append(colonIndex..<end)
                noteSecret(Self.percentDecoded(bytes[(colonIndex + 1)..<end]), raw: Array(bytes[(colonIndex + 1)..<end]))
            }
        } else if let firstAt = bytes[prefix...].firstIndex(of: at), let colonIndex = bytes[prefix..<firstAt].firstIndex(of: colon),
            !Self.parsesWithNumericPort(text)
        {
            // `user:pa/ss@host`: libpq reads a host `user` and a port `pa`, and fails; the password may be all of it.
            removals.append(colonIndex..<firstAt)
            noteSecret(Self.percentDecoded(bytes[(colonIndex + 1)..<firstAt]), raw: Array(bytes[(colonIndex + 1)..<firstAt]))
        }
        if let queryStart = bytes[prefix...].firstIndex(of: question) {
            var parameters: [Range<Int>] = []
            var start = queryStart + 1
            while start <= bytes.count {
                let end = bytes[start...].firstIndex(of: ampersand) ?? bytes.count
                parameters.append(start..<end)
                start = end + 1
            }
            var removedAll = true
            for (number, parameter) in parameters.enumerated() {
                let keyEnd = bytes[parameter].firstIndex(of: equals) ?? parameter.upperBound
                let key = Self.percentDecoded(bytes[parameter.lowerBound..<keyEnd])
                guard Self.isSecret(String(decoding: key, as: UTF8.self)) else {
                    removedAll = false
                    continue
                }
                if keyEnd < parameter.upperBound {
                    let value = bytes[(keyEnd + 1)..<parameter.upperBound]
                    noteSecret(Self.percentDecoded(value), raw: Array(value))
                }
                // The parameter goes with the `&` before it (after it, for the first).
                removals.append(
                    number == 0
                        ? parameter.lowerBound..<min(parameter.upperBound + 1, bytes.count)
                        : (parameter.lowerBound - 1)..<parameter.upperBound)
            }
            if removedAll { removals.append(queryStart..<bytes.count) }
        }
        redacted = String(decoding: Self.removing(removals, from: bytes), as: UTF8.self)
    }

    /// Whether libpq parses the string and reads a port of digits (and commas, for several hosts) from it.
    private static func parsesWithNumericPort(_ text: String) -> Bool {
        var error: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(text, &error) else {
            PQfreemem(error)
            return false
        }
        defer { PQconninfoFree(options) }
        var option = options
        while let keyword = option.pointee.keyword {
            if String(cString: keyword) == "port", let value = option.pointee.val {
                return String(cString: value).allSatisfy { $0.isASCII && ($0.isNumber || $0 == ",") }
            }
            option += 1
        }
        return true
    }

    private mutating func noteSecret(_ value: [UInt8], raw: [UInt8]) {
        for candidate in [value, raw] where !candidate.isEmpty {
            let secret = String(decoding: candidate, as: UTF8.self)
            if !secrets.contains(secret) { secrets.append(secret) }
        }
    }

    private func firstNonSpace(_ bytes: [UInt8]) -> Int { bytes.firstIndex { !Self.isSpace($0) } ?? bytes.count }

    private func nextNonSpace(_ bytes: [UInt8], from index: Int) -> Int {
        guard index < bytes.count else { return bytes.count }
        return bytes[index...].firstIndex { !Self.isSpace($0) } ?? bytes.count
    }

    /// `%XX` decoded as libpq decodes it; a malformed escape is kept as written.
    private static func percentDecoded(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var decoded: [UInt8] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.endIndex, let high = hex(bytes[index + 1]),
                let low = hex(bytes[index + 2])
            {
                decoded.append(high << 4 | low)
                index += 3
            } else {
                decoded.append(bytes[index])
                index += 1
            }
        }
        return decoded
    }

    /// `bytes` without the bytes in any of `ranges` (which may overlap).
    private static func removing(_ ranges: [Range<Int>], from bytes: [UInt8]) -> [UInt8] {
        guard !ranges.isEmpty else { return bytes }
        var drop = [Bool](repeating: false, count: bytes.count)
        for range in ranges {
            for index in range where index >= 0 && index < bytes.count { drop[index] = true }
        }
        return bytes.indices.filter { !drop[$0] }.map { bytes[$0] }
    }
}

/// libpq's message for a connection that failed, on one line, without anything that could be a password, and with
/// what to check when that is clear.
enum ConnectionFailure {
    static func detail(_ message: String, connectionString: String, target: String) -> String {
        let parsed = ConnectionString(connectionString)
        var line = oneLine(message)
        if !connectionString.isEmpty, connectionString != target {
            line = line.replacingOccurrences(of: connectionString, with: target)
        }
        line = maskingQuoted(line, target: target)
        for secret in parsed.secrets where secret.utf8.count >= 3 {
            line = line.replacingOccurrences(of: secret, with: "…")
        }
        if let hint = hint(for: line, original: message) { line += "; " + hint }
        return line
    }

    /// A libpq or server message on one line: each line trimmed, an indented line (libpq's continuation) joined to
    /// the one before it with a space, separate lines with `; ` (repeated ones once), the `FATAL:`/`ERROR:` severity
    /// words dropped, and libpq's own "Is the server running…?" left to the hint.
    static func oneLine(_ message: String) -> String {
        var lines: [String] = []
        for raw in message.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let text = raw.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty, !text.hasPrefix("Is the server running") else { continue }
            if raw.first == "\t" || raw.first == " ", let last = lines.popLast() {
                lines.append(last + " " + text)
            } else if !lines.contains(text) {
                lines.append(text)
            }
        }
        var line = lines.joined(separator: "; ")
        for severity in ["FATAL:", "ERROR:", "PANIC:"] {
            line = line.replacingOccurrences(of: severity + "  ", with: "").replacingOccurrences(of: severity + " ", with: "")
        }
        while line.contains("  ") { line = line.replacingOccurrences(of: "  ", with: " ") }
        return line
    }

    /// What to check, for the failures whose cause is plain from the message.
    private static func hint(for line: String, original: String) -> String? {
        if original.contains("Is the server running")
            || (line.contains("connection to server")
                && (line.contains("No such file or directory") || line.contains("Connection refused")))
        {
            return "is the server running, and are the host (its address or socket directory) and port right?"
        }
        let hints: [(String, String)] = [
            ("could not translate host name", "is the host name right?"),
            ("timeout expired", "is the server reachable at that host and port?"),
            ("password authentication failed", "check the password (PGPASSWORD, ~/.pgpass or the connection string's)"),
            ("no password supplied", "the server asks for a password: set PGPASSWORD or add it to ~/.pgpass"),
            ("no pg_hba.conf entry", "the server's pg_hba.conf does not admit this connection"),
            ("Permission denied", "is the socket directory open to this user?"),
            ("in connection info string", "a value with spaces goes in single quotes, as in key='a b'"),
            ("percent-encoded", "in a URI, percent-encode reserved characters (%40 for @, %2F for /, %20 for a space)"),
        ]
        if let hint = hints.first(where: { line.contains($0.0) }) { return hint.1 }
        if line.contains("does not exist"), line.contains("database \"") {
            return "name an existing database with dbname= (or PGDATABASE)"
        }
        if line.contains("does not exist"), line.contains("role \"") {
            return "connect as an existing role with user= (or PGUSER)"
        }
        return nil
    }

    /// `line` with each double-quoted fragment libpq copied from its input replaced by `…`, unless it is certainly
    /// no secret: a connection keyword, punctuation, part of the (redacted) target, a default libpq took from the
    /// environment or its build, or a socket path in one of those directories.
    private static func maskingQuoted(_ line: String, target: String) -> String {
        let allowed = Defaults.current
        func isSafe(_ fragment: Substring) -> Bool {
            if fragment.isEmpty || fragment.allSatisfy({ $0.isPunctuation || $0.isSymbol }) { return true }
            if allowed.keywords.contains(String(fragment)) || allowed.values.contains(String(fragment)) { return true }
            if !target.isEmpty, target.contains(fragment) { return true }
            if let socket = fragment.range(of: "/.s.PGSQL.", options: .backwards) {
                return isSafe(fragment[..<socket.lowerBound]) && fragment[socket.upperBound...].allSatisfy(\.isNumber)
            }
            return false
        }
        var result = ""
        var rest = Substring(line)
        while let open = rest.firstIndex(of: "\"") {
            let after = rest.index(after: open)
            guard let close = rest[after...].firstIndex(of: "\"") else { break }
            result += rest[...open]
            result += isSafe(rest[after..<close]) ? String(rest[after..<close]) : "…"
            result += "\""
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }

    /// libpq's connection keywords, and the values it would use when a string names none (from `PG*` variables and
    /// its build), except the secret ones; with the places a server's socket usually is.
    private struct Defaults {
        var keywords: Set<String> = []
        var values: Set<String> = ["localhost", "[local]", "/var/run/postgresql", "/run/postgresql", "/tmp"]

        static var current: Defaults {
            var defaults = Defaults()
            guard let options = PQconndefaults() else { return defaults }
            defer { PQconninfoFree(options) }
            var option = options
            while let keyword = option.pointee.keyword {
                let name = String(cString: keyword)
                defaults.keywords.insert(name)
                let hidden = option.pointee.dispchar.map { String(cString: $0) == "*" } ?? false
                if !hidden, !ConnectionString.isSecret(name) {
                    for value in [option.pointee.val, option.pointee.compiled] {
                        if let value, value.pointee != 0 { defaults.values.insert(String(cString: value)) }
                    }
                }
                option += 1
            }
            return defaults
        }
    }
}
