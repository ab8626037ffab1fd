import FederTestSupport
import Foundation
import XCTest

final class InspectCommandTests: XCTestCase {
    private var fixtures: URL { FixtureManifest.committedDirectory() }

    func testJSONHasTheDocumentedKeys() throws {
        let outcome = try CLI.run(["inspect", "--json", fixtures.appendingPathComponent("ivf_flat_l2_full.faiss").path])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let json = try JSONValue.parse(Data(outcome.stdout.utf8))
        XCTAssertEqual(json["format"], .string("faiss"))
        XCTAssertEqual(json["type"], .string("IwFl"))
        XCTAssertEqual(json["metric"], .string("l2"))
        XCTAssertEqual(json["nlist"], .number(16))
        XCTAssertEqual(json["listSizes"]?.array?.count, 16)
        XCTAssertEqual(outcome.stdout.filter { $0 == "\n" }.count, 1, "one JSON object on one line")
    }

    func testHnswlibSpaceIsReported() throws {
        let path = fixtures.appendingPathComponent("hnswlib_cosine.hnsw").path
        let outcome = try CLI.run(["inspect", "--json", "--space", "cosine", path])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let json = try JSONValue.parse(Data(outcome.stdout.utf8))
        XCTAssertEqual(json["metric"], .string("cosine"))
        XCTAssertNotNil(json["levelCounts"]?.array)
        XCTAssertNotNil(json["deleted"])
    }

    func testReadableSummary() throws {
        let outcome = try CLI.run(["inspect", fixtures.appendingPathComponent("hnsw_flat_l2.faiss").path])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertTrue(outcome.stdout.contains("IndexHNSWFlat"), outcome.stdout)
        XCTAssertTrue(outcome.stdout.contains("efSearch 24"), outcome.stdout)
        XCTAssertTrue(outcome.stdout.contains("levels"), outcome.stdout)
    }

    func testMissingFileExits66WithOneLine() throws {
        let outcome = try CLI.run(["inspect", "/nonexistent/index.faiss"])
        XCTAssertEqual(outcome.status, 66)
        XCTAssertEqual(outcome.stdout, "")
        XCTAssertEqual(outcome.stderr.filter { $0 == "\n" }.count, 1, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("/nonexistent/index.faiss: cannot open"), outcome.stderr)
    }

    func testCorruptFileExits65NamingTheOffset() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try Data(contentsOf: fixtures.appendingPathComponent("ivf_flat_l2_full.faiss"))
        let truncated = directory.appendingPathComponent("cut.faiss")
        try source.prefix(1000).write(to: truncated)
        let outcome = try CLI.run(["inspect", truncated.path])
        XCTAssertEqual(outcome.status, 65)
        XCTAssertTrue(outcome.stderr.contains("cut.faiss: IwFl"), outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("byte "), outcome.stderr)
        XCTAssertEqual(outcome.stderr.filter { $0 == "\n" }.count, 1, outcome.stderr)
    }

    func testDirectoryExits66() throws {
        let outcome = try CLI.run(["inspect", fixtures.path])
        XCTAssertEqual(outcome.status, 66)
        XCTAssertTrue(outcome.stderr.contains("is a directory"), outcome.stderr)
    }

    func testUnknownSpaceIsAUsageError() throws {
        let outcome = try CLI.run(["inspect", "--space", "l3", fixtures.appendingPathComponent("hnswlib_l2.hnsw").path])
        XCTAssertEqual(outcome.status, 64)
    }
}

/// `inspect --json`, run as a user runs it, agrees with the libraries on every fixture of the set
/// (CI points `FEDER_FIXTURES` at a freshly generated one).
final class InspectJSONAgainstLibrariesTests: XCTestCase {
    func testInspectJSONMatchesTheLibraries() throws {
        let manifest = try FixtureManifest.load()
        for fixture in manifest.fixtures {
            var arguments = ["inspect", "--json", manifest.path(of: fixture)]
            if let space = fixture.space { arguments += ["--space", space] }
            let outcome = try CLI.run(arguments)
            XCTAssertEqual(outcome.status, 0, "\(fixture.name): \(outcome.stderr)")
            let ours = try JSONValue.parse(Data(outcome.stdout.utf8))
            let problems = SummaryComparison.mismatches(expected: fixture.expect, ours: ours, name: fixture.name)
            XCTAssertEqual(problems, [], problems.joined(separator: "\n"))
        }
    }
}
