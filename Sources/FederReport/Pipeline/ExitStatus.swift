import FederIndex
import FederRender
import FederSearch
import Foundation

/// The one place that maps errors to exit codes (sysexits.h) and to the one-line message printed for them.
///
/// 64 usage · 65 bad data or spec · 66 cannot open an input · 73 cannot write an output · 1 a `--fail-if` gate
/// held · 128 + n interrupted by signal n (set by the signal handler, not here).
public enum ExitStatus {
    public static let usage: Int32 = 64
    public static let dataError: Int32 = 65
    public static let cannotOpen: Int32 = 66
    public static let cannotWrite: Int32 = 73
    public static let gateFailed: Int32 = 1

    /// The exit code for an error thrown by any stage.
    public static func code(for error: any Error) -> Int32 {
        switch error {
        case let error as FederIndexError:
            if case .cannotOpen = error { return cannotOpen }
            return dataError
        case let error as MediaListError:
            if case .cannotRead = error { return cannotOpen }
            return dataError
        case is FederSearchError, is SpecError, is SpecErrors, is QueryError:
            return dataError
        case let error as ShardError:
            if case .unreadable(_, let underlying) = error { return code(for: underlying) }
            return dataError
        case let error as RenderError:
            if case .unsupportedFormat = error { return usage }
            return cannotWrite
        case let error as ReportError:
            switch error {
            case .atSpec(_, _, let underlying): return code(for: underlying)
            case .query: return dataError
            case .cannotRead: return cannotOpen
            case .cannotWrite: return cannotWrite
            case .gateFailed, .layoutProblems: return gateFailed
            case .timeBudgetExceeded, .memoryBudgetExceeded: return dataError
            }
        default:
            return dataError
        }
    }

    /// Whether `error` is one of the pipeline's own (as opposed to the command-line parser's).
    public static func isToolError(_ error: any Error) -> Bool {
        error is FederIndexError || error is FederSearchError || error is SpecError || error is SpecErrors || error is QueryError
            || error is MediaListError || error is RenderError || error is ReportError || error is SummaryMerge.Problem
            || error is ShardError
    }

    /// The lines printed on standard error for `error`: `feder-report: error: …`, or one
    /// `feder-report: fail-if: …` line per failing side when a gate held.
    public static func lines(for error: any Error) -> [String] {
        if case .gateFailed(let failures) = error as? ReportError {
            return failures.map { "feder-report: fail-if: \($0)" }
        }
        if case .layoutProblems(let problems) = error as? ReportError {
            return problems.map { "feder-report: layout: \($0)" }
        }
        return describe(error).split(separator: "\n", omittingEmptySubsequences: true).map { "feder-report: error: \($0)" }
    }

    /// The message for an error, without the `feder-report: error: ` prefix.
    public static func describe(_ error: any Error) -> String {
        if let described = error as? LocalizedError, let text = described.errorDescription { return text }
        return "\(error)"
    }
}
