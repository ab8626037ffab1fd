import FederLayout
import FederRender
import Foundation

/// What `feder-report SPEC` is asked for.
public struct ReportRequest: Sendable {
    /// The job spec (JSON).
    public var spec: String
    /// The report file (.pdf, .png or .svg); nil writes SPEC.pdf beside the spec.
    public var output: String?
    /// A folder to write every panel into as PNG.
    public var panels: String?
    /// Every number of the report as JSON.
    public var summary: String?
    /// The summary as a Markdown table.
    public var markdown: String?
    public var failIf: [FailCondition] = []
    public var dpi: Double = 144
    /// Wall-clock budget in seconds.
    public var timeLimit: Double = 1800
    /// Resident-memory budget in MiB (0: none).
    public var memoryLimitMiB: Int = 0
    /// faiss's OpenMP threads to mirror in every search (`SearchRequest.ompThreads`).
    public var ompThreads = 1
    /// Work out each query's misses and the nprobe / ef it needed.
    public var explain = true
    /// Check every page's text (`--check-layout`): the outcome lists each text cut, overlapping or out of its panel.
    public var checkLayout = false
    /// Run only this part of every query set (`--slice I/N`).
    public var slice: JobSlice?
    /// Short progress lines (for stderr).
    public var progress: @Sendable (String) -> Void = { _ in }
    /// Warnings about the spec, each once, before the run (for stderr; printed even with `--quiet`).
    public var warn: @Sendable (String) -> Void = { _ in }

    public init(spec: String) { self.spec = spec }

    /// Where the report goes.
    public var outputPath: String { output ?? ((spec as NSString).deletingPathExtension + ".pdf") }
}

/// What a report run wrote.
public struct ReportOutcome: Sendable {
    /// One line saying what was written where.
    public var notes: [String]
    /// Images drawn as placeholders (at most five, then a count).
    public var warnings: [String]
    /// One line per side or comparison that crossed a `--fail-if` gate.
    public var failures: [String]
    /// With `--check-layout`: one line per text that is cut, overlaps another or leaves its panel.
    public var layoutProblems: [String] = []
    public var result: ReportResult
}

/// `feder-report SPEC -o report.pdf`: the whole pipeline — parse the spec, run every traced search, compose the
/// pages and write every output atomically.
public enum ReportJob {
    /// - Throws: `ReportError` (the spec, and the run: budgets, unreadable inputs, unwritable outputs), `RenderError`.
    public static func run(_ request: ReportRequest) throws -> ReportOutcome {
        let job = try checkedSpec(request.spec)
        let template = try Template.load(job.template, specFile: request.spec)
        for output in [request.outputPath, request.summary, request.markdown].compactMap({ $0 }) {
            try OutputWriter.checkWritable(output)
        }
        var runner = JobRunner(spec: job)
        runner.progress = request.progress
        runner.timeLimit = request.timeLimit
        runner.ompThreads = request.ompThreads
        runner.explain = request.explain
        runner.slice = request.slice
        runner.memoryLimit = request.memoryLimitMiB << 20
        let prepared = try runner.prepare()
        for warning in prepared.warnings { request.warn(warning) }
        let (runs, result) = try runner.run(prepared)
        let composer = ReportComposer(spec: job, template: template, runs: runs, result: result, measurer: PangoTextMeasurer())
        let path = request.outputPath
        request.progress("rendering \(path)")
        var writer = OutputWriter(dpi: request.dpi)
        let pages = composer.pages()
        let written = try writer.write(pages, to: path, title: job.title)
        var notes = ["wrote \(written.joined(separator: ", "))"]
        if let panels = request.panels {
            let list = composer.panels()
            try writer.write(panels: list, into: panels)
            notes.append("\(list.count) panels in \(panels)")
        }
        if let summary = request.summary {
            try writer.write(Data((try JSONOutput.encode(result, pretty: true) + "\n").utf8), to: summary)
            notes.append("summary \(summary)")
        }
        if let markdown = request.markdown {
            try writer.write(Data(MarkdownSummary.render(result).utf8), to: markdown)
            notes.append("markdown \(markdown)")
        }
        var outcome = ReportOutcome(
            notes: [notes.joined(separator: "; ")], warnings: OutputWriter.summarise(writer.warnings),
            failures: request.failIf.flatMap { $0.failures(in: result) }, result: result)
        if request.checkLayout { outcome.layoutProblems = LayoutCheck.problems(in: pages).map(\.description) }
        return outcome
    }

    /// `feder-report merge`: the parts' summaries joined, written as `--summary` / `--markdown` ask.
    /// - Throws: `ReportError` (`.notMergeable`, `.cannotRead`, `.cannotWrite`).
    public static func merge(
        files: [String], summary: String?, markdown: String?, failIf: [FailCondition]
    ) throws -> ReportOutcome {
        let result = try SummaryMerge.merge(files: files)
        let writer = OutputWriter(dpi: 72)
        var notes: [String] = []
        if let summary {
            try writer.write(Data((try JSONOutput.encode(result, pretty: true) + "\n").utf8), to: summary)
            notes.append("summary \(summary)")
        }
        if let markdown {
            try writer.write(Data(MarkdownSummary.render(result).utf8), to: markdown)
            notes.append("markdown \(markdown)")
        }
        let queries = result.comparisons.map { max($0.left.queryCount, $0.right.queryCount) }.max() ?? 0
        notes.insert("merged \(files.count) parts (\(queries) queries in the largest set)", at: 0)
        return ReportOutcome(
            notes: [notes.joined(separator: "; ")], warnings: [], failures: failIf.flatMap { $0.failures(in: result) }, result: result)
    }

    /// The parsed spec, or every problem it has.
    /// - Throws: `ReportError.spec` (every problem, in file order).
    static func checkedSpec(_ file: String) throws -> JobSpec {
        let (job, problems) = JobSpecParser.check(file: file)
        guard let job, problems.isEmpty else { throw ReportError.spec(problems) }
        return job
    }

    /// Checks a spec without running it — everything the run would refuse: keys, types and references, every file
    /// opened (indexes, shards, vectors, media lists, ground truth), every query resolved in its index (ids,
    /// dimensions, rows), and each side's first query searched with its parameters. The spec's summary line when it
    /// is valid, and what it asks that its indexes will not do.
    /// - Throws: `ReportError`: `.spec` (the spec or its template), or a failure located in the spec.
    public static func validate(spec: String) throws -> (summary: String, warnings: [String]) {
        let job = try checkedSpec(spec)
        _ = try Template.load(job.template, specFile: spec)
        let runner = JobRunner(spec: job)
        let prepared = try runner.prepare()
        try runner.check(prepared)
        return (
            "\(spec): valid — \(job.indexes.count) indexes, \(job.queries.count) queries, \(job.comparisons.count) comparisons",
            prepared.warnings
        )
    }
}
