import ArgumentParser
import FederReport

/// `feder-report validate SPEC`: check a spec without running it.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Check a job spec: keys, types, references and files. Exit 0 when valid, 65 otherwise.")

    @Argument(help: "The job spec (JSON).")
    var spec: String

    func run() throws {
        print(try ReportJob.validate(spec: spec))
    }
}
