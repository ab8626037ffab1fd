import FederIndex
import FederTestSupport
import Foundation
import XCTest

/// `feder-report trace --postgres` as a user runs it against a real server: the JSON's rows are the server's (ids,
/// order, float8 distances), the executor's counts add up, a filter says what it threw away, every failure is one
/// line with its exit code, and a password in the connection string never appears anywhere.
final class PGVectorCLITests: XCTestCase {
    static let schema = "feder_cli_\(UInt32.random(in: 0...UInt32.max))"
    nonisolated(unsafe) static var conninfo: String?

    func server() throws -> String {
        if let conninfo = Self.conninfo { return conninfo }
        let conninfo = try PostgresServers.connectionString(version: 18)
        let admin = try PGConnection(connectionString: conninfo)
        _ = try admin.query("CREATE SCHEMA \(Self.schema)")
        _ = try admin.query("CREATE TABLE \(Self.schema).items (id bigint PRIMARY KEY, category int, embedding vector(4))")
        _ = try admin.query(
            "INSERT INTO \(Self.schema).items SELECT i, i % 5, ARRAY[i % 7, (i * 3) % 11, i % 5, (i * 7) % 13]::vector FROM generate_series(1, 600) i"
        )
        _ = try admin.query("CREATE INDEX items_hnsw ON \(Self.schema).items USING hnsw (embedding vector_cosine_ops) WITH (m = 5)")
        _ = try admin.query("CREATE TABLE \(Self.schema).other (id bigint PRIMARY KEY, embedding vector(4))")
        _ = try admin.query(
            "INSERT INTO \(Self.schema).other SELECT i, ARRAY[i % 3, i % 4, 1, i % 6]::vector FROM generate_series(1, 300) i")
        _ = try admin.query("CREATE INDEX other_ivf ON \(Self.schema).other USING ivfflat (embedding vector_l2_ops) WITH (lists = 4)")
        _ = try admin.query("DELETE FROM \(Self.schema).items WHERE id % 9 = 0")
        Self.conninfo = conninfo
        return conninfo
    }

    override class func tearDown() {
        if let conninfo {
            _ = try? PGConnection(connectionString: conninfo).query("DROP SCHEMA IF EXISTS \(schema) CASCADE")
        }
        super.tearDown()
    }

    func testJSONRowsAreTheServersRows() throws {
        let conninfo = try server()
        let outcome = try CLI.run([
            "trace", "--postgres", conninfo, "--index", "\(Self.schema).items_hnsw", "--id", "12", "--k", "6", "--where", "category = 3",
            "--set", "hnsw.ef_search=20", "--json",
        ])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["engine"] as? String, "pgvector")
        XCTAssertEqual((object["check"] as? [String: Any])?["server"] as? String, "same")
        let results = try XCTUnwrap(object["results"] as? [[String: Any]])
        // The server's own answer, asked here through its plain SQL.
        let admin = try PGConnection(connectionString: conninfo)
        _ = try admin.query("BEGIN")
        _ = try admin.query("SET LOCAL enable_seqscan = off")
        _ = try admin.query("SET LOCAL hnsw.ef_search = 20")
        let expected = try admin.query(
            "SELECT id, embedding <=> (SELECT embedding FROM \(Self.schema).items WHERE id = 12) FROM \(Self.schema).items WHERE category = 3 ORDER BY embedding <=> (SELECT embedding FROM \(Self.schema).items WHERE id = 12) LIMIT 6"
        )
        _ = try admin.query("ROLLBACK")
        XCTAssertEqual(results.count, expected.rows)
        // The distances as written (Foundation's JSON reader rounds some doubles off by an ulp; Double(String) does not).
        let written = outcome.stdout.components(separatedBy: "\"distance\":").dropFirst().compactMap {
            Double($0.prefix { $0 != "," && $0 != "}" })
        }
        XCTAssertEqual(written.count, results.count)
        for (row, result) in results.enumerated() {
            XCTAssertEqual((result["id"] as? NSNumber)?.int64Value, expected.text(row, 0).flatMap { Int64($0) })
            XCTAssertEqual(written[row].bitPattern, expected.text(row, 1).flatMap { Double($0) }?.bitPattern)
        }
        let executor = try XCTUnwrap(object["executor"] as? [String: Any])
        let pulled = try XCTUnwrap(executor["pulled"] as? Int)
        let parts = ["returned", "filtered", "dead"].compactMap { executor[$0] as? Int }
        XCTAssertEqual(parts.reduce(0, +), pulled)
        XCTAssertGreaterThan(executor["filtered"] as? Int ?? 0, 0)
    }

    func testTextSaysWhatTheFilterDid() throws {
        let conninfo = try server()
        let outcome = try CLI.run([
            "trace", "--postgres", conninfo, "--index", "\(Self.schema).other_ivf", "--vector-json", "[1, 2, 1, 3]", "--k", "4", "--nprobe",
            "2",
        ])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertTrue(outcome.stdout.contains("ivfflat.probes=2"), outcome.stdout)
        XCTAssertTrue(outcome.stdout.contains("the server returns the same rows, order and distances"), outcome.stdout)
        XCTAssertTrue(outcome.stdout.contains("2 lists probed"), outcome.stdout)
    }

    /// The same scan with its pages mapped from the data directory (the host's files) instead of read through the
    /// server: the same rows, and the server agrees.
    func testDataDirectoryGivesTheSameScan() throws {
        let conninfo = try server()
        let directory = try XCTUnwrap(try PGConnection(connectionString: conninfo).query("SHOW data_directory").text(0, 0))
        let arguments = ["trace", "--postgres", conninfo, "--index", "\(Self.schema).other_ivf", "--id", "17", "--k", "5", "--json"]
        let through = try CLI.run(arguments)
        let mapped = try CLI.run(arguments + ["--data-directory", directory])
        XCTAssertEqual(through.status, 0, through.stderr)
        XCTAssertEqual(mapped.status, 0, mapped.stderr)
        XCTAssertEqual(mapped.stdout, through.stdout)
        XCTAssertTrue(mapped.stdout.contains("\"server\":\"same\""), mapped.stdout)
        let missing = try CLI.run(arguments + ["--data-directory", "/nonexistent/data"])
        XCTAssertEqual(missing.status, 66, missing.stderr)
    }

    /// Both access methods through the engine door: every view drawn with a clean layout, health and inspect.
    func testViewsHealthAndInspect() throws {
        let conninfo = try server()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (index, views) in [
            ("items_hnsw", ["hnsw-overview", "hnsw-search"]), ("other_ivf", ["ivf-overview", "ivf-coarse", "ivf-fine-polar"]),
        ] {
            let output = directory.appendingPathComponent("\(index).pdf").path
            let view = try CLI.run([
                "view", "--postgres", conninfo, "--index", "\(Self.schema).\(index)", "--id", "20", "--k", "5", "-o", output,
                "--check-layout",
            ])
            XCTAssertEqual(view.status, 0, view.stderr + view.stdout)
            for name in views { XCTAssertTrue(view.stdout.contains(name), "\(index): \(view.stdout)") }
            let health = try CLI.run(["health", "--postgres", conninfo, "--index", "\(Self.schema).\(index)", "--json"])
            XCTAssertEqual(health.status, 0, health.stderr)
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(health.stdout.utf8)) as? [String: Any])
            XCTAssertNotNil(object[index == "items_hnsw" ? "hnsw" : "ivf"], health.stdout)
            let inspect = try CLI.run(["inspect", "--postgres", conninfo, "--index", "\(Self.schema).\(index)", "--json"])
            XCTAssertEqual(inspect.status, 0, inspect.stderr)
            XCTAssertTrue(inspect.stdout.contains("\"format\":\"pgvector\""), inspect.stdout)
        }
    }

    /// A report spec whose index entries are pgvector indexes: a filtered query at ef_search 20 against an iterative
    /// scan, an IVFFlat probes comparison; a bad setting and a file key in such an entry are located errors.
    func testSpecComparesDatabaseIndexes() throws {
        let conninfo = try server()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-pgspec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func entry(_ index: String, _ extra: String = "") -> String {
            "{\"postgres\": \"\(conninfo)\", \"index\": \"\(Self.schema).\(index)\"\(extra)}"
        }
        let spec = """
            {"title": "pgvector", "indexes": {
               "plain": \(entry("items_hnsw", ", \"where\": \"category = 3\", \"settings\": {\"hnsw.ef_search\": 20}")),
               "iterative": \(entry("items_hnsw", ", \"where\": \"category = 3\", \"settings\": {\"hnsw.ef_search\": 20, \"hnsw.iterative_scan\": \"relaxed_order\"}")),
               "lists": \(entry("other_ivf"))},
             "queries": {"q": {"ids": [10, 20, 30]}},
             "params": {"k": 10},
             "comparisons": [
               {"left": {"index": "plain", "query": "q"}, "right": {"index": "iterative", "query": "q"}},
               {"left": {"index": "lists", "query": "q", "params": {"nprobe": 1}}, "right": {"index": "lists", "query": "q", "params": {"nprobe": 4}}}]}
            """
        let specPath = directory.appendingPathComponent("spec.json").path
        try spec.write(toFile: specPath, atomically: true, encoding: .utf8)
        let report = directory.appendingPathComponent("r.pdf").path
        let summary = directory.appendingPathComponent("s.json").path
        let outcome = try CLI.run([specPath, "-o", report, "--summary", summary, "--check-layout", "--quiet"])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let text = try String(contentsOfFile: summary, encoding: .utf8)
        XCTAssertTrue(text.contains("\"recall\""), text)
        XCTAssertFalse(text.contains(conninfo), "the connection string stays out of the summary")

        let bad = spec.replacingOccurrences(of: "\"hnsw.ef_search\": 20}", with: "\"hnsw.ef_search\": 0}")
            .replacingOccurrences(
                of: "\"index\": \"\(Self.schema).other_ivf\"", with: "\"index\": \"\(Self.schema).other_ivf\", \"space\": \"ip\"")
        try bad.write(toFile: specPath, atomically: true, encoding: .utf8)
        let refused = try CLI.run([specPath, "-o", report])
        XCTAssertEqual(refused.status, 65, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("$.indexes.plain.settings"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("$.indexes.lists.space"), refused.stderr)
    }

    /// A role that may read the table but not the server's files: one line saying what it needs and that
    /// --data-directory reads the files instead (66), and the CHECKPOINT it may not issue is a warning; an index
    /// that is not valid (a build that failed or is still running) is refused (65).
    func testRightsAndInvalidIndexes() throws {
        let conninfo = try server()
        let admin = try PGConnection(connectionString: conninfo)
        let role = "feder_reader_\(UInt32.random(in: 0...UInt32.max))"
        _ = try admin.query("CREATE ROLE \(role) LOGIN")
        defer { _ = try? admin.query("DROP OWNED BY \(role); DROP ROLE \(role)") }
        _ = try admin.query("GRANT USAGE ON SCHEMA \(Self.schema) TO \(role)")
        _ = try admin.query("GRANT SELECT ON ALL TABLES IN SCHEMA \(Self.schema) TO \(role)")
        let reader = try CLI.run(["trace", "--postgres", "\(conninfo) user=\(role)", "--index", "\(Self.schema).other_ivf", "--id", "3"])
        XCTAssertEqual(reader.status, 66, reader.stderr)
        XCTAssertTrue(reader.stderr.contains("pg_read_server_files"), reader.stderr)
        XCTAssertTrue(reader.stderr.contains("--data-directory"), reader.stderr)
        XCTAssertTrue(reader.stderr.contains("CHECKPOINT"), reader.stderr)

        _ = try admin.query("CREATE INDEX broken_ivf ON \(Self.schema).other USING ivfflat (embedding vector_ip_ops) WITH (lists = 2)")
        _ = try admin.query("UPDATE pg_index SET indisvalid = false WHERE indexrelid = '\(Self.schema).broken_ivf'::regclass")
        let invalid = try CLI.run(["trace", "--postgres", conninfo, "--index", "\(Self.schema).broken_ivf", "--id", "3"])
        XCTAssertEqual(invalid.status, 65, invalid.stderr)
        XCTAssertTrue(invalid.stderr.contains("not valid yet"), invalid.stderr)
    }

    func testFailuresAreOneLineWithoutThePassword() throws {
        let conninfo = try server()
        let secret = "s3cret-pw"
        let cases: [([String], Int32, String)] = [
            (["--index", "no_such_index", "--id", "1"], 66, "no relation named no_such_index"),
            (["--index", "\(Self.schema).items_pkey", "--id", "1"], 65, "btree"),
            (["--index", "\(Self.schema).items_hnsw", "--id", "9"], 65, "id 9 is not in"),
            (["--index", "\(Self.schema).items_hnsw", "--id", "1", "--where", "nope = 1"], 65, "nope"),
            (["--index", "\(Self.schema).items_hnsw", "--vector-json", "[1, 2]"], 65, "dimension"),
            (["--index", "\(Self.schema).items_hnsw", "--id", "1", "--set", "hnsw.iterative_scan=sideways"], 65, "iterative_scan"),
        ]
        for (arguments, status, words) in cases {
            let outcome = try CLI.run(["trace", "--postgres", "\(conninfo) password=\(secret)"] + arguments)
            XCTAssertEqual(outcome.status, status, "\(arguments): \(outcome.stderr)")
            XCTAssertEqual(outcome.stdout, "", "\(arguments)")
            XCTAssertEqual(outcome.stderr.split(separator: "\n").count, 1, outcome.stderr)
            XCTAssertTrue(outcome.stderr.contains(words), "\(arguments): \(outcome.stderr)")
            XCTAssertFalse(outcome.stderr.contains(secret), outcome.stderr)
        }
        let down = try CLI.run([
            "trace", "--postgres", "host=/nonexistent/socket port=5999 password=\(secret)", "--index", "x", "--id", "1",
        ])
        XCTAssertEqual(down.status, 66, down.stderr)
        XCTAssertFalse(down.stderr.contains(secret), down.stderr)
        let uri = try CLI.run([
            "trace", "--postgres", "postgresql://postgres:\(secret)@/postgres?host=/nonexistent/socket", "--index", "x", "--id", "1",
        ])
        XCTAssertEqual(uri.status, 66, uri.stderr)
        XCTAssertFalse(uri.stderr.contains(secret), uri.stderr)
    }
}
