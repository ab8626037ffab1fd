import ArgumentParser
import FederReport
import Foundation

/// `feder-report SPEC -o report.pdf`: run a job spec and render its comparison report.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Run a job spec (JSON) and render the comparison report (the default command).",
        discussion: """
            Exit codes: 0 ok, 1 a --fail-if condition held, 64 usage, 65 bad spec or data, 66 an input cannot \
            be opened, 73 cannot write. Outputs are written to a temporary file beside the target and renamed, \
            so a failed run leaves the previous report in place.
            """)

    @Argument(help: "The job spec (JSON). See Templates/README.md and spec.schema.json.")
    var spec: String

    @Option(
        name: .shortAndLong,
        help: "Report file: .pdf or .html (all pages; the HTML is one self-contained file), .png or .svg (one file per page: x-1.png …).")
    var output: String?

    @Option(help: "Also write every panel as its own PNG and SVG into this folder.")
    var panels: String?

    @Option(help: "Also write every number in the report as JSON.")
    var summary: String?

    @Option(help: "Also write the summary as a Markdown table.")
    var markdown: String?

    @Option(
        name: .customLong("fail-if"),
        help:
            "Exit 1 when a measure crosses a threshold, e.g. 'recall<0.9', 'needed.ef.p95>128', 'unreachable>0', 'recall@sweep<0.8' (repeatable)."
    )
    var failIf: [String] = []

    @Option(help: "PNG resolution in pixels per inch.")
    var dpi: Double = 144

    @Flag(help: "No progress messages.")
    var quiet = false

    @Option(name: .customLong("time-limit"), help: "Stop with an error when the job runs longer than this many seconds.")
    var timeLimit: Double = 1800

    @Option(name: .customLong("memory-limit"), help: "Stop with an error when resident memory exceeds this many MiB (0: no limit).")
    var memoryLimit: Int = 0

    @Flag(
        name: .customLong("no-explain"),
        help: "Skip why each exact neighbour was missed and the nprobe / ef each query needed (faster on large query sets).")
    var noExplain = false

    @Option(
        help:
            "Run only part I of N of every query set (contiguous rows, 1 ≤ I ≤ N), e.g. one per CI matrix job; `merge` joins the parts' --summary files."
    )
    var slice: String?

    @Flag(
        name: .customLong("check-layout"),
        help: ArgumentHelp(
            "Print one line per layout problem (a text cut with …, overlapping, out of its panel, crossed by a line or hidden "
                + "under a shape; a legend entry without its mark; a mostly empty panel); exit 1 if there is any."))
    var checkLayout = false

    @OptionGroup var kernelsOption: KernelsOption

    @OptionGroup var threads: OMPThreadsOption

    func validate() throws {
        for condition in failIf where FailCondition(condition) == nil {
            throw ValidationError(FailCondition.problem(condition))
        }
        if let output, (try? OutputFormat(path: output)) == nil {
            throw ValidationError("-o must end in .pdf, .html, .png or .svg (got '\(output)').")
        }
        if let slice, JobSlice(slice) == nil {
            throw ValidationError("--slice must be I/N with 1 ≤ I ≤ N ≤ 10000 (got '\(slice)').")
        }
        guard dpi >= 18, dpi <= 1200 else { throw ValidationError("--dpi must be within 18…1200.") }
        guard timeLimit > 0 else { throw ValidationError("--time-limit must be positive.") }
        guard memoryLimit >= 0 else { throw ValidationError("--memory-limit must be 0 (none) or positive.") }
    }

    func run() throws {
        try kernelsOption.apply()
        let started = Date()
        let quiet = self.quiet
        var request = ReportRequest(spec: spec)
        request.output = output
        request.panels = panels
        request.summary = summary
        request.markdown = markdown
        request.failIf = failIf.compactMap(FailCondition.init)
        request.dpi = dpi
        request.timeLimit = timeLimit
        request.memoryLimitMiB = memoryLimit
        request.ompThreads = threads.ompThreads
        request.explain = !noExplain
        request.slice = slice.flatMap(JobSlice.init)
        request.checkLayout = checkLayout
        request.warn = { printError("feder-report: warning: \($0)") }
        request.progress = { line in
            if !quiet, Date().timeIntervalSince(started) > 0.3 { printError("feder-report: \(line)") }
        }
        let outcome = try ReportJob.run(request)
        for warning in outcome.warnings { printError("feder-report: warning: \(warning)") }
        if !quiet { for note in outcome.notes { printError("feder-report: \(note)") } }
        if GitHubActions.isActive() {
            for line in GitHubActions.errors(outcome.failures, title: "feder-report --fail-if") { print(line) }
        }
        if !outcome.failures.isEmpty { throw ReportError.gateFailed(outcome.failures) }
        if !outcome.layoutProblems.isEmpty { throw ReportError.layoutProblems(outcome.layoutProblems) }
    }
}
