import FederIndex
import FederSearch
import Foundation

/// What `feder-report trace --postgres …` is asked for.
public struct PGVectorTraceRequest: Sendable {
    /// The index, where it is and what its scans run with.
    public var database: PostgresIndex
    public var query: JobSpec.QuerySource
    public var k: Int
    public var json: Bool

    public init(database: PostgresIndex, query: JobSpec.QuerySource, k: Int = 10, json: Bool = false) {
        (self.database, self.query, self.k, self.json) = (database, query, k, json)
    }
}

/// What `trace --postgres --json` prints for one query: the rows as the server returns them (`id` the id column's
/// value, `distance` the operator's float8), what the index scan and the executor did, and whether the server's own
/// answer to the same SQL agreed.
public struct PGVectorTraceOutput: Encodable, Sendable {
    public struct Result: Encodable, Sendable {
        public var id: Int64
        public var distance: Double
    }

    public struct Executor: Encodable, Sendable {
        /// Heap TIDs the index scan handed over.
        public var pulled: Int
        public var returned: Int
        public var filtered: Int
        public var dead: Int
        public var outOfOrder: Int
        /// Why it stopped: "k rows returned", "ef_search candidates returned", "graph exhausted", …
        public var stop: String
    }

    public struct Counts: Encodable, Sendable {
        public var distanceComputations: Int
        /// HNSW: the scan's `tuples` (what `hnsw.max_scan_tuples` bounds), layer-0 searches and elements in the
        /// first search's answer (at most ef_search).
        public var tuples: Int?
        public var rounds: Int?
        public var candidates: Int?
        /// IVFFlat: lists probed, entries scored, sorted batches.
        public var listsProbed: Int?
        public var scanned: Int?
        public var batches: Int?
    }

    public struct Check: Encodable, Sendable {
        /// "same" (rows, order and distances equal the server's), "different", or "not checked".
        public var server: String
        public var detail: String?
    }

    public var query: TraceOutput.QueryInfo
    public var engine = "pgvector"
    public var index: String
    public var accessMethod: String
    public var opclass: String
    public var `operator`: String
    public var settings: [String: String]
    public var filter: String?
    public var kernels: String
    public var results: [Result]
    public var executor: Executor
    public var counts: Counts
    public var check: Check
}

public enum PGVectorTraceJob {
    /// Traces every query of `request` and writes each (text, or one JSON object per line) through `emit`.
    /// - Throws: `FederIndexError` (connection, catalogue, pages), `FederSearchError` (settings, query), `ReportError`
    ///   (query files); nothing is written for a query that fails.
    public static func run(_ request: PGVectorTraceRequest, emit: (String) -> Void, warn: (String) -> Void) throws {
        let database = request.database
        let settings = try PGVectorSettings(database.settings)
        let source = try PGVectorSource(connectionString: database.connection, index: database.index, idColumn: database.idColumn)
        for note in source.notes where note.hasPrefix("CHECKPOINT") { warn(note) }
        let pages = try source.readPages(dataDirectory: database.dataDirectory)
        let rowIDs = try source.rowIDs()
        let passing = try database.predicate.map { try source.rowsPassing($0) }
        let description = source.description
        let dimensions: Int
        switch pages {
        case .hnsw(let index): dimensions = index.dimensions
        case .ivfflat(let index): dimensions = index.dimensions
        }
        for query in try queries(request.query, source: source, dimensions: dimensions) {
            let (trace, answer) = try PGVectorTracer.traceAndAsk(
                source: source, pages: pages, query: query.vector, k: request.k, settings: settings, rowIDs: rowIDs,
                predicate: database.predicate, passing: passing, record: false)
            let check = compare(trace, answer)
            if check.server == "different" { warn("\(query.source): \(check.detail ?? "")") }
            let output = PGVectorTraceOutput(
                query: .init(source: query.source, row: query.row, id: query.id.map { .signed($0) }), index: description.index,
                accessMethod: description.accessMethod, opclass: description.opclass.description, operator: description.opclass.op.rawValue,
                settings: Dictionary(uniqueKeysWithValues: settings.serverPairs.filter { relevant($0.0, description.accessMethod) }),
                filter: database.predicate, kernels: PGVectorDistance.kernels,
                results: trace.rows.map { .init(id: $0.id, distance: $0.distance) },
                executor: .init(
                    pulled: trace.pulled.count, returned: trace.count(.returned), filtered: trace.count(.filtered),
                    dead: trace.count(.dead),
                    outOfOrder: trace.hnsw?.droppedOutOfOrder ?? 0, stop: trace.stop),
                counts: counts(trace), check: check)
            emit(request.json ? try JSONOutput.encode(output) : text(output, description: description, k: request.k))
        }
    }

    static func relevant(_ name: String, _ method: String) -> Bool {
        name.hasPrefix(method + ".") || (!name.hasPrefix("hnsw.") && !name.hasPrefix("ivfflat."))
    }

    static func counts(_ trace: PGVectorScanTrace) -> PGVectorTraceOutput.Counts {
        if let hnsw = trace.hnsw {
            return .init(
                distanceComputations: hnsw.distanceComputations, tuples: hnsw.tuples, rounds: hnsw.rounds, candidates: hnsw.firstCandidates)
        }
        let ivf = trace.ivfflat
        return .init(
            distanceComputations: (ivf?.entriesScored ?? 0) + (ivf?.centerDistances.count ?? 0), listsProbed: ivf?.listsProbed,
            scanned: ivf?.entriesScored, batches: ivf?.batches)
    }

    /// The traced rows against the server's: "same", or what differs.
    static func compare(_ trace: PGVectorScanTrace, _ answer: (rows: [PGVectorSource.ServerRow]?, plan: String))
        -> PGVectorTraceOutput.Check
    {
        guard let problem = PGVectorTracer.disagreement(trace, answer) else { return .init(server: "same", detail: nil) }
        return .init(server: answer.rows == nil ? "not checked" : "different", detail: problem)
    }

    static func queries(_ source: JobSpec.QuerySource, source database: PGVectorSource, dimensions: Int) throws -> [ResolvedQuery] {
        func stored(_ id: Int64) throws -> ResolvedQuery {
            guard let vector = try database.value(ofID: id) else {
                throw ReportError.query(.unknownID(label: .signed(id), index: database.description.index, deleted: false))
            }
            return ResolvedQuery(source: "id \(id)", id: id, vector: vector)
        }
        var queries: [ResolvedQuery]
        switch source {
        case .id(let id): queries = [try stored(id)]
        case .ids(let ids): queries = try ids.map(stored)
        case .inline(let rows):
            queries = rows.enumerated().map {
                ResolvedQuery(
                    source: rows.count > 1 ? "vector row \($0.offset)" : "vector", row: rows.count > 1 ? $0.offset : nil, vector: $0.element
                )
            }
        case .file(let path, let row, let dataset):
            let table = try QueryResolver().table(path, dataset: dataset)
            if let row {
                guard row >= 0, row < table.count else { throw ReportError.query(.rowOutOfRange(row: row, rows: table.count, file: path)) }
                queries = [ResolvedQuery(source: "\(path) row \(row)", row: row, vector: table.row(row))]
            } else {
                queries = (0..<table.count).map { ResolvedQuery(source: "\(path) row \($0)", row: $0, vector: table.row($0)) }
            }
        }
        for query in queries where query.vector.count != dimensions {
            throw ReportError.query(
                .dimensionMismatch(query: query.source, dim: query.vector.count, index: database.description.index, indexDim: dimensions))
        }
        return queries
    }

    /// The text form of one traced query.
    static func text(_ output: PGVectorTraceOutput, description: PGVectorSource.Description, k: Int) -> String {
        var lines: [String] = []
        let settings = output.settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        lines.append("query: \(output.query.source)")
        lines.append(
            "index: \(output.index) on \(description.table) (\(output.accessMethod), \(output.opclass), \(output.operator) \(description.opclass.op.distanceName); \(description.options.joined(separator: ", ")))"
        )
        lines.append("settings: \(settings)" + (output.filter.map { "; filter: \($0)" } ?? ""))
        let e = output.executor
        var scan = "scan: \(e.pulled) tuples from the index: \(e.returned) returned"
        if e.filtered > 0 || output.filter != nil { scan += ", \(e.filtered) failed the filter" }
        if e.dead > 0 { scan += ", \(e.dead) dead rows" }
        if e.outOfOrder > 0 { scan += ", \(e.outOfOrder) skipped out of order" }
        scan += "; stopped: \(e.stop)"
        lines.append(scan)
        let c = output.counts
        if let tuples = c.tuples, let rounds = c.rounds {
            lines.append(
                "work: \(c.distanceComputations) distances computed, \(tuples) tuples, \(rounds) layer-0 search\(rounds == 1 ? "" : "es")")
        } else {
            lines.append(
                "work: \(c.listsProbed ?? 0) lists probed, \(c.scanned ?? 0) entries scored, \(c.distanceComputations) distances computed")
        }
        lines.append("results: \(output.results.count) of k = \(k)")
        for (rank, row) in output.results.enumerated() {
            lines.append("  \(rank + 1). id \(row.id)  \(output.operator) \(row.distance)")
        }
        lines.append(
            "check: \(output.check.server == "same" ? "the server returns the same rows, order and distances" : "\(output.check.server): \(output.check.detail ?? "")")"
        )
        return lines.joined(separator: "\n") + "\n"
    }
}
