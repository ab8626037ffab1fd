import ArgumentParser
import FederReport
import Foundation

/// `feder-report merge part-*.json --summary all.json`: join the summaries of a sliced job's parts.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join the --summary files of every part of a job run with --slice I/N into the whole job's numbers.",
        discussion: """
            Every part 1…N must be given once (any order). Query outcomes are joined in row order and every mean, \
            p50 and p95 is worked out again from them; sweep points are weighted by the queries each part ran. \
            Exit codes: 0 ok, 1 a --fail-if condition held, 65 the files are not the parts of one sliced job, \
            66 a file cannot be read, 73 cannot write.
            """)

    @Argument(help: "The parts' --summary files.")
    var parts: [String]

    @Option(help: "Write the merged numbers as JSON (the report's --summary format).")
    var summary: String?

    @Option(help: "Write the merged numbers as a Markdown table.")
    var markdown: String?

    @Option(name: .customLong("fail-if"), help: "Exit 1 when a merged measure crosses a threshold (as for the report; repeatable).")
    var failIf: [String] = []

    @Flag(help: "No progress messages.")
    var quiet = false

    func validate() throws {
        guard !parts.isEmpty else { throw ValidationError("give the --summary files of every part.") }
        for condition in failIf where FailCondition(condition) == nil {
            throw ValidationError(FailCondition.problem(condition))
        }
    }

    func run() throws {
        let outcome = try ReportJob.merge(
            files: parts, summary: summary, markdown: markdown, failIf: failIf.compactMap(FailCondition.init))
        if summary == nil, markdown == nil { print(MarkdownSummary.render(outcome.result), terminator: "") }
        if !quiet { for note in outcome.notes { printError("feder-report: \(note)") } }
        if GitHubActions.isActive() {
            for line in GitHubActions.errors(outcome.failures, title: "feder-report --fail-if") { print(line) }
        }
        if !outcome.failures.isEmpty { throw ReportError.gateFailed(outcome.failures) }
    }
}
