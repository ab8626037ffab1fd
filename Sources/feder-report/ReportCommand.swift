import ArgumentParser
import FederLayout
import FederRender
import FederReport
import Foundation

/// `feder-report SPEC -o report.pdf`: run a job spec and render its comparison report.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Run a job spec (JSON) and render the comparison report (the default command).",
        discussion: """
            Exit codes: 0 ok, 1 a --fail-if condition held, 64 usage, 65 bad spec or data, 73 cannot write. \
            Outputs are written to a temporary file beside the target and renamed, so a failed run leaves \
            the previous report in place.
            """)

    @Argument(help: "The job spec (JSON). See Templates/README.md and spec.schema.json.")
    var spec: String

    @Option(name: .shortAndLong, help: "Report file: .pdf (all pages), .png or .svg (one file per page: x-1.png …).")
    var output: String?

    @Option(help: "Also write every panel as its own PNG into this folder.")
    var panels: String?

    @Option(help: "Also write every number in the report as JSON.")
    var summary: String?

    @Option(help: "Also write the summary as a Markdown table.")
    var markdown: String?

    @Option(name: .customLong("fail-if"), help: "Exit 1 when a measure crosses a threshold, e.g. 'recall<0.9' (repeatable).")
    var failIf: [String] = []

    @Option(help: "PNG resolution in pixels per inch.")
    var dpi: Double = 144

    @Flag(help: "No progress messages.")
    var quiet = false

    @Option(name: .customLong("time-limit"), help: "Stop with an error when the job runs longer than this many seconds.")
    var timeLimit: Double = 1800

    @Option(name: .customLong("memory-limit"), help: "Stop with an error when resident memory exceeds this many MiB (0: no limit).")
    var memoryLimit: Int = 0

    func validate() throws {
        for condition in failIf where FailCondition(condition) == nil {
            throw ValidationError(
                "--fail-if '\(condition)' is not MEASURE<NUMBER (measures: \(FailCondition.Measure.allCases.map(\.rawValue).joined(separator: ", ")); <, <=, >, >=).")
        }
        if let output, (try? OutputFormat(path: output)) == nil {
            throw ValidationError("-o must end in .pdf, .png or .svg (got '\(output)').")
        }
        guard dpi >= 18, dpi <= 1200 else { throw ValidationError("--dpi must be within 18…1200.") }
    }

    func run() throws {
        let started = Date()
        let quiet = self.quiet
        let progress: @Sendable (String) -> Void = { line in
            if !quiet, Date().timeIntervalSince(started) > 0.3 { printError("feder-report: \(line)") }
        }
        do {
            let job = try JobSpecParser.parse(file: spec)
            let template = try Template.load(job.template, specFile: spec)
            var runner = JobRunner(spec: job)
            runner.progress = progress
            runner.timeLimit = timeLimit
            runner.memoryLimit = memoryLimit << 20
            let (runs, result) = try runner.run()
            let composer = ReportComposer(spec: job, template: template, runs: runs, result: result, measurer: PangoTextMeasurer())
            let path = output ?? ((spec as NSString).deletingPathExtension + ".pdf")
            progress("rendering \(path)")
            let written = try writeReport(composer.pages(), to: path, title: job.title)
            var notes = ["wrote \(written.joined(separator: ", "))"]
            if let panels {
                let files = try writePanels(composer.panels(), into: panels)
                notes.append("\(files) panels in \(panels)")
            }
            if let summary {
                try atomicWrite(try encodeJSON(result, pretty: true) + "\n", to: summary)
                notes.append("summary \(summary)")
            }
            if let markdown {
                try atomicWrite(MarkdownSummary.render(result), to: markdown)
                notes.append("markdown \(markdown)")
            }
            if !quiet { printError("feder-report: " + notes.joined(separator: "; ")) }
            let failures = failIf.compactMap(FailCondition.init).flatMap { $0.failures(in: result) }
            if !failures.isEmpty {
                for failure in failures { printError("feder-report: fail-if: \(failure)") }
                throw ExitCode(1)
            }
        } catch let error as SpecError {
            printError("feder-report: error: \(error.errorDescription ?? "\(error)")")
            throw ExitCode(65)
        } catch let error as RenderError {
            printError("feder-report: error: \(error.errorDescription ?? "\(error)")")
            throw ExitCode(73)
        }
    }

    /// PDF: one file; PNG/SVG: one file per page (x.png for one page, x-1.png … for several).
    func writeReport(_ pages: [FederLayout.Scene], to path: String, title: String) throws -> [String] {
        let format = try OutputFormat(path: path)
        var warnings: [String] = []
        var written: [String] = []
        if format == .pdf || pages.count == 1 {
            warnings += try DocumentWriter.write(format == .pdf ? pages : [pages[0]], to: path, dpi: dpi, title: title)
            written.append(path)
        } else {
            let stem = (path as NSString).deletingPathExtension
            for (number, page) in pages.enumerated() {
                let pagePath = "\(stem)-\(number + 1).\(format.rawValue)"
                warnings += try DocumentWriter.write([page], to: pagePath, dpi: dpi, title: title)
                written.append(pagePath)
            }
        }
        let unique = Set(warnings).sorted()
        for warning in unique.prefix(5) { printError("feder-report: warning: \(warning)") }
        if unique.count > 5 { printError("feder-report: warning: … and \(unique.count - 5) more images could not be loaded (drawn as placeholders)") }
        return written
    }

    func writePanels(_ panels: [(name: String, scene: FederLayout.Scene)], into folder: String) throws -> Int {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw RenderError.cannotWrite(path: folder, reason: error.localizedDescription)
        }
        for panel in panels {
            _ = try DocumentWriter.write([panel.scene], to: (folder as NSString).appendingPathComponent(panel.name + ".png"), dpi: dpi)
        }
        return panels.count
    }

    func atomicWrite(_ text: String, to path: String) throws {
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw RenderError.cannotWrite(path: path, reason: error.localizedDescription)
        }
    }
}

/// `feder-report validate SPEC`: check a spec without running it.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Check a job spec: keys, types, references and files. Exit 0 when valid, 65 otherwise.")

    @Argument(help: "The job spec (JSON).")
    var spec: String

    /// Prints every problem of the spec, one `feder-report: error: …` line each, in file order.
    func run() throws {
        let (job, errors) = JobSpecParser.check(file: spec)
        guard let job, errors.isEmpty else {
            for error in errors { printError("feder-report: error: \(error.errorDescription ?? "\(error)")") }
            throw ExitCode(65)
        }
        do {
            _ = try Template.load(job.template, specFile: spec)
            print("\(spec): valid — \(job.indexes.count) indexes, \(job.queries.count) queries, \(job.comparisons.count) comparisons")
        } catch let error as SpecError {
            printError("feder-report: error: \(error.errorDescription ?? "\(error)")")
            throw ExitCode(65)
        }
    }
}
