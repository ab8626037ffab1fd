import FederTestSupport
import Foundation
import XCTest

/// `Examples/pgvector` as its README runs it: `build.py` builds the digits tables in a real PostgreSQL, and the
/// report over `compare.json` renders with a clean layout; the filtered query returns fewer rows without the
/// iterative scan (lower recall) and every exact neighbour with it.
final class PGVectorExampleTests: XCTestCase {
    func testTheExampleBuildsAndRenders() throws {
        guard LibraryScript.isAvailable else { throw XCTSkip("no .venv") }
        let conninfo = try PostgresServers.connectionString(version: 18)
        // libpq's environment names the server, as run.sh sets it.
        var environment = ProcessInfo.processInfo.environment
        let names = ["host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "dbname": "PGDATABASE"]
        for pair in conninfo.split(separator: " ") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2, let name = names[parts[0]] { environment[name] = parts[1] }
        }
        let root = FixtureManifest.committedDirectory().deletingLastPathComponent().deletingLastPathComponent()
        let example = root.appendingPathComponent("Examples/pgvector")
        let script = "import runpy, sys; sys.argv = [sys.argv[1]]; runpy.run_path(sys.argv[0], run_name='__main__')"
        _ = try LibraryScript.run(
            script, arguments: [example.appendingPathComponent("build.py").path],
            environment: environment.filter { $0.key.hasPrefix("PG") })
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-pgexample-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let summary = directory.appendingPathComponent("summary.json").path
        let outcome = try CLI.run(
            [
                example.appendingPathComponent("compare.json").path, "-o", directory.appendingPathComponent("r.pdf").path, "--summary",
                summary, "--check-layout", "--quiet",
            ], environment: environment)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let object = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: summary))) as? [String: Any])
        let comparisons = try XCTUnwrap(object["comparisons"] as? [[String: Any]])
        XCTAssertEqual(comparisons.count, 4)
        func recall(_ side: String, of comparison: [String: Any]) -> Double? {
            (((comparison[side] as? [String: Any])?["first"] as? [String: Any])?["recall"] as? NSNumber)?.doubleValue
        }
        let first = comparisons[0]
        let (plain, iterative) = (try XCTUnwrap(recall("left", of: first)), try XCTUnwrap(recall("right", of: first)))
        XCTAssertLessThan(plain, 0.5, "ef_search 40 under WHERE digit = 3 returns few rows")
        XCTAssertEqual(iterative, 1, "the iterative scan returns every exact neighbour")
    }
}
