import FederIndex
import FederTestSupport
import Foundation
import XCTest

/// `trace FILE.faissbin --vector codes.npy` (uint8 codes, d / 8 columns) prints faiss's answer: the same ids in the
/// same order with the int32 distances faiss returns, padding included; `inspect` and `health` read the files.
final class FaissBinaryCLIAgainstLibrariesTests: XCTestCase {
    func testTraceJSONPrintsFaisssAnswer() throws {
        let manifest = try FixtureManifest.load()
        let fixtures = manifest.binary ?? []
        XCTAssertFalse(fixtures.isEmpty)
        for fixture in fixtures {
            guard let queries = manifest.queriesPath(of: fixture) else { continue }
            // The widest search of each fixture (padding, ties), on its last query.
            guard let search = fixture.searches.max(by: { $0.k < $1.k }), let expected = search.results.last else { continue }
            var arguments = [
                "trace", manifest.path(of: fixture), "--vector", queries, "--row", "\(search.results.count - 1)", "--k", "\(search.k)",
                "--json",
            ]
            if let nprobe = search.nprobe { arguments += ["--nprobe", "\(nprobe)"] }
            if let ef = search.ef { arguments += ["--ef", "\(ef)"] }
            let outcome = try CLI.run(arguments)
            XCTAssertEqual(outcome.status, 0, "\(fixture.name): \(outcome.stderr)")
            let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
            let results = try XCTUnwrap(json["results"] as? [[String: Any]], fixture.name)
            XCTAssertEqual(results.compactMap { ($0["id"] as? NSNumber)?.int64Value }, expected.ids, fixture.name)
            XCTAssertEqual(results.compactMap { ($0["distance"] as? NSNumber)?.doubleValue }, expected.distances, fixture.name)
            XCTAssertEqual(json["metric"] as? String, "hamming", fixture.name)
        }
    }

    func testInspectAndHealthNameTheBinaryKinds() throws {
        let manifest = try FixtureManifest.load()
        for fixture in manifest.binary ?? [] {
            let inspect = try CLI.run(["inspect", manifest.path(of: fixture), "--json"])
            XCTAssertEqual(inspect.status, 0, inspect.stderr)
            let summary = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [String: Any])
            XCTAssertEqual(summary["type"] as? String, fixture.expect["type"].flatMap { if case .string(let s) = $0 { s } else { nil } })
            XCTAssertEqual((summary["dim"] as? NSNumber)?.intValue, fixture.expect["dim"]?.number.map(Int.init))
            XCTAssertEqual((summary["count"] as? NSNumber)?.intValue, fixture.expect["count"]?.number.map(Int.init))
            XCTAssertEqual(summary["metric"] as? String, "hamming")
            let health = try CLI.run(["health", manifest.path(of: fixture), "--json"])
            XCTAssertEqual(health.status, 0, health.stderr)
        }
    }

    /// A binary IVF index gets the partition views, a binary HNSW index the graph views, both with health, and
    /// every page passes the layout check.
    func testViewsDrawTheBinaryStructures() throws {
        let manifest = try FixtureManifest.load()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-binary-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, titles) in [
            ("bin_ivf_d64", ["IVF overview", "IVF coarse search", "IVF fine search", "IVF health"]),
            ("bin_hnsw_d64", ["HNSW overview", "HNSW search", "HNSW health"]),
        ] {
            let fixture = try XCTUnwrap(manifest.binary?.first { $0.name == name })
            let output = directory.appendingPathComponent("\(name).pdf").path
            let outcome = try CLI.run([
                "view", manifest.path(of: fixture), "--vector", try XCTUnwrap(manifest.queriesPath(of: fixture)), "--row", "0", "--k",
                "5", "-o", output, "--check-layout",
            ])
            XCTAssertEqual(outcome.status, 0, "\(name): \(outcome.stderr)")
            let text = try XCTUnwrap(pdfText(output), name)
            for title in titles { XCTAssertTrue(text.contains(title), "\(name): no '\(title)' page") }
            XCTAssertTrue(text.contains("Hamming"), name)
        }
    }

    func testAFloatQueryFileIsRefusedWithTheReason() throws {
        let manifest = try FixtureManifest.load()
        let fixture = try XCTUnwrap(manifest.binary?.first)
        let floats = try XCTUnwrap(manifest.fixtures.first { $0.queries != nil })
        let outcome = try CLI.run([
            "trace", manifest.path(of: fixture), "--vector", try XCTUnwrap(manifest.queriesPath(of: floats)), "--row", "0", "--json",
        ])
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(outcome.stderr.contains("uint8 codes"), outcome.stderr)
    }
}
