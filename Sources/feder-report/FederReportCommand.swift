import ArgumentParser
import FederReport
import Foundation

@main
struct FederReportCommand: ParsableCommand {
    static func main() {
        Interrupts.install()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as ExitCode {
            exit(withError: error)
        } catch {
            // ArgumentParser's own errors (usage, --help, --version) print and exit as it decides.
            if ExitStatus.isToolError(error) {
                for line in ExitStatus.lines(for: error) { printError(line) }
                Foundation.exit(ExitStatus.code(for: error))
            }
            exit(withError: error)
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "feder-report",
        abstract: "Shows how a Faiss, hnswlib or Voyager search found its answers.",
        discussion: """
            Reads index files directly, re-runs the libraries' searches exactly while tracing them, and \
            reports what the index did. Exit codes: 0 ok, 1 a --fail-if gate held, 64 usage, 65 bad data or \
            spec, 66 an input cannot be opened, 73 an output cannot be written, 128+n interrupted by signal n.
            """,
        version: "feder-report 0.1.0",
        subcommands: [
            ReportCommand.self, InspectCommand.self, TraceCommand.self, ViewCommand.self, ProjectCommand.self,
            ValidateCommand.self, HealthCommand.self, MergeCommand.self,
        ],
        defaultSubcommand: ReportCommand.self)
}

/// Prints one line to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

extension Space: ExpressibleByArgument {}
extension ThemeName: ExpressibleByArgument {}
extension ProjectionMethod: ExpressibleByArgument {}
extension MediaKind: ExpressibleByArgument {}
