import FederIndex
import FederTestSupport
import Foundation
import XCTest

/// Inputs at the edge of what makes sense: each is refused with a located message and its exit code, and a
/// report that was there before stays byte for byte.
final class BoundaryTests: XCTestCase {
    private var directory: URL!

    private func fixture(_ name: String) -> String { FixtureManifest.committedDirectory().appendingPathComponent(name).path }
    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-boundary-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in ["ivf_flat_l2_full.faiss", "hnswlib_l2_deleted.hnsw"] {
            try FileManager.default.copyItem(atPath: fixture(name), toPath: path(name))
        }
        // A query file with no rows, one whose rows have no elements, and one good row.
        try VectorFile.npyData([], rows: 0, dim: 16).write(to: URL(fileURLWithPath: path("empty.npy")))
        try VectorFile.npyData([], rows: 3, dim: 0).write(to: URL(fileURLWithPath: path("flat.npy")))
        try Data("previous report".utf8).write(to: URL(fileURLWithPath: path("keep.pdf")))
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    private func spec(query: String, sweep: Bool = false, index: String = "ivf") throws -> String {
        let sweepText = sweep ? #", "sweep": {"nprobe": [1, 2]}"# : ""
        let text = """
            {"indexes": {"ivf": {"file": "ivf_flat_l2_full.faiss"}, "h": {"file": "hnswlib_l2_deleted.hnsw", "space": "l2"}},
             "queries": {"q": \(query)},
             "comparisons": [{"left": {"index": "\(index)", "query": "q"}, "right": {"index": "\(index)", "query": "q"}\(sweepText)}]}
            """
        let file = path("spec.json")
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        return file
    }

    /// Runs the report and checks exit 65, a single located error line, and the previous report kept.
    private func assertRefused(_ spec: String, path jsonPath: String, saying words: String, line: UInt = #line) throws {
        let outcome = try CLI.run([spec, "-o", path("keep.pdf"), "--quiet"])
        XCTAssertEqual(outcome.status, 65, outcome.stderr, line: line)
        XCTAssertEqual(outcome.stderr, "feder-report: error: \(spec): \(jsonPath): \(words)\n", line: line)
        XCTAssertEqual(try String(contentsOfFile: path("keep.pdf"), encoding: .utf8), "previous report", line: line)
        XCTAssertEqual(outcome.stdout, "", line: line)
    }

    func testAnEmptyQuerySetIsRefusedWithItsPathAlsoWithASweep() throws {
        for sweep in [false, true] {
            try assertRefused(
                try spec(query: #"{"vector": "empty.npy"}"#, sweep: sweep), path: "$.queries.q.vector",
                saying: "\(path("empty.npy")) holds no query vectors (0 rows)")
        }
    }

    func testRowsOfDimensionZeroAreRefused() throws {
        try assertRefused(
            try spec(query: #"{"vector": "flat.npy"}"#), path: "$.queries.q.vector",
            saying: "\(path("flat.npy")): npy: invalid shape at byte 10: rows of dimension 0")
    }

    func testADeletedHnswlibLabelIsRefusedAsHnswlibRefusesIt() throws {
        let label = try deletedLabel()
        try assertRefused(
            try spec(query: #"{"id": \#(label)}"#, index: "h"), path: "$.comparisons[0].left.query",
            saying: "id \(label) is deleted in index 'h' (hnswlib refuses it: Label not found)")
        let trace = try CLI.run(["trace", path("hnswlib_l2_deleted.hnsw"), "--id", "\(label)"])
        XCTAssertEqual(trace.status, 65)
        XCTAssertEqual(
            trace.stderr,
            "feder-report: error: id \(label) is deleted in \(path("hnswlib_l2_deleted.hnsw")) (hnswlib refuses it: Label not found)\n")
    }

    func testTraceAndProjectRefuseEmptyVectorFiles() throws {
        let trace = try CLI.run(["trace", path("ivf_flat_l2_full.faiss"), "--vector", path("empty.npy")])
        XCTAssertEqual(trace.status, 65)
        XCTAssertEqual(trace.stderr, "feder-report: error: \(path("empty.npy")) holds no query vectors (0 rows)\n")
        XCTAssertEqual(trace.stdout, "")
        let project = try CLI.run(["project", path("empty.npy"), "--method", "pca", "-o", path("p.npy")])
        XCTAssertEqual(project.status, 65)
        XCTAssertEqual(project.stderr, "feder-report: error: \(path("empty.npy")) holds no query vectors (0 rows)\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("p.npy")))
    }

    func testAMissingLabelsFileIsNamedAndCannotBeOpened() throws {
        let outcome = try CLI.run([
            "project", path("ivf_flat_l2_full.faiss"), "--method", "pca", "--labels", path("missing.txt"), "-o", path("p.png"),
        ])
        XCTAssertEqual(outcome.status, 66)
        XCTAssertEqual(outcome.stderr, "feder-report: error: \(path("missing.txt")): cannot read: no such file\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("p.png")))
    }

    func testDuplicateKeysAndEmptyIDListsAreSpecErrors() throws {
        try assertRefused(try spec(query: #"{"ids": []}"#), path: "$.queries.q.ids", saying: try refusal(#"{"ids": []}"#))
        let duplicate = try spec(query: #"{"id": 1, "id": 2}"#)
        let outcome = try CLI.run([duplicate, "-o", path("keep.pdf")])
        XCTAssertEqual(outcome.status, 65)
        XCTAssertTrue(outcome.stderr.hasPrefix("feder-report: error: \(duplicate): $.queries.q: duplicate key 'id'"), outcome.stderr)
        XCTAssertEqual(try String(contentsOfFile: path("keep.pdf"), encoding: .utf8), "previous report")
    }

    /// What `validate` says of a spec with this query (the report must say the same).
    private func refusal(_ query: String) throws -> String {
        let file = try spec(query: query)
        let outcome = try CLI.run(["validate", file])
        XCTAssertEqual(outcome.status, 65)
        let prefix = "feder-report: error: \(file): $.queries.q.ids: "
        XCTAssertTrue(outcome.stderr.hasPrefix(prefix), outcome.stderr)
        return String(outcome.stderr.dropFirst(prefix.count).dropLast())
    }

    private func deletedLabel() throws -> Int64 {
        guard case .hnswlib(let index) = try IndexFile.open(path: path("hnswlib_l2_deleted.hnsw")) else { throw XCTSkip("not hnswlib") }
        let element = try XCTUnwrap((0..<index.count).first(where: index.isDeleted))
        return Int64(index.label(element))
    }
}
