import ArgumentParser
import FederReport
import Foundation

/// A pgvector index in a live PostgreSQL: `--postgres URI --index NAME` and what a scan there reads.
struct PostgresOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "A PostgreSQL connection string or URI, as psql takes it (libpq's PG* environment variables, ~/.pgpass, service files and sslmode apply; a password is never printed).",
            valueName: "conninfo"))
    var postgres: String?

    @Option(
        name: .customLong("index"),
        help: ArgumentHelp(
            "With --postgres: the pgvector index (hnsw or ivfflat), schema-qualified or found through search_path.", valueName: "name"))
    var indexName: String?

    @Option(
        name: .customLong("where"),
        help: ArgumentHelp(
            "With --postgres: a filter as SQL, evaluated by the server at the snapshot (the tool never parses it).", valueName: "sql"))
    var predicate: String?

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp(
            "With --postgres: a setting for the scan, as SET takes it (hnsw.ef_search=100, hnsw.iterative_scan=relaxed_order, ivfflat.probes=10, …); repeat for several.",
            valueName: "name=value"))
    var settings: [String] = []

    @Option(
        name: .customLong("id-column"),
        help: ArgumentHelp(
            "With --postgres: the integer column that identifies rows (default: the table's single-column primary key).",
            valueName: "column"))
    var idColumn: String?

    @Option(
        name: .customLong("data-directory"),
        help: ArgumentHelp(
            "With --postgres: read the index's segment files from this data directory (the database host, or a base backup) instead of through the server.",
            valueName: "dir"))
    var dataDirectory: String?

    var isGiven: Bool { postgres != nil }

    func validate() throws {
        guard postgres != nil else {
            if indexName != nil || predicate != nil || !settings.isEmpty || idColumn != nil || dataDirectory != nil {
                throw ValidationError("--index, --where, --set, --id-column and --data-directory go with --postgres.")
            }
            return
        }
        guard let indexName, !indexName.isEmpty else { throw ValidationError("--postgres needs --index NAME.") }
        _ = try pairs()
    }

    /// The database index the options name, nil without --postgres.
    func index(extraSettings: [(String, String)] = []) throws -> PostgresIndex? {
        guard let postgres, let indexName else { return nil }
        return PostgresIndex(
            connection: postgres, index: indexName, idColumn: idColumn, dataDirectory: dataDirectory, predicate: predicate,
            settings: extraSettings + (try pairs()))
    }

    /// `--set` as (name, value) pairs.
    func pairs() throws -> [(String, String)] {
        try settings.map { text in
            guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
                throw ValidationError("--set takes name=value (got '\(text)').")
            }
            return (
                String(text[..<equals]).trimmingCharacters(in: .whitespaces),
                String(text[text.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
            )
        }
    }
}
