import FederTestSupport
import Foundation
import XCTest

/// hnswlib labels are unsigned 64-bit: a label ≥ 2^63 is read, searched by, printed and written to JSON as the
/// library has it, never as a negative number. The library, run here, writes the index and the answers.
final class UnsignedLabelTests: XCTestCase {
    func testLabelsAtAndAbove2To63AreTheLibrarysOwn() throws {
        guard LibraryScript.isAvailable else { throw XCTSkip("no .venv with hnswlib") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-labels-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = """
            import json, sys
            import numpy as np, hnswlib
            out = sys.argv[1]
            rng = np.random.default_rng(3)
            data = rng.normal(size=(50, 6)).astype(np.float32)
            labels = np.arange(50, dtype=np.uint64) + np.uint64(2**63 - 20)
            labels[-1] = np.uint64(2**64 - 1)
            index = hnswlib.Index(space="l2", dim=6)
            index.init_index(max_elements=50, ef_construction=40, M=6, random_seed=1)
            index.add_items(data, labels)
            index.save_index(f"{out}/big.hnsw")
            np.save(f"{out}/q.npy", data[-1:])
            index.set_ef(20)
            found, _ = index.knn_query(data[-1:], k=5)
            print(json.dumps({"labels": [int(x) for x in found[0]]}))
            """
        let data = try LibraryScript.run(script, arguments: [directory.path])
        let expected = try XCTUnwrap((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["labels"] as? [NSNumber])
        let index = directory.appendingPathComponent("big.hnsw").path
        XCTAssertEqual(expected.first?.uint64Value, UInt64.max, "the stored vector's own label comes first")

        let json = try CLI.run(["trace", index, "--id", "18446744073709551615", "--k", "5", "--ef", "20", "--json"])
        XCTAssertEqual(json.status, 0, json.stderr)
        let line = json.stdout.trimmingCharacters(in: .newlines)
        let parsed = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let results = try XCTUnwrap(parsed["results"] as? [[String: Any]])
        XCTAssertEqual(results.compactMap { ($0["id"] as? NSNumber)?.uint64Value }, expected.map(\.uint64Value))
        XCTAssertTrue(line.contains(#""id":18446744073709551615"#), line)
        XCTAssertFalse(line.contains(#""id":-"#), "no label is printed negative: \(line)")
        XCTAssertEqual((parsed["query"] as? [String: Any])?["source"] as? String, "id 18446744073709551615")

        let text = try CLI.run(["trace", index, "--id", "18446744073709551615", "--k", "5", "--ef", "20"])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("query id 18446744073709551615"), text.stdout)
        for label in expected { XCTAssertTrue(text.stdout.contains(" \(label.uint64Value) "), "\(label) in \(text.stdout)") }

        let inspect = try CLI.run(["inspect", index, "--json"])
        XCTAssertEqual(inspect.status, 0, inspect.stderr)
        let summary = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [String: Any])
        let entry = try XCTUnwrap((summary["entryPoint"] as? NSNumber)?.uint64Value)
        XCTAssertGreaterThanOrEqual(entry, UInt64(1) << 63 - 20, "the entry point's label as hnswlib stores it")

        // A report's --summary writes them unsigned too.
        let spec = directory.appendingPathComponent("spec.json")
        try Data(
            #"""
            {"indexes": {"h": {"file": "big.hnsw", "space": "l2"}}, "queries": {"q": {"vector": "q.npy", "row": 0}},
             "params": {"k": 5, "ef": 20}, "comparisons": [{"left": {"index": "h", "query": "q"}, "right": {"index": "h", "query": "q"}}]}
            """#.utf8
        ).write(to: spec)
        let summaryFile = directory.appendingPathComponent("summary.json").path
        let report = try CLI.run([spec.path, "-o", directory.appendingPathComponent("r.pdf").path, "--summary", summaryFile, "--quiet"])
        XCTAssertEqual(report.status, 0, report.stderr)
        let written = try String(contentsOfFile: summaryFile, encoding: .utf8)
        XCTAssertTrue(written.contains(#""id" : 18446744073709551615"#), written)
        XCTAssertFalse(written.contains(#""id" : -"#), written)

        let bad = try CLI.run(["trace", index, "--id", "18446744073709551616"])
        XCTAssertEqual(bad.status, 64)
        XCTAssertTrue(bad.stderr.contains("--id takes an integer label"), bad.stderr)
    }
}
