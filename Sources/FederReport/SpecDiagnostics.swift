import Foundation

/// Collects the problems found while checking one spec, so one run reports all of them.
final class SpecDiagnostics {
    let file: String
    let directory: URL
    private(set) var problems: [SpecProblem] = []

    init(file: String) {
        self.file = file
        directory = URL(fileURLWithPath: file).deletingLastPathComponent()
    }

    func record(_ problem: SpecProblem) { problems.append(problem) }

    /// Runs one independent part of the check; a problem it throws is recorded and the result is nil, so the
    /// caller goes on with the next part.
    func attempt<T>(_ body: () throws -> T) -> T? {
        do {
            return try body()
        } catch ReportError.spec(let found) {
            for problem in found { record(problem) }
        } catch is SpecAlreadyReported {
        } catch {
            record(SpecProblem(file: file, path: "$", message: "\(error)"))
        }
        return nil
    }

    /// The problems in the order they appear in the file.
    var sortedProblems: [SpecProblem] {
        problems.enumerated().sorted { a, b in
            let x = a.element.position?.offset ?? -1
            let y = b.element.position?.offset ?? -1
            return x != y ? x < y : a.offset < b.offset
        }.map(\.element)
    }
}

/// Thrown to stop checking a part whose problem is already recorded (a missing required key).
struct SpecAlreadyReported: Error {}
