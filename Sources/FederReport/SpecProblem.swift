import FederIndex
import Foundation

/// A problem in a job spec, located by its JSON path (`$.comparisons[0].right.params.nprobe`) and, when the
/// parser saw it, by line and column. Plain data: it is thrown inside `ReportError.spec`, with every other
/// problem found in the same spec.
///
/// Semantic problems describe themselves as `FILE: $.path: message`; JSON syntax errors (`isSyntaxError`)
/// as `FILE:LINE:COLUMN: message`, the way compilers and jq do.
public struct SpecProblem: Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var path: String
    public var message: String
    /// Where in the spec the offending value, key or character is; nil for problems found outside the text
    /// (an unreadable file, or later while running).
    public var position: SourcePosition?
    /// Whether the spec is not valid JSON (then `path` is `$` and `position` is where parsing stopped).
    public var isSyntaxError: Bool
    /// Whether the file named could not be opened at all (exit 66, not 65).
    public var cannotOpen = false

    public init(file: String, path: String, message: String, position: SourcePosition? = nil) {
        self.file = file
        self.path = path
        self.message = message
        self.position = position
        self.isSyntaxError = false
    }

    /// The spec is not JSON: located by line and column.
    init(file: String, syntax error: JSONSyntaxError) {
        self.file = file
        self.path = "$"
        self.message = error.message
        self.position = error.position
        self.isSyntaxError = true
    }

    /// The line printed for the problem.
    public var description: String {
        if isSyntaxError, let position { return "\(file):\(position.line):\(position.column): \(message)" }
        return "\(file): \(path): \(message)"
    }
}

/// The closest of `candidates` to `word`, when it is close enough to be a likely typo.
func suggestion(for word: String, among candidates: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
    guard word.count <= 64 else { return nil }
    let lower = Array(word.lowercased())
    let scored = candidates.map { ($0, distance(lower, Array($0.lowercased()))) }.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }
    guard let best = scored.first, best.1 <= max(2, word.count / 3) else { return nil }
    return best.0
}
