import FederTestSupport
import Foundation
import XCTest

/// `trace FILE.voy --vector q.npy --k K [--ef E] --json` prints `Index.query`'s answer for every query row: the ids
/// in Voyager's order and its float32 distances, in every storage (E4M3 included); `inspect`, `health` and `view`
/// read the files.
final class VoyagerCLIAgainstLibrariesTests: XCTestCase {
    func testTraceJSONPrintsVoyagersAnswer() throws {
        let manifest = try FixtureManifest.load()
        let fixtures = manifest.voyager ?? []
        XCTAssertFalse(fixtures.isEmpty)
        var comparedE4M3 = 0
        for fixture in fixtures {
            guard let queries = manifest.queriesPath(of: fixture), let search = fixture.searches.last else { continue }
            var arguments = ["trace", manifest.path(of: fixture), "--vector", queries, "--k", "\(search.k)", "--json"]
            if let ef = search.ef { arguments += ["--ef", "\(ef)"] }
            let outcome = try CLI.run(arguments)
            XCTAssertEqual(outcome.status, 0, "\(fixture.name): \(outcome.stderr)")
            let lines = outcome.stdout.split(separator: "\n")
            XCTAssertEqual(lines.count, search.results.count, "\(fixture.name): one JSON object per query row")
            for (row, (line, expected)) in zip(lines, search.results).enumerated() {
                let label = "\(fixture.name) query \(row)"
                let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], label)
                let results = try XCTUnwrap(json["results"] as? [[String: Any]], label)
                XCTAssertEqual(results.compactMap { ($0["id"] as? NSNumber)?.int64Value }, expected.ids, label)
                // Printed as the shortest decimal of the float32, read back as that float32.
                let distances = results.compactMap { ($0["distance"] as? NSNumber).map { Float($0.doubleValue).bitPattern } }
                XCTAssertEqual(distances, expected.distances.map { Float($0).bitPattern }, label)
                XCTAssertEqual(json["kind"] as? String, "voyager", label)
                if fixture.expect["type"] == .string("E4M3") { comparedE4M3 += 1 }
            }
        }
        XCTAssertGreaterThanOrEqual(comparedE4M3, 180, "every E4M3 fixture's query rows")
    }

    /// A cosine query whose first component is 0 over E4M3 storage is refused with the reason (the wheel's answer
    /// is undefined there); one beyond E4M3's ±448 is refused as Voyager refuses it.
    func testTraceRefusesWhatVoyagersE4M3CannotAnswerExactly() throws {
        let manifest = try FixtureManifest.load()
        let cosine = try XCTUnwrap(manifest.voyager?.first { $0.name == "voyager_cosine_e4m3_d5" })
        let zero = try CLI.run(["trace", manifest.path(of: cosine), "--vector-json", "[0, 0.5, 0.25, 1, 2]", "--k", "3", "--json"])
        XCTAssertEqual(zero.status, 65, zero.stderr)
        XCTAssertTrue(zero.stderr.contains("first component is 0"), zero.stderr)
        XCTAssertTrue(zero.stderr.contains("undefined behaviour"), zero.stderr)
        let traced = try CLI.run(["trace", manifest.path(of: cosine), "--vector-json", "[0.1, 0.5, 0.25, 1, 2]", "--k", "3", "--json"])
        XCTAssertEqual(traced.status, 0, traced.stderr)
        let euclidean = try XCTUnwrap(manifest.voyager?.first { $0.name == "voyager_euclidean_e4m3_d5" })
        let wide = try CLI.run(["trace", manifest.path(of: euclidean), "--vector-json", "[500, 0.5, 0.25, 1, 2]", "--k", "3"])
        XCTAssertEqual(wide.status, 65, wide.stderr)
        XCTAssertTrue(wide.stderr.contains("-448 to 448"), wide.stderr)
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
