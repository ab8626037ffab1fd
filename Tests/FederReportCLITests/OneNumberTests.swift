import FederTestSupport
import Foundation
import XCTest

/// One number for one thing: the command line and the pages print the same figures for the same search.
final class OneNumberTests: XCTestCase {
    private func fixture(_ name: String) -> String { FixtureManifest.committedDirectory().appendingPathComponent(name).path }

    /// Each upper level's passes, distance computations and distinct nodes, as trace prints them and as the HNSW
    /// search view (here its HTML's text layer) draws them.
    func testTraceAndTheSearchViewCountAnUpperLevelAlike() throws {
        let graph = fixture("hnswlib_l2_deleted.hnsw")
        let trace = try CLI.run(["trace", graph, "--space", "l2", "--id", "3", "--k", "8", "--ef", "8"])
        XCTAssertEqual(trace.status, 0, trace.stderr)
        let levels = trace.stdout.matches(of: /L(\d+) +(\d+) pass(?:es)?, (\d+) computed \((\d+) nodes\)/)
        XCTAssertFalse(levels.isEmpty, trace.stdout)
        XCTAssertTrue(trace.stdout.contains("stop: "), trace.stdout)
        XCTAssertNil(trace.stdout.firstMatch(of: /stop: [a-z]+[A-Z]/), "the stop reason in words: \(trace.stdout)")
        let html = FileManager.default.temporaryDirectory.appendingPathComponent("feder-one-\(UUID().uuidString).html")
        defer { try? FileManager.default.removeItem(at: html) }
        let view = try CLI.run(["view", graph, "--space", "l2", "--id", "3", "--k", "8", "--ef", "8", "-o", html.path])
        XCTAssertEqual(view.status, 0, view.stderr)
        // The text layer's lines joined (a label wraps where its band is narrow).
        let page = try String(contentsOf: html, encoding: .utf8).replacing(/<\/text>\s*<text[^>]*>/, with: "")
        for level in levels {
            let (number, passes, computed, nodes) = (level.output.1, level.output.2, level.output.3, level.output.4)
            XCTAssertTrue(page.contains("L\(number) · \(passes) pass"), "L\(number) in the view")
            XCTAssertTrue(page.contains("\(computed) computed (\(nodes) nodes)"), "L\(number): \(computed) computed (\(nodes) nodes)")
        }
    }

    /// inspect, health and the JSON of health say one p50 and p95 of the list sizes.
    func testInspectAndHealthSayOneListSizeMedian() throws {
        let ivf = fixture("ivf_flat_l2_full.faiss")
        let inspect = try CLI.run(["inspect", ivf])
        let health = try CLI.run(["health", ivf, "--json"])
        XCTAssertEqual(inspect.status, 0, inspect.stderr)
        XCTAssertEqual(health.status, 0, health.stderr)
        let said = try XCTUnwrap(inspect.stdout.firstMatch(of: /p50 (\d+) · p95 (\d+)/))
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(health.stdout.utf8)) as? [String: Any])
        let sizes = try XCTUnwrap((json["ivf"] as? [String: Any])?["sizes"] as? [String: Any])
        XCTAssertEqual(Int(said.output.1), sizes["p50"] as? Int)
        XCTAssertEqual(Int(said.output.2), sizes["p95"] as? Int)
    }
}
