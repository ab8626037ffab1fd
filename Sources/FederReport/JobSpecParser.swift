import FederIndex
import FederLayout
import Foundation

/// Reads a job spec (JSON) into a `JobSpec`, refusing unknown keys (with a suggestion or the place they
/// belong), duplicate keys, wrong types, missing references and absurd sizes, each with the JSON path and the
/// line and column of the problem.
///
/// `check` reports every problem it can find in one pass: a problem in one part (an index entry, a query,
/// a comparison, one parameter) does not stop the others from being checked. `parse` throws the first
/// problem in file order, as a `ReportError.spec`. A spec that is not JSON has exactly one problem, located by
/// line and column.
public enum JobSpecParser {
    /// Limits that keep a hand-written spec from asking for more than a report can show.
    public static let maxQueriesPerSet = 100_000
    public static let maxSweepPoints = 64
    public static let maxComparisons = 200
    public static let maxK = 10_000
    /// The largest spec file read (a spec is hand-written; this is far beyond any real one).
    public static let maxSpecBytes = 16 << 20
    static let maxSearchParameter = 1_000_000
    static let maxID = Int(Int64.max >> 1)

    /// Parses the spec at `file`.
    /// - Throws: `ReportError.spec` with the first problem in file order.
    public static func parse(file: String) throws -> JobSpec {
        let (spec, problems) = check(file: file)
        if let spec, problems.isEmpty { return spec }
        throw ReportError.spec([problems.first ?? SpecProblem(file: file, path: "$", message: "not a valid spec")])
    }

    /// Parses a spec held in memory; `file` names it in messages and anchors its relative paths.
    /// - Throws: `ReportError.spec` with the first problem in file order.
    public static func parse(data: Data, file: String) throws -> JobSpec {
        let (spec, problems) = check(data: data, file: file)
        if let spec, problems.isEmpty { return spec }
        throw ReportError.spec([problems.first ?? SpecProblem(file: file, path: "$", message: "not a valid spec")])
    }

    /// Checks the spec at `file`: the spec when it is valid, and otherwise every problem found, in file order.
    public static func check(file: String) -> (spec: JobSpec?, problems: [SpecProblem]) {
        switch read(file: file) {
        case .read(let data): return check(data: data, file: file)
        case .unreadable(let problem): return (nil, [problem])
        }
    }

    /// Checks a spec held in memory: the spec when it is valid (`problems` empty), and otherwise every problem
    /// found, in file order.
    public static func check(data: Data, file: String) -> (spec: JobSpec?, problems: [SpecProblem]) {
        guard data.count <= maxSpecBytes else {
            return (nil, [SpecProblem(file: file, path: "$", message: SpecFault.tooLarge(limit: maxSpecBytes).message)])
        }
        let tree: JSONTree
        do {
            tree = try JSONParser.parse(data)
        } catch {
            var syntax = SpecProblem(file: file, syntax: error)
            // A binary file given where the spec goes is most likely an index.
            if data.prefix(256).contains(0) {
                syntax.message +=
                    " (a binary file, not a JSON job spec: to read an index use `feder-report inspect FILE`, `trace FILE --id 0` or `view FILE --id 0`)"
            }
            return (nil, [syntax])
        }
        let diagnostics = SpecDiagnostics(file: file)
        reportDuplicateKeys(in: tree, diagnostics: diagnostics)
        let spec = diagnostics.attempt {
            try JobSpecBuilder(diagnostics: diagnostics).build(SpecNode(value: tree, path: "$", diagnostics: diagnostics))
        }
        let problems = diagnostics.sortedProblems
        return (problems.isEmpty ? spec : nil, problems)
    }

    /// A spec file's bytes, or the problem that kept them from being read.
    enum Bytes {
        case read(Data)
        case unreadable(SpecProblem)
    }

    /// The file's bytes, refusing (without reading them all) files larger than `maxSpecBytes`.
    static func read(file: String) -> Bytes {
        if let reason = FileAccess.problem(reading: file) {
            var problem = SpecProblem(file: file, path: "$", message: SpecFault.unreadable(reason: reason).message)
            problem.cannotOpen = true
            return .unreadable(problem)
        }
        guard let handle = FileHandle(forReadingAtPath: file) else {
            let reason = FileManager.default.fileExists(atPath: file) ? "permission denied" : "no such file"
            return .unreadable(SpecProblem(file: file, path: "$", message: SpecFault.unreadable(reason: reason).message))
        }
        defer { try? handle.close() }
        do {
            let data = try handle.read(upToCount: maxSpecBytes + 1) ?? Data()
            guard data.count <= maxSpecBytes else {
                return .unreadable(SpecProblem(file: file, path: "$", message: SpecFault.tooLarge(limit: maxSpecBytes).message))
            }
            return .read(data)
        } catch {
            return .unreadable(
                SpecProblem(file: file, path: "$", message: SpecFault.unreadable(reason: error.localizedDescription).message))
        }
    }

    /// Records every key that appears twice in one object, anywhere in the document (walked without recursion).
    static func reportDuplicateKeys(in tree: JSONTree, diagnostics: SpecDiagnostics) {
        var pending: [(JSONTree, String)] = [(tree, "$")]
        while let (value, path) = pending.popLast() {
            switch value.kind {
            case .object(let members):
                var seen: [String: SourcePosition] = [:]
                for member in members {
                    if let first = seen[member.key] {
                        diagnostics.record(
                            SpecProblem(
                                file: diagnostics.file, path: path, message: SpecFault.duplicateKey(member.key, first: first).message,
                                position: member.keyPosition))
                    } else {
                        seen[member.key] = member.keyPosition
                    }
                    if member.value.isContainer { pending.append((member.value, SpecNode.path(path, key: member.key))) }
                }
            case .array(let items):
                for (offset, item) in items.enumerated() where item.isContainer { pending.append((item, "\(path)[\(offset)]")) }
            default:
                break
            }
        }
    }
}
