import ArgumentParser
import FederReport

/// How a query is given and searched: shared by `trace` and `view`.
struct QueryOptions: ParsableArguments {
    // Numbers are taken even when they start with a dash (`--k -1`), so that the check that follows can say what is
    // wrong with them instead of the parser saying the value is missing.
    @Option(parsing: .unconditional, help: "Search with the stored vector of this id (label; hnswlib labels go up to 2^64 − 1).")
    var id: String?

    @Option(help: "Search with the stored vectors of these ids, comma-separated.")
    var ids: String?

    @Option(help: "Query vectors: .npy (float32/float64), .fvecs, .bvecs, .fbin, .u8bin, .i8bin, .json, or ann-benchmarks .hdf5 (test).")
    var vector: String?

    @Option(parsing: .unconditional, help: "With --vector: the row to use (0-based). Without it every row is used.")
    var row: Int?

    @Option(help: "With an .hdf5 --vector: the dataset to read (default test; train, or any float dataset).")
    var dataset: String?

    @Option(name: .customLong("vector-json"), help: "An inline JSON query vector, e.g. '[0.1, 0.2]'.")
    var vectorJSON: String?

    @Option(parsing: .unconditional, help: "Number of results.")
    var k: Int = 10

    @Option(parsing: .unconditional, help: "IVF lists to probe (default: the nprobe saved in the file).")
    var nprobe: Int?

    @Option(parsing: .unconditional, help: "HNSW search breadth: faiss efSearch (default: saved in the file), hnswlib ef (default 10).")
    var ef: Int?

    @Option(help: "The hnswlib space: l2, ip or cosine (hnswlib files do not record it).")
    var space: Space = .l2

    @Option(
        help: ArgumentHelp(
            "The vectors that were added to the index (.npy, .fvecs), row i the i-th added (id i, or an IDMap's i-th label): the exact truth for indexes that keep only codes (PQ, SQ, fast scan), true distances for the quantization view, and --id queries on them.",
            valueName: "file"))
    var vectors: String?

    @OptionGroup var threads: OMPThreadsOption

    var search: SearchRequest { SearchRequest(k: k, nprobe: nprobe, ef: ef, ompThreads: threads.ompThreads) }

    func validate(allowMany: Bool) throws {
        let sources = [id != nil, ids != nil, vector != nil, vectorJSON != nil].filter { $0 }.count
        guard sources == 1 else {
            throw ValidationError("Please give exactly one query: --id, --ids, --vector or --vector-json.")
        }
        if !allowMany, ids != nil { throw ValidationError("--ids traces several queries; give one with --id.") }
        if row != nil, vector == nil { throw ValidationError("--row goes with --vector.") }
        if dataset != nil, !(vector.map { $0.lowercased().hasSuffix(".hdf5") || $0.lowercased().hasSuffix(".h5") } ?? false) {
            throw ValidationError("--dataset goes with an .hdf5 --vector.")
        }
        if let row, row < 0 { throw ValidationError("--row must be 0 or more (got \(row)).") }
        if k < 1 { throw ValidationError("--k must be at least 1 (got \(k)).") }
        if let nprobe, nprobe < 1 { throw ValidationError("--nprobe must be at least 1 (got \(nprobe)).") }
        if let ef, ef < 1 { throw ValidationError("--ef must be at least 1 (got \(ef)).") }
        if let id, QuerySourceText.label(id) == nil {
            throw ValidationError("--id takes an integer label (got '\(id)').")
        }
        if let ids, QuerySourceText.ids(ids) == nil {
            throw ValidationError("--ids takes comma-separated integers (got '\(ids)').")
        }
    }

    /// The query source the options name.
    func source() throws -> JobSpec.QuerySource {
        if let id, let label = QuerySourceText.label(id) { return .id(label) }
        if let ids, let labels = QuerySourceText.ids(ids) { return .ids(labels) }
        if let vector { return .file(path: vector, row: row, dataset: dataset) }
        if let vectorJSON { return .inline(try QuerySourceText.inlineVector(vectorJSON)) }
        throw ValidationError("Please give exactly one query: --id, --ids, --vector or --vector-json.")
    }
}
