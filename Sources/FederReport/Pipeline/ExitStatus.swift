import FederIndex
import Foundation

/// The one place that turns errors into an exit code (sysexits.h) and the one-line message printed for them.
/// Each stage's errors carry their own code (`ToolError.exitCode`); nothing here knows the stages' error types.
///
/// 64 usage · 65 bad data or spec · 66 cannot open an input · 73 cannot write an output · 1 a `--fail-if` gate
/// held · 128 + n interrupted by signal n (set by the signal handler, not here).
public enum ExitStatus {
    public static let usage = ToolExitCode.usage.rawValue
    public static let dataError = ToolExitCode.dataError.rawValue
    public static let cannotOpen = ToolExitCode.cannotOpen.rawValue
    public static let cannotWrite = ToolExitCode.cannotWrite.rawValue
    public static let gateFailed = ToolExitCode.gateFailed.rawValue

    /// The exit code for an error thrown by any stage (65 for an error that is not the tool's own).
    public static func code(for error: any Error) -> Int32 { code(of: error).rawValue }

    /// The exit code `error` carries; bad data (65) for an error that carries none.
    public static func code(of error: any Error) -> ToolExitCode { (error as? any ToolError)?.exitCode ?? .dataError }

    /// Whether `error` is one of the pipeline's own (as opposed to the command-line parser's).
    public static func isToolError(_ error: any Error) -> Bool { error is any ToolError }

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
