import FederTestSupport
import Foundation
import XCTest

/// A bad spec on the command line: `validate` lists every problem; a report run writes nothing.
final class SpecErrorsCLITests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-spec-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: FixtureManifest.committedDirectory().appendingPathComponent("ivf_flat_l2_full.faiss"),
            to: directory.appendingPathComponent("ivf.faiss"))
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    private func write(_ text: String, as name: String = "bad.json") throws -> String {
        let file = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: file)
        return file.path
    }

    private let bad = """
        {
          "indexes": {"ivf": {"file": "ivf.faiss", "nprobe": 4}},
          "queries": {"q": {"ids": []}},
          "params": {"k": 0, "k": 2},
          "comparisons": [{"left": {"index": "ivf", "query": "q"}, "right": {"index": "ivg", "query": "q"}}]
        }
        """

    func testValidatePrintsEveryErrorAndExits65() throws {
        let spec = try write(bad)
        let outcome = try CLI.run(["validate", spec])
        XCTAssertEqual(outcome.status, 65, outcome.stderr)
        XCTAssertEqual(outcome.stdout, "")
        let lines = outcome.stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        XCTAssertEqual(
            lines,
            [
                "feder-report: error: \(spec): $.indexes.ivf.nprobe: unknown key 'nprobe' — `nprobe` is a search parameter: put it in $.params or in a side's params",
                "feder-report: error: \(spec): $.queries.q.ids: list at least one id",
                "feder-report: error: \(spec): $.params.k: `k` must be a positive whole number (at most 10000), found 0",
                "feder-report: error: \(spec): $.params: duplicate key 'k' (first at line 4, column 14)",
                "feder-report: error: \(spec): $.comparisons[0].right.index: unknown index 'ivg' — did you mean ivf? (the spec names ivf)",
            ])
    }

    func testValidateLocatesSyntaxErrors() throws {
        let spec = try write(
            "{\n  \"indexes\": {\"ivf\": {\"file\": \"ivf.faiss\"}},\n  \"queries\": {\"q\": {\"id\": 1}}\n  \"comparisons\": []\n}")
        let outcome = try CLI.run(["validate", spec])
        XCTAssertEqual(outcome.status, 65)
        XCTAssertEqual(
            outcome.stderr,
            "feder-report: error: \(spec):4:3: expected ',' or '}' after an object member, found '\"' (missing ',' before it?)\n")
    }

    func testValidSpecsStillSayValid() throws {
        let spec = try write(
            #"{"indexes": {"ivf": {"file": "ivf.faiss"}}, "queries": {"q": {"id": 1}}, "comparisons": [{"left": {"index": "ivf", "query": "q"}, "right": {"index": "ivf", "query": "q"}}]}"#,
            as: "good.json")
        let outcome = try CLI.run(["validate", spec])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertEqual(outcome.stdout, "\(spec): valid — 1 indexes, 1 queries, 1 comparisons\n")
    }

    func testABadSpecLeavesAnExistingReportByteIdentical() throws {
        let spec = try write(bad)
        let output = directory.appendingPathComponent("out.pdf")
        let previous = Data("%PDF-1.4 previous report \u{0}\u{1}\u{2}".utf8)
        try previous.write(to: output)
        let outcome = try CLI.run([spec, "-o", output.path])
        XCTAssertEqual(outcome.status, 65, outcome.stderr)
        XCTAssertTrue(outcome.stderr.hasPrefix("feder-report: error: \(spec): $.indexes.ivf.nprobe: unknown key 'nprobe'"), outcome.stderr)
        XCTAssertEqual(try Data(contentsOf: output), previous)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        XCTAssertEqual(leftovers, ["bad.json", "ivf.faiss", "out.pdf"])
    }
}
