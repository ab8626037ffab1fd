import ArgumentParser
import FederReport

/// `feder-report health FILE`: what is wrong with an index before any query runs.
struct HealthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Check an index's IVF lists or HNSW graph: balance, unreachable nodes, in-degrees.",
        discussion: """
            IVF: list sizes, faiss's imbalance factor (nlist · Σ size² / (Σ size)²), empty lists and the share of \
            the vectors in the largest 1 % of the lists. HNSW (faiss and hnswlib): live nodes no layer-0 path \
            reaches from the entry point (no search finds them at any ef), nodes no layer-0 link points to, \
            layer 0's components, deleted nodes and those reachable only through them, and per level the \
            in-degree spread and hubs. Exit codes: 0 ok, 65 the file is corrupt or unsupported, 66 it cannot \
            be opened.
            """)

    @Argument(help: "The index file (faiss write_index or hnswlib save_index); or --postgres with --index.")
    var file: String?

    @Option(help: "The hnswlib space the index was built with: l2, ip or cosine (hnswlib files do not record it).")
    var space: Space = .l2

    @OptionGroup(title: "PostgreSQL (pgvector)") var postgres: PostgresOptions

    @Flag(help: "Print one JSON object (every unreachable node's label included) instead of the readable summary.")
    var json = false

    func validate() throws {
        guard (file == nil) == postgres.isGiven else {
            throw ValidationError(
                postgres.isGiven
                    ? "Give either an index file or --postgres, not both." : "Give the index file (or --postgres with --index).")
        }
    }

    func run() throws {
        if let database = try postgres.index() {
            print(try HealthJob.run(index: try database.open(), name: database.name, json: json), terminator: "")
            return
        }
        print(try HealthJob.run(file: file ?? "", space: space, json: json), terminator: "")
    }
}
