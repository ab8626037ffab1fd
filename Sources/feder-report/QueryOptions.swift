import ArgumentParser
import FederIndex
import FederSearch
import Foundation

/// How a query is given and searched: shared by `trace` and `view`.
struct QueryOptions: ParsableArguments {
    @Option(help: "Search with the stored vector of this id (label).")
    var id: Int64?

    @Option(help: "Search with the stored vectors of these ids, comma-separated.")
    var ids: String?

    @Option(help: "Query vectors: .npy (float32/float64), .fvecs or .json.")
    var vector: String?

    @Option(help: "With --vector: the row to use (0-based). Without it every row is used.")
    var row: Int?

    @Option(name: .customLong("vector-json"), help: "An inline JSON query vector, e.g. '[0.1, 0.2]'.")
    var vectorJSON: String?

    @Option(help: "Number of results (default 10).")
    var k: Int = 10

    @Option(help: "IVF lists to probe (default: the nprobe saved in the file).")
    var nprobe: Int?

    @Option(help: "HNSW search breadth: faiss efSearch (default: saved in the file), hnswlib ef (default 10).")
    var ef: Int?

    @Option(help: "The hnswlib space: l2, ip or cosine (hnswlib files do not record it).")
    var space: SpaceOption = .l2

    var request: SearchRequest { SearchRequest(k: k, nprobe: nprobe, ef: ef) }

    func validate(allowMany: Bool) throws {
        let sources = [id != nil, ids != nil, vector != nil, vectorJSON != nil].filter { $0 }.count
        guard sources == 1 else {
            throw ValidationError("Please give exactly one query: --id, --ids, --vector or --vector-json.")
        }
        if !allowMany, ids != nil { throw ValidationError("--ids traces several queries; give one with --id.") }
        if row != nil, vector == nil { throw ValidationError("--row goes with --vector.") }
        if k < 1 { throw ValidationError("--k must be at least 1 (got \(k)).") }
        if let nprobe, nprobe < 1 { throw ValidationError("--nprobe must be at least 1 (got \(nprobe)).") }
        if let ef, ef < 1 { throw ValidationError("--ef must be at least 1 (got \(ef)).") }
    }

    /// The query vectors, each with a description of where it came from.
    func resolve(_ index: IndexFile) throws -> [TraceQuery] {
        if let id {
            return [try storedQuery(index, label: id)]
        }
        if let ids {
            let labels = try ids.split(separator: ",").map { part -> Int64 in
                guard let value = Int64(part.trimmingCharacters(in: .whitespaces)) else {
                    throw TraceCommandError.badIDList(String(part))
                }
                return value
            }
            guard !labels.isEmpty else { throw TraceCommandError.badIDList(ids) }
            return try labels.map { try storedQuery(index, label: $0) }
        }
        let table: VectorTable
        let name: String
        if let vectorJSON {
            table = try VectorFile.parseJSON(Data(vectorJSON.utf8), name: "--vector-json")
            name = "--vector-json"
        } else if let vector {
            table = try VectorFile.read(path: vector)
            name = vector
        } else {
            return []
        }
        if let row {
            guard row >= 0, row < table.count else {
                throw TraceCommandError.rowOutOfRange(row: row, rows: table.count, file: name)
            }
            return [TraceQuery(source: "\(name) row \(row)", row: row, id: nil, vector: table.row(row))]
        }
        return (0..<table.count).map {
            TraceQuery(source: table.count == 1 ? name : "\(name) row \($0)", row: $0, id: nil, vector: table.row($0))
        }
    }

    private func storedQuery(_ index: IndexFile, label: Int64) throws -> TraceQuery {
        guard let vector = index.storedVector(label: label) else { throw FederSearchError.unknownID(label) }
        return TraceQuery(source: "id \(label)", row: nil, id: label, vector: vector)
    }
}
