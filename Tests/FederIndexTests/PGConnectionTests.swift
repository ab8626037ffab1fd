import CLibPQ
import FederTestSupport
import Foundation
import Synchronization
import XCTest

@testable import FederIndex

/// The libpq wrapper against real servers, PostgreSQL 18 and 16 with pgvector (`PostgresServers`): statements,
/// parameters, binary results, read-only snapshots, and errors that are one line, exit as documented and never show
/// a password.
final class PGConnectionTests: XCTestCase {
    /// Each version's connection string; skips when no server can be had.
    private func servers() throws -> [(version: Int, connection: String)] {
        guard PostgresServers.isAvailable else {
            throw XCTSkip("no PostgreSQL: set FEDER_POSTGRES_16 and FEDER_POSTGRES_18, or run scripts/setup_venv.sh")
        }
        return try PostgresServers.versions.map { ($0, try PostgresServers.connectionString(version: $0)) }
    }

    /// libpq's reading of a connection string: each option it sets, or nil when it does not parse.
    private func parsed(_ connectionString: String) -> [String: String]? {
        var error: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(connectionString, &error) else {
            PQfreemem(error)
            return nil
        }
        defer { PQconninfoFree(options) }
        var values: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val { values[String(cString: keyword)] = String(cString: value) }
            option += 1
        }
        return values
    }

    /// `connectionString` (either form) as `key=value` pairs, with `changes` made (nil removes an option).
    private func connectionString(_ connectionString: String, changing changes: [String: String?]) throws -> String {
        var options = try XCTUnwrap(parsed(connectionString))
        for (keyword, value) in changes { options[keyword] = value }
        return options.sorted { $0.key < $1.key }.map { "\($0.key)=\(ConnectionString.quoted($0.value))" }.joined(separator: " ")
    }

    /// The `FederIndexError` `body` throws, checked to read as one line that holds none of `secrets`.
    private func databaseError(
        hiding secrets: [String] = [], file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void
    ) -> FederIndexError? {
        do {
            try body()
            XCTFail("no error", file: file, line: line)
            return nil
        } catch let error as FederIndexError {
            let message = error.localizedDescription
            XCTAssertFalse(message.contains("\n") || message.contains("\t"), "not one line: \(message)", file: file, line: line)
            XCTAssertFalse(message.contains("FATAL:") || message.contains("ERROR:"), message, file: file, line: line)
            for secret in secrets {
                XCTAssertFalse(message.contains(secret), "\(secret) in \(message)", file: file, line: line)
                XCTAssertFalse(String(describing: error).contains(secret), "\(secret) in \(error)", file: file, line: line)
            }
            return error
        } catch {
            XCTFail("not a FederIndexError: \(error)", file: file, line: line)
            return nil
        }
    }

    // MARK: - Statements

    func testConnectsAndReportsTheServerVersion() throws {
        for (version, connectionString) in try servers() {
            let connection = try PGConnection(connectionString: connectionString)
            XCTAssertEqual(connection.serverVersionNumber / 10000, version)
            XCTAssertEqual(connection.target, PGConnection.redacted(connectionString))
            let result = try connection.query("SELECT version()")
            XCTAssertEqual(result.rows, 1)
            XCTAssertEqual(result.columns, 1)
            XCTAssertEqual(result.columnNames, ["version"])
            XCTAssertEqual(result.commandTag, "SELECT 1")
            XCTAssertTrue(try XCTUnwrap(result.text(0, 0)).hasPrefix("PostgreSQL \(version)."), "\(version)")
            let vector = try connection.query("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
            XCTAssertEqual(vector.text(0, 0), "0.8.5")
        }
    }

    func testParametersAreSentAsTextAndNullAsNull() throws {
        for (_, connectionString) in try servers() {
            let connection = try PGConnection(connectionString: connectionString)
            let echo = "grüße, 'quoted' \"double\" \\ ; -- 日本"
            let result = try connection.query(
                "SELECT $1::int + 1 AS next, $2::text IS NULL AS missing, $3::text AS echo, $2::text AS absent, upper($4) AS loud",
                parameters: ["41", nil, echo, "abc"])
            XCTAssertEqual(result.columnNames, ["next", "missing", "echo", "absent", "loud"])
            XCTAssertEqual(result.column(named: "loud"), 4)
            XCTAssertNil(result.column(named: "nope"))
            XCTAssertEqual(result.text(0, 0), "42")
            XCTAssertEqual(result.text(0, 1), "t")
            XCTAssertEqual(result.text(0, 2), echo)
            XCTAssertTrue(result.isNull(0, 3))
            XCTAssertNil(result.text(0, 3))
            XCTAssertNil(result.bytes(0, 3))
            XCTAssertEqual(result.text(0, 4), "ABC")
            // Outside the result reads as NULL rather than trapping.
            XCTAssertNil(result.text(1, 0))
            XCTAssertNil(result.text(0, 5))
            XCTAssertTrue(result.isNull(-1, 0))
            XCTAssertEqual(result.columnTypes[0], 23)

            let many = try connection.query("SELECT g, g * g FROM generate_series(1, $1::int) AS g", parameters: ["1000"])
            XCTAssertEqual(many.rows, 1000)
            XCTAssertEqual(many.text(999, 0), "1000")
            XCTAssertEqual(many.text(999, 1), "1000000")
            XCTAssertEqual(many.commandTag, "SELECT 1000")

            let empty = try connection.query("SELECT 1 WHERE false")
            XCTAssertEqual(empty.rows, 0)
            XCTAssertEqual(empty.columns, 1)
        }
    }

    func testBinaryResultsCarryTheTypesBytes() throws {
        for (_, connectionString) in try servers() {
            let connection = try PGConnection(connectionString: connectionString)
            let result = try connection.query(
                "SELECT $1::bytea AS raw, NULL::bytea AS nothing, ''::bytea AS empty", parameters: ["\\x00ff10"], binaryResults: true)
            XCTAssertEqual(result.bytes(0, 0), [0x00, 0xFF, 0x10])
            XCTAssertNil(result.bytes(0, 1))
            XCTAssertTrue(result.isNull(0, 1))
            XCTAssertEqual(result.bytes(0, 2), [])
            XCTAssertFalse(result.isNull(0, 2))
            XCTAssertEqual(result.columnTypes[0], 17)
            XCTAssertEqual(try connection.query("SELECT $1::bytea", parameters: ["\\x00ff10"]).text(0, 0), "\\x00ff10")

            // A page's worth of every byte value, through hex text in and binary out.
            var generator = SystemRandomNumberGenerator()
            let page = (0..<8192).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let hex = "\\x" + page.map { String(format: "%02x", $0) }.joined()
            XCTAssertEqual(try connection.query("SELECT $1::bytea", parameters: [hex], binaryResults: true).bytes(0, 0), page)

            // pgvector's binary form: int16 dimensions, int16 unused, then big-endian float4s.
            let expected: [UInt8] = [0, 3, 0, 0, 0x3F, 0x80, 0, 0, 0x40, 0x20, 0, 0, 0xC0, 0x40, 0, 0]
            let vector = try connection.query(
                "SELECT vector_send($1::vector), $1::vector, 'vector'::regtype::oid::int8", parameters: ["[1,2.5,-3]"],
                binaryResults: true)
            XCTAssertEqual(vector.bytes(0, 0), expected)
            XCTAssertEqual(vector.bytes(0, 1), expected)
            let oid = try XCTUnwrap(vector.bytes(0, 2)).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            XCTAssertEqual(UInt64(vector.columnTypes[1]), oid)
        }
    }

    func testReadOnlySnapshotSeesOneStateAndRefusesWrites() throws {
        for (_, connectionString) in try servers() {
            let reader = try PGConnection(connectionString: connectionString)
            let writer = try PGConnection(connectionString: connectionString)
            let table = "feder_pg_snapshot_\(UInt32.random(in: 0...UInt32.max))"
            _ = try writer.query("CREATE TABLE \(table) (id int)")
            defer { _ = try? writer.query("DROP TABLE \(table)") }

            try reader.beginReadOnlySnapshot()
            XCTAssertEqual(try reader.query("SELECT count(*) FROM \(table)").text(0, 0), "0")
            _ = try writer.query("INSERT INTO \(table) VALUES (1)")
            XCTAssertEqual(try reader.query("SELECT count(*) FROM \(table)").text(0, 0), "0", "the snapshot moved")

            let error = databaseError { _ = try reader.query("INSERT INTO \(table) VALUES (2)") }
            XCTAssertEqual(
                error, .databaseQuery(target: reader.target, sqlState: "25006", detail: "cannot execute INSERT in a read-only transaction"))
            XCTAssertEqual(error?.exitCode, .dataError)
            XCTAssertEqual(
                error?.localizedDescription, "PostgreSQL (\(reader.target)): query failed: cannot execute INSERT in a read-only transaction"
            )
            try reader.end()
            XCTAssertEqual(try reader.query("SELECT count(*) FROM \(table)").text(0, 0), "1")
            // Ending no transaction is harmless (the server's warning is not printed).
            try reader.end()
        }
    }

    func testFailedStatementsAreOneLineWithTheirExitCode() throws {
        for (_, connectionString) in try servers() {
            let connection = try PGConnection(connectionString: connectionString)
            let target = connection.target

            let syntax = databaseError { _ = try connection.query("SELEC 1") }
            XCTAssertEqual(syntax, .databaseQuery(target: target, sqlState: "42601", detail: "syntax error at or near \"SELEC\""))
            XCTAssertEqual(syntax?.exitCode, .dataError)

            let missing = databaseError { _ = try connection.query("SELECT * FROM feder_no_such_table") }
            XCTAssertEqual(
                missing, .databaseQuery(target: target, sqlState: "42P01", detail: "relation \"feder_no_such_table\" does not exist"))

            let table = "feder_pg_unique_\(UInt32.random(in: 0...UInt32.max))"
            _ = try connection.query("CREATE TEMP TABLE \(table) (id int PRIMARY KEY)")
            _ = try connection.query("INSERT INTO \(table) VALUES (1)")
            let duplicate = databaseError { _ = try connection.query("INSERT INTO \(table) VALUES ($1::int)", parameters: ["1"]) }
            XCTAssertEqual(
                duplicate,
                .databaseQuery(
                    target: target, sqlState: "23505",
                    detail: "duplicate key value violates unique constraint \"\(table)_pkey\" (Key (id)=(1) already exists.)"))

            // No permission on a relation is as an unreadable file: 66.
            _ = try connection.query(
                "DO $$BEGIN CREATE ROLE feder_pg_no_rights NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END$$")
            let shared = "feder_pg_rights_\(UInt32.random(in: 0...UInt32.max))"
            _ = try connection.query("CREATE TABLE \(shared) (id int)")
            defer { _ = try? connection.query("DROP TABLE \(shared)") }
            _ = try connection.query("SET ROLE feder_pg_no_rights")
            let denied = databaseError { _ = try connection.query("SELECT * FROM \(shared)") }
            XCTAssertEqual(denied, .databaseQuery(target: target, sqlState: "42501", detail: "permission denied for table \(shared)"))
            XCTAssertEqual(denied?.exitCode, .cannotOpen)
            _ = try connection.query("RESET ROLE")

            let nul = databaseError { _ = try connection.query("SELECT $1::text", parameters: ["a\u{0}b"]) }
            XCTAssertEqual(
                nul,
                .databaseQuery(
                    target: target, sqlState: "22021",
                    detail: "parameter $1 contains a NUL byte, which a text parameter cannot carry (send bytes as hex)"))

            let copyOut = databaseError { _ = try connection.query("COPY (SELECT 1) TO STDOUT") }
            XCTAssertEqual(copyOut?.exitCode, .dataError)
            let copyIn = databaseError { _ = try connection.query("COPY \(table) FROM STDIN") }
            XCTAssertEqual(copyIn?.exitCode, .dataError)
            // The connection is still good after every failure.
            XCTAssertEqual(try connection.query("SELECT count(*) FROM \(table)").text(0, 0), "1")
        }
    }

    func testOneConnectionServesSeveralThreadsInTurn() throws {
        for (_, connectionString) in try servers() {
            let connection = try PGConnection(connectionString: connectionString)
            let answers = Mutex<[Int: String]>([:])
            DispatchQueue.concurrentPerform(iterations: 16) { index in
                let text = try? connection.query("SELECT $1::int * 2, pg_sleep(0.001)", parameters: ["\(index)"]).text(0, 0)
                answers.withLock { $0[index] = text ?? "failed" }
            }
            XCTAssertEqual(answers.withLock { $0 }, Dictionary(uniqueKeysWithValues: (0..<16).map { ($0, "\($0 * 2)") }))
        }
    }

    // MARK: - Connections that fail

    func testServerDownIsOneLineExitingCannotOpen() throws {
        let socket = "host=/tmp/feder-no-such-socket-dir port=5418 user=postgres password=hunter2-in-the-string"
        let down = databaseError(hiding: ["hunter2"]) { _ = try PGConnection(connectionString: socket) }
        XCTAssertEqual(down?.exitCode, .cannotOpen)
        XCTAssertEqual(
            down?.localizedDescription,
            "PostgreSQL (host=/tmp/feder-no-such-socket-dir port=5418 user=postgres): cannot connect: connection to server on socket "
                + "\"/tmp/feder-no-such-socket-dir/.s.PGSQL.5418\" failed: No such file or directory; "
                + "is the server running, and are the host (its address or socket directory) and port right?")

        let uri = "postgresql://postgres:hunter2-uri@/postgres?host=/tmp/feder-no-such-socket-dir&port=5418&password=hunter2-query"
        let uriDown = databaseError(hiding: ["hunter2"]) { _ = try PGConnection(connectionString: uri) }
        guard case .databaseUnavailable(let target, _) = uriDown else { return XCTFail("\(String(describing: uriDown))") }
        XCTAssertEqual(target, "postgresql://postgres@/postgres?host=/tmp/feder-no-such-socket-dir&port=5418")

        let refused = databaseError(hiding: ["hunter2"]) {
            _ = try PGConnection(connectionString: "host=127.0.0.1 port=1 connect_timeout=5 password='hunter2 tcp'")
        }
        XCTAssertEqual(refused?.exitCode, .cannotOpen)
        XCTAssertTrue(
            refused?.localizedDescription.contains("Connection refused; is the server running") ?? false, "\(String(describing: refused))")

        // A running server's folder on a port nothing listens on.
        for (_, connectionString) in try servers() {
            let wrongPort = try self.connectionString(connectionString, changing: ["port": "5499", "password": "hunter2-port"])
            let error = databaseError(hiding: ["hunter2"]) { _ = try PGConnection(connectionString: wrongPort) }
            XCTAssertEqual(error?.exitCode, .cannotOpen)
            XCTAssertTrue(error?.localizedDescription.contains(".s.PGSQL.5499\" failed: No such file or directory") ?? false)
        }
    }

    /// An empty string leaves everything to libpq's defaults; a failure then names what libpq tried.
    func testEmptyConnectionStringIsNamedByWhatLibpqTried() {
        do {
            _ = try PGConnection(connectionString: "")
        } catch let error as FederIndexError {
            guard case .databaseUnavailable(let target, _) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(target.contains("port="), target)
            XCTAssertFalse(target.contains("password"), target)
        } catch {
            XCTFail("\(error)")
        }
    }

    func testUnknownDatabaseAndRole() throws {
        for (_, connectionString) in try servers() {
            let database = try self.connectionString(connectionString, changing: ["dbname": "feder_no_such_database"])
            let noDatabase = databaseError { _ = try PGConnection(connectionString: database) }
            XCTAssertEqual(noDatabase?.exitCode, .cannotOpen)
            XCTAssertTrue(
                noDatabase?.localizedDescription.hasSuffix(
                    "failed: database \"feder_no_such_database\" does not exist; name an existing database with dbname= (or PGDATABASE)")
                    ?? false, "\(String(describing: noDatabase))")

            let role = try self.connectionString(connectionString, changing: ["user": "feder_no_such_role"])
            let noRole = databaseError { _ = try PGConnection(connectionString: role) }
            XCTAssertEqual(noRole?.exitCode, .cannotOpen)
            XCTAssertTrue(
                noRole?.localizedDescription.hasSuffix(
                    "failed: role \"feder_no_such_role\" does not exist; connect as an existing role with user= (or PGUSER)") ?? false,
                "\(String(describing: noRole))")
        }
    }

    /// A role that must give its password: a `pg_hba.conf` line for it alone (written with `lo_export` and reloaded,
    /// no restart), so a wrong password fails as on a real server, and `passfile` (`.pgpass`) works as for psql.
    func testWrongPasswordNeverShowsIt() throws {
        let role = "feder_pg_password"
        let right = "right-Zq7-password"
        for (_, connectionString) in try servers() {
            let admin = try PGConnection(connectionString: connectionString)
            _ = try admin.query(
                "DO $$BEGIN CREATE ROLE \(role) LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END$$")
            _ = try admin.query("ALTER ROLE \(role) PASSWORD '\(right)'")
            let rule = "local all \(role) scram-sha-256"
            let hba = try XCTUnwrap(admin.query("SHOW hba_file").text(0, 0))
            let current = try XCTUnwrap(admin.query("SELECT pg_read_file($1)", parameters: [hba]).text(0, 0))
            if !current.hasPrefix(rule + "\n") {
                // A large object is not visible to the statement that made it: three statements.
                let object = try XCTUnwrap(
                    admin.query("SELECT lo_from_bytea(0, convert_to($1, 'UTF8'))", parameters: [rule + "\n" + current]).text(0, 0))
                _ = try admin.query("SELECT lo_export($1::oid, $2)", parameters: [object, hba])
                _ = try admin.query("SELECT lo_unlink($1::oid)", parameters: [object])
                _ = try admin.query("SELECT pg_reload_conf()")
            }
            let wrong = try self.connectionString(connectionString, changing: ["user": role, "password": "wrong-Zq7-secret"])
            // The reload is asynchronous: wait (boundedly) until the rule turns a wrong password away.
            var loaded = false
            for _ in 0..<100 where !loaded {
                loaded = (try? PGConnection(connectionString: wrong)) == nil
                if !loaded { Thread.sleep(forTimeInterval: 0.05) }
            }
            XCTAssertTrue(loaded, "pg_hba.conf was not reloaded")

            let refused = databaseError(hiding: ["Zq7"]) { _ = try PGConnection(connectionString: wrong) }
            XCTAssertEqual(refused?.exitCode, .cannotOpen)
            XCTAssertTrue(
                refused?.localizedDescription.hasSuffix(
                    "failed: password authentication failed for user \"\(role)\"; "
                        + "check the password (PGPASSWORD, ~/.pgpass or the connection string's)") ?? false,
                "\(String(describing: refused))")

            let good = try self.connectionString(connectionString, changing: ["user": role, "password": right])
            XCTAssertEqual(try PGConnection(connectionString: good).query("SELECT current_user").text(0, 0), role)

            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("feder-pgpass-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let passfile = folder.appendingPathComponent("pgpass")
            try "*:*:*:\(role):\(right)\n".write(to: passfile, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: passfile.path)
            let viaPassfile = try self.connectionString(connectionString, changing: ["user": role, "passfile": passfile.path])
            XCTAssertEqual(try PGConnection(connectionString: viaPassfile).query("SELECT current_user").text(0, 0), role)

            if ProcessInfo.processInfo.environment["PGPASSWORD"] == nil {
                let none = try self.connectionString(
                    connectionString, changing: ["user": role, "passfile": folder.appendingPathComponent("none").path])
                let missing = databaseError { _ = try PGConnection(connectionString: none) }
                XCTAssertTrue(
                    missing?.localizedDescription.hasSuffix(
                        "no password supplied; the server asks for a password: set PGPASSWORD or add it to ~/.pgpass") ?? false,
                    "\(String(describing: missing))")
            }
        }
    }

    func testMalformedConnectionStringsShowNoPasswordFragment() throws {
        let cases: [(String, String, String)] = [
            // libpq quotes the token after a password that lost its quotes.
            ("host=/tmp/x password=Zq9sec ret-Zq9-tail", "host=/tmp/x …", "missing \"=\" after \"…\" in connection info string"),
            ("host=/tmp/x port=5418 password='Zq9 unterminated", "host=/tmp/x port=5418 …", "unterminated quoted string"),
            ("host=/tmp/x junk password=Zq9secret", "host=/tmp/x …", "missing \"=\" after \"…\""),
            // libpq quotes a malformed percent-escape of the password, and reads `pa` of `pa/ss` as a port.
            ("postgresql://u:p%zzZq9secret@h/db", "postgresql://u@h/db", "invalid percent-encoded token: \"…\""),
            ("postgresql://u:Zq9pa/ss@h", "postgresql://u@h", "invalid integer value \"…\" for connection option \"port\""),
            ("postgresql://u@h/db?password=Zq9%zz", "postgresql://u@h/db", "invalid percent-encoded token: \"…\""),
        ]
        for (connectionString, target, message) in cases {
            let error = databaseError(hiding: ["Zq9"]) { _ = try PGConnection(connectionString: connectionString) }
            guard case .databaseUnavailable(let shown, let detail) = error else {
                XCTFail("\(connectionString): \(String(describing: error))")
                continue
            }
            XCTAssertEqual(shown, target, connectionString)
            XCTAssertTrue(detail.contains(message), "\(connectionString): \(detail)")
            XCTAssertEqual(error?.exitCode, .cannotOpen)
        }
        // Without a password, libpq's words stay as they are.
        let typo = databaseError { _ = try PGConnection(connectionString: "hots=/tmp/x") }
        XCTAssertEqual(typo, .databaseUnavailable(target: "hots=/tmp/x", detail: "invalid connection option \"hots\""))
        let nul = databaseError(hiding: ["Zq9"]) { _ = try PGConnection(connectionString: "host=/tmp/x password=Zq9\u{0}") }
        XCTAssertEqual(nul, .databaseUnavailable(target: "host=/tmp/x", detail: "the connection string contains a NUL byte"))
    }

    // MARK: - Redaction

    func testRedactedKeywordValueStrings() {
        let cases: [(String, String)] = [
            ("host=/tmp/x port=5418 user=postgres password=secret dbname=postgres", "host=/tmp/x port=5418 user=postgres dbname=postgres"),
            ("password=secret host=h", "host=h"),
            ("host=h password=secret", "host=h"),
            ("  host=h   password = 'se cret'  dbname=d", "  host=h  dbname=d"),
            ("host=h password='it\\'s a \\\\ secret' user=u", "host=h user=u"),
            ("host=h password='quoted'user=u", "host=h user=u"),
            ("host=h password='quoted'user=u password='again'", "host=h user=u"),
            ("password=sec\\ ret host=h", "host=h"),
            ("host=h sslpassword=keypw PASSWORD=x oauth_client_secret=abc", "host=h"),
            ("password=a password=b", ""),
            ("host=h password=", "host=h"),
            // libpq skips the spaces after `=`: the password here is "user=u".
            ("host=h password= user=u", "host=h"),
            (
                "host='/tmp/a b' port=5 passfile=/home/me/.pgpass sslmode=require",
                "host='/tmp/a b' port=5 passfile=/home/me/.pgpass sslmode=require"
            ),
            ("service=mine", "service=mine"),
            ("", ""),
            // From the first token libpq cannot read, nothing is kept.
            ("host=h password=a b c", "host=h …"),
            ("host=h password='unterminated secret", "host=h …"),
            ("host='unterminated password=secret", "…"),
            ("host=h junk password=y", "host=h …"),
        ]
        for (connectionString, expected) in cases {
            XCTAssertEqual(PGConnection.redacted(connectionString), expected, connectionString)
        }
    }

    func testRedactedURIs() {
        let cases: [(String, String)] = [
            ("postgresql://user:secret@host/db", "postgresql://user@host/db"),
            ("postgres://user:secret@host:5432/db?sslmode=require", "postgres://user@host:5432/db?sslmode=require"),
            ("postgresql://user:sec%40ret@host/db", "postgresql://user@host/db"),
            ("postgresql://:secret@host", "postgresql://@host"),
            ("POSTGRESQL://u:secret@h", "POSTGRESQL://u@h"),
            ("postgresql://host/db?password=x", "postgresql://host/db"),
            (
                "postgresql://host/db?sslmode=require&password=x&application_name=a",
                "postgresql://host/db?sslmode=require&application_name=a"
            ),
            ("postgresql://host/db?password=x&sslmode=require", "postgresql://host/db?sslmode=require"),
            ("postgresql://host/db?sslmode=require&password=x", "postgresql://host/db?sslmode=require"),
            ("postgresql://host/db?pass%77ord=x&sslpassword=y", "postgresql://host/db"),
            ("postgresql://u:p@h/db?password=x", "postgresql://u@h/db"),
            // libpq ends the password at the first `@`, wherever a `?` or `/` falls in it.
            ("postgresql://u:pw?x@h/db", "postgresql://u@h/db"),
            ("postgresql://h?password=a@b", "postgresql://h"),
            // Not a URI libpq can use (`pa` would be a port): all of `:pa/ss` goes.
            ("postgresql://u:pa/ss@h", "postgresql://u@h"),
            ("postgresql://u@h:5432/db", "postgresql://u@h:5432/db"),
            ("postgresql://h1:5432,h2:5433/db", "postgresql://h1:5432,h2:5433/db"),
            ("postgresql://[::1]:5432/db", "postgresql://[::1]:5432/db"),
            ("postgresql://u@h:5432/db@x", "postgresql://u@h:5432/db@x"),
            ("postgresql:///db?host=/tmp/x&port=5418", "postgresql:///db?host=/tmp/x&port=5418"),
            ("postgresql://", "postgresql://"),
        ]
        for (connectionString, expected) in cases {
            XCTAssertEqual(PGConnection.redacted(connectionString), expected, connectionString)
        }
    }

    /// On every string libpq parses, the redacted one parses to the same options without the secret ones.
    func testRedactedAgreesWithLibpq() throws {
        let strings = [
            "host=/tmp/x port=5418 user=postgres password=secret dbname=postgres",
            "  host=h   password = 'se cret'  dbname=d",
            "host=h password='it\\'s a \\\\ secret' user=u",
            "host=h password='quoted'user=u application_name='a b'",
            "password=sec\\ ret host=h sslpassword=k",
            "host=h password= user=u",
            "postgresql://user:secret@host/db",
            "postgres://user:sec%40ret@host:5432/db?sslmode=require&password=x&application_name=a",
            "postgresql://u:pw?x@h/db",
            "postgresql://h1:5432,h2:5433/db?password=x",
            "postgresql://[::1]:5432/db?sslpassword=x&connect_timeout=3",
        ]
        for string in strings {
            var expected = try XCTUnwrap(parsed(string), string)
            expected = expected.filter { !ConnectionString.isSecret($0.key) }
            let redacted = PGConnection.redacted(string)
            XCTAssertEqual(parsed(redacted), expected, "\(string) → \(redacted)")
        }
    }
}
