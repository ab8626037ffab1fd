import FederIndex
import Foundation

/// One query vector ready to trace, and where it came from.
public struct ResolvedQuery: Sendable, Equatable {
    /// How messages and pages name it: `id 40`, `q.npy row 3`.
    public var source: String
    /// The row of a vector file, when it came from one.
    public var row: Int?
    /// The label whose stored vector it is, for an id query.
    public var id: Int64?
    public var vector: [Float]

    public init(source: String, row: Int? = nil, id: Int64? = nil, vector: [Float]) {
        self.source = source
        self.row = row
        self.id = id
        self.vector = vector
    }
}

/// Turns a query source (an id, ids, a vector file or row, inline vectors) into vectors for one index: the one
/// query resolution that `trace`, `view` and job specs share.
///
/// Vector files are read once and kept, so every side and sweep of a job that names the same file shares it.
public final class QueryResolver: Sendable {
    private let tables = LockedCache<String, VectorTable>()

    public init() {}

    /// The vectors of `source` in `index` (called `indexName` in messages), checked against its dimension.
    /// - Parameter name: how the query set is named in sources (`q.npy`, the spec's query name).
    /// - Throws: `ReportError.query`, or `FederIndexError` when a vector file cannot be read.
    /// - Parameter base: the vectors that were added, when given: id queries on an index that keeps only codes
    ///   read them there.
    public func resolve(
        _ source: JobSpec.QuerySource, name: String, in index: IndexFile, indexName: String, maxQueries: Int = 100_000,
        base: BaseVectors? = nil
    ) throws -> [ResolvedQuery] {
        var queries: [ResolvedQuery] = []
        switch source {
        case .id(let label):
            queries = [try stored(label, in: index, indexName: indexName, base: base)]
        case .ids(let labels):
            guard !labels.isEmpty else { throw ReportError.query(.emptySet(source: name)) }
            queries = try labels.map { try stored($0, in: index, indexName: indexName, base: base) }
        case .file(let path, let row, let dataset):
            let table = index.model.vectors == .packedBits ? try bits(path) : try self.table(path, dataset: dataset)
            guard table.count > 0 else { throw ReportError.query(.emptySet(source: path)) }
            guard table.dim > 0 else { throw ReportError.query(.zeroDimension(source: path)) }
            if let row {
                guard row >= 0, row < table.count else { throw ReportError.query(.rowOutOfRange(row: row, rows: table.count, file: path)) }
                queries = [ResolvedQuery(source: "\(name) row \(row)", row: row, vector: table.row(row))]
            } else {
                guard table.count <= maxQueries else {
                    throw ReportError.query(.tooManyQueries(source: path, rows: table.count, limit: maxQueries))
                }
                queries = (0..<table.count).map {
                    ResolvedQuery(source: table.count == 1 ? name : "\(name) row \($0)", row: $0, vector: table.row($0))
                }
            }
        case .inline(let rows):
            guard !rows.isEmpty else { throw ReportError.query(.emptySet(source: name)) }
            guard rows.allSatisfy({ !$0.isEmpty }) else { throw ReportError.query(.zeroDimension(source: name)) }
            queries = rows.enumerated().map {
                ResolvedQuery(
                    source: rows.count > 1 ? "\(name) row \($0.offset)" : name, row: rows.count > 1 ? $0.offset : nil, vector: $0.element)
            }
        }
        for query in queries where query.vector.count != index.dim {
            throw ReportError.query(.dimensionMismatch(query: query.source, dim: query.vector.count, index: indexName, indexDim: index.dim))
        }
        return queries
    }

    /// A file of binary codes (uint8 `.npy`, `.bvecs`, `.u8bin`), each bit a float 0 or 1, read on first use.
    public func bits(_ path: String) throws -> VectorTable {
        try tables.value(for: "\(path)\u{0}bits") { try VectorFile.readPackedBits(path: path) }
    }

    /// A vector file (an HDF5 file's `dataset`, `test` when nil), read on first use.
    public func table(_ path: String, dataset: String? = nil) throws -> VectorTable {
        try tables.value(for: dataset.map { "\(path)\u{0}\($0)" } ?? path) { try VectorFile.read(path: path, dataset: dataset) }
    }

    private func stored(_ label: Int64, in index: IndexFile, indexName: String, base: BaseVectors?) throws -> ResolvedQuery {
        guard let vector = index.storedVector(label: label) ?? base.flatMap({ base in base.row(of: label).map { base.table.row($0) } })
        else {
            if case .faiss(let faiss) = index, !faiss.storesVectors {
                throw ReportError.query(.noStoredVectors(label: index.label(bits: label), index: indexName, code: faiss.code))
            }
            throw ReportError.query(.unknownID(label: index.label(bits: label), index: indexName, deleted: index.isDeletedLabel(label)))
        }
        return ResolvedQuery(source: "id \(index.label(bits: label))", id: label, vector: vector)
    }
}
