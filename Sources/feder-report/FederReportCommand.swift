import ArgumentParser
import FederIndex
import FederSearch
import FederRender
import Foundation

@main
struct FederReportCommand: ParsableCommand {
    static func main() {
        PartialFiles.installSignalHandlers()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(withError: error)
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "feder-report",
        abstract: "Shows how a Faiss or hnswlib search found its answers.",
        discussion: """
            Reads index files directly, re-runs the libraries' searches exactly while tracing them, and \
            reports what the index did.
            """,
        version: "feder-report 0.1.0",
        subcommands: [ReportCommand.self, InspectCommand.self, TraceCommand.self, ViewCommand.self, ProjectCommand.self, ValidateCommand.self],
        defaultSubcommand: ReportCommand.self)
}

/// Prints one line to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Runs `body`, turning the tool's own errors into a one-line message and the right exit code.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as FederIndexError {
        printError("feder-report: error: \(error.errorDescription ?? "\(error)")")
        throw ExitCode(error.exitCode)
    } catch let error as FederSearchError {
        printError("feder-report: error: \(error.errorDescription ?? "\(error)")")
        throw ExitCode(65)
    } catch let error as TraceCommandError {
        printError("feder-report: error: \(error.errorDescription ?? "\(error)")")
        throw ExitCode(65)
    }
}
