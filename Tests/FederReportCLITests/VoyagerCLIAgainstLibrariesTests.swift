import FederTestSupport
import Foundation
import XCTest

/// `trace FILE.voy --vector q.npy --k K [--ef E] --json` prints `Index.query`'s answer: the ids in Voyager's order
/// and its float32 distances; `inspect`, `health` and `view` read the files.
final class VoyagerCLIAgainstLibrariesTests: XCTestCase {
    func testTraceJSONPrintsVoyagersAnswer() throws {
        let manifest = try FixtureManifest.load()
        let fixtures = manifest.voyager ?? []
        XCTAssertFalse(fixtures.isEmpty)
        for fixture in fixtures {
            guard let queries = manifest.queriesPath(of: fixture), let search = fixture.searches.last,
                let expected = search.results.first
            else { continue }
            var arguments = ["trace", manifest.path(of: fixture), "--vector", queries, "--row", "0", "--k", "\(search.k)", "--json"]
            if let ef = search.ef { arguments += ["--ef", "\(ef)"] }
            let outcome = try CLI.run(arguments)
            XCTAssertEqual(outcome.status, 0, "\(fixture.name): \(outcome.stderr)")
            let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
            let results = try XCTUnwrap(json["results"] as? [[String: Any]], fixture.name)
            XCTAssertEqual(results.compactMap { ($0["id"] as? NSNumber)?.int64Value }, expected.ids, fixture.name)
            // Printed as the shortest decimal of the float32, read back as that float32.
            let distances = results.compactMap { ($0["distance"] as? NSNumber).map { Float($0.doubleValue).bitPattern } }
            XCTAssertEqual(distances, expected.distances.map { Float($0).bitPattern }, fixture.name)
            XCTAssertEqual(json["kind"] as? String, "voyager", fixture.name)
        }
    }

    func testInspectHealthAndViewReadVoyagerFiles() throws {
        let manifest = try FixtureManifest.load()
        let fixture = try XCTUnwrap(manifest.voyager?.first { $0.name == "voyager_cosine_deleted" })
        let inspect = try CLI.run(["inspect", manifest.path(of: fixture), "--json"])
        XCTAssertEqual(inspect.status, 0, inspect.stderr)
        let summary = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(summary["format"] as? String, "voyager")
        XCTAssertEqual((summary["deleted"] as? NSNumber)?.intValue, 100)
        XCTAssertEqual((summary["dim"] as? NSNumber)?.intValue, 16)
        let health = try CLI.run(["health", manifest.path(of: fixture)])
        XCTAssertEqual(health.status, 0, health.stderr)
        XCTAssertTrue(health.stdout.contains("100 deleted"), health.stdout)
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("voyager-\(UUID().uuidString).pdf").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let view = try CLI.run([
            "view", manifest.path(of: fixture), "--vector", try XCTUnwrap(manifest.queriesPath(of: fixture)), "--row", "0", "--k", "5",
            "-o", output, "--check-layout",
        ])
        XCTAssertEqual(view.status, 0, view.stderr)
        let text = try XCTUnwrap(pdfText(output))
        for title in ["HNSW overview", "HNSW search", "HNSW health"] { XCTAssertTrue(text.contains(title), title) }
    }
}
