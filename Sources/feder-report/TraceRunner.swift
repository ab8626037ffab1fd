import FederIndex
import FederReport
import FederSearch
import Foundation

/// One query to trace and where it came from.
struct TraceQuery: Sendable {
    var source: String
    var row: Int?
    var id: Int64?
    var vector: [Float]
}

/// What `trace --json` prints for one query.
struct TraceOutput: Encodable, Sendable {
    struct QueryInfo: Encodable, Sendable {
        var source: String
        var row: Int?
        var id: Int64?
    }

    var query: QueryInfo
    var kind: String
    var metric: String
    var parameters: SearchParameters
    var results: [Neighbor]
    var counts: SearchCounts
    var recall: Double?
    var rankOfTrueNearest: Int?
    var exact: [Neighbor]?
    var ivf: IVFTrace?
    var hnsw: HNSWTrace?
    var nodeLabels: [Int: Int64]?
    var warnings: [String]

    init(query: TraceQuery, trace: SearchTrace, warnings: [String]) {
        self.query = QueryInfo(source: query.source, row: query.row, id: query.id)
        kind = trace.kind
        metric = trace.metric
        parameters = trace.parameters
        results = trace.results
        counts = trace.counts
        recall = trace.measures?.recall
        rankOfTrueNearest = trace.measures?.rankOfTrueNearest
        exact = trace.measures?.exact
        ivf = trace.ivf
        hnsw = trace.hnsw
        nodeLabels = trace.nodeLabels
        self.warnings = warnings
    }
}

/// Traces many queries across cores, keeping their order.
enum TraceRunner {
    static func run(index: IndexFile, queries: [TraceQuery], request: SearchRequest, measure: Bool) throws -> [TraceOutput] {
        let outcomes = Slots<Result<TraceOutput, Error>>(count: queries.count)
        DispatchQueue.concurrentPerform(iterations: queries.count) { position in
            let query = queries[position]
            outcomes[position] = Result {
                var (trace, warnings) = try Searcher.trace(index, query: query.vector, request: request, source: query.source)
                if measure { Measures.measure(&trace, index: index, query: query.vector) }
                return TraceOutput(query: query, trace: trace, warnings: warnings)
            }
        }
        return try outcomes.values.map { outcome in
            guard let outcome else { throw FederSearchError.unsupported("a query produced no result") }
            return try outcome.get()
        }
    }
}
