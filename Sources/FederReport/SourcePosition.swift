/// A place in a spec's source text: 1-based line and column, and the byte offset from the file's start.
///
/// The column counts characters (Unicode scalars) from the start of the line, so a line that begins with
/// `"é": 1` puts the `1` at column 7; a tab counts as one character. A leading byte order mark is skipped and
/// not counted. Lines end at `\n`, `\r\n` or a lone `\r`.
public struct SourcePosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    // Stored narrow (a spec is at most 16 MiB) so a tree of many small values stays small.
    private let storedLine: UInt32
    private let storedColumn: UInt32
    private let storedOffset: UInt32

    public init(line: Int, column: Int, offset: Int) {
        storedLine = UInt32(clamping: line)
        storedColumn = UInt32(clamping: column)
        storedOffset = UInt32(clamping: offset)
    }

    public var line: Int { Int(storedLine) }
    public var column: Int { Int(storedColumn) }
    public var offset: Int { Int(storedOffset) }

    /// `line 3, column 5`, as messages say it.
    public var description: String { "line \(line), column \(column)" }

    public static func < (a: SourcePosition, b: SourcePosition) -> Bool { a.storedOffset < b.storedOffset }
}
