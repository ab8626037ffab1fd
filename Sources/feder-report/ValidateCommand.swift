import ArgumentParser
import FederReport

/// `feder-report validate SPEC`: check a spec without running it.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract:
            "Check a job spec as the run would: keys, types, references, every file opened, every query resolved, each side's first search. Exit 0 when valid; otherwise the run's own error and exit code."
    )

    @Argument(help: "The job spec (JSON).")
    var spec: String

    func run() throws {
        let (summary, warnings) = try ReportJob.validate(spec: spec)
        for warning in warnings { printError("feder-report: warning: \(warning)") }
        print(summary)
    }
}
