import FederTestSupport
import Foundation
import XCTest

final class ReportCommandTests: XCTestCase {
    private var directory: URL!
    private var repository: URL { FixtureManifest.committedDirectory().deletingLastPathComponent().deletingLastPathComponent() }
    private var digits: String { repository.appendingPathComponent("Examples/digits/compare.json").path }

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    private func out(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private func pdftotext(_ path: String) throws -> String? { try pdfText(path, layout: true) }

    /// Every example spec in Examples/ renders (the README's quick start renders the first).
    func testEveryExampleRenders() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: repository.appendingPathComponent("Examples").path).sorted()
        var rendered = 0
        for folder in folders {
            let spec = repository.appendingPathComponent("Examples/\(folder)/compare.json").path
            guard FileManager.default.fileExists(atPath: spec) else { continue }
            // Examples whose data a build script writes (too big to commit) render once it has run.
            let built = repository.appendingPathComponent("Examples/\(folder)/build.py").path
            if FileManager.default.fileExists(atPath: built), try CLI.run(["validate", spec]).status != 0 {
                print("note: Examples/\(folder) skipped: run Examples/\(folder)/build.py first")
                continue
            }
            let outcome = try CLI.run([spec, "-o", out("\(folder).pdf"), "--quiet"])
            XCTAssertEqual(outcome.status, 0, "\(folder): \(outcome.stderr)")
            rendered += 1
        }
        XCTAssertGreaterThanOrEqual(rendered, 1)
    }

    func testDigitsReportPagesSummaryAndMarkdown() throws {
        let outcome = try CLI.run([digits, "-o", out("r.pdf"), "--summary", out("s.json"), "--markdown", out("s.md")])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let summary = try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: out("s.json"))))
        XCTAssertEqual(summary["comparisons"]?.array?.count, 5)
        XCTAssertNotNil(summary["comparisons"]?.array?.first?["left"]?["aggregates"]?["recall"]?["p95"])
        let markdown = try String(contentsOfFile: out("s.md"), encoding: .utf8)
        XCTAssertTrue(markdown.contains("| # | comparison | left → right | visited |"), markdown)
        guard let text = try pdftotext(out("r.pdf")) else { throw XCTSkip("pdftotext is not installed") }
        for expected in ["Work and quality", "Recall@8 against nprobe", "Distance computations per query", "Whole picture vs detected object", "IVF coarse search", "HNSW search"] {
            XCTAssertTrue(text.contains(expected), "missing \(expected)")
        }
    }

    func testPNGPagesAndPanels() throws {
        let outcome = try CLI.run([digits, "-o", out("page.png"), "--panels", out("panels"), "--quiet", "--dpi", "40"])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        XCTAssertTrue(files.contains("page-1.png") && files.contains("page-13.png"), "\(files)")
        XCTAssertFalse(files.contains { $0.hasSuffix(".partial") })
        let panels = try FileManager.default.contentsOfDirectory(atPath: out("panels"))
        XCTAssertTrue(panels.contains("comparison-01-views.png"), "\(panels)")
        XCTAssertTrue(panels.contains("comparison-04-sweep.png"), "\(panels)")
    }

    func testFailIfNamesTheComparison() throws {
        let outcome = try CLI.run([digits, "-o", out("g.pdf"), "--fail-if", "recall<0.9", "--quiet"])
        XCTAssertEqual(outcome.status, 1)
        XCTAssertTrue(outcome.stderr.contains("comparison 3 'Whole picture vs detected object (IVF, raw)' left"), outcome.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out("g.pdf")), "the report is still written")
        XCTAssertEqual(try CLI.run([digits, "-o", out("g.pdf"), "--fail-if", "recall<0.5", "--quiet"]).status, 0)
        XCTAssertEqual(try CLI.run([digits, "--fail-if", "speed<3"]).status, 64)
    }

    func testBadSpecWritesNothingAndKeepsTheOldReport() throws {
        let spec = directory.appendingPathComponent("bad.json")
        try Data(#"{"indexes": {"a": {"file": "missing.faiss"}}, "queries": {}, "comparisons": []}"#.utf8).write(to: spec)
        try Data("previous report".utf8).write(to: URL(fileURLWithPath: out("keep.pdf")))
        let outcome = try CLI.run([spec.path, "-o", out("keep.pdf")])
        XCTAssertEqual(outcome.status, 65)
        XCTAssertTrue(outcome.stderr.contains("$.indexes.a.file: file not found"), outcome.stderr)
        XCTAssertEqual(outcome.stderr.filter { $0 == "\n" }.count, 1, outcome.stderr)
        XCTAssertEqual(try String(contentsOfFile: out("keep.pdf"), encoding: .utf8), "previous report")
        XCTAssertEqual(try CLI.run(["validate", spec.path]).status, 65)
        let valid = try CLI.run(["validate", digits])
        XCTAssertEqual(valid.status, 0, valid.stderr)
        XCTAssertTrue(valid.stdout.contains("valid — 4 indexes, 5 queries, 5 comparisons"), valid.stdout)
    }
}
