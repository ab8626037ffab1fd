import FederIndex
import FederSearch

/// The vectors that were added to an index, given by the user (`--vectors FILE`, `"vectors"` on a spec's index
/// entry): row r is the vector with internal id r (under an IDMap, label `ids[r]`; otherwise label r). They
/// give the ground truth where the index keeps only codes, the true distances of the quantization views, and
/// `--id` queries on such indexes.
public struct BaseVectors: Sendable {
    public var path: String
    public var table: VectorTable
    /// Row → label, when the index maps ids (IndexIDMap).
    public var labels: MappedArray<Int64>?

    /// Reads `path` (`.npy`, `.fvecs`, `.json`) and checks it against `index`: as many rows as the index holds
    /// vectors, each of the dimension the index is searched with.
    /// - Throws: `FederIndexError` for an unreadable file, `ReportError.query(.baseVectorsMismatch)` when it does not fit.
    public static func load(path: String, for index: IndexFile, indexName: String) throws -> BaseVectors {
        let table = try VectorFile.read(path: path, dataset: "train")
        guard table.dim == index.dim, table.count == index.count else {
            throw ReportError.query(
                .baseVectorsMismatch(
                    file: path, rows: table.count, dim: table.dim, index: indexName, count: index.count, indexDim: index.dim))
        }
        var labels: MappedArray<Int64>?
        if case .faiss(let faiss) = index { labels = faiss.idMapLabels }
        return BaseVectors(path: path, table: table, labels: labels)
    }

    /// The label of row `row`.
    public func label(_ row: Int) -> Int64 { labels.map { $0[row] } ?? Int64(row) }

    /// The row holding `label`, nil when none does.
    public func row(of label: Int64) -> Int? {
        if let labels { return labels.firstIndex(of: label) }
        return label >= 0 && label < Int64(table.count) ? Int(label) : nil
    }

    /// Exact top-k of `query` over every row, by label, in faiss's order for the index's metric.
    /// - Throws: `FederSearchError` for a metric faiss's float kernels do not cover.
    public func exactNeighbors(query: [Float], metric: Metric, k: Int) throws -> [Neighbor] {
        try Measures.exactNeighbors(in: table, labels: labels, metric: metric, query: query, k: k)
    }
}

extension FaissIndex {
    /// An IDMap's labels, wherever the map sits (around the index, or inside a pre-transform or refine).
    var idMapLabels: MappedArray<Int64>? {
        switch self {
        case .idMap(let map): return map.ids
        case .preTransform(let pre): return pre.inner.idMapLabels
        case .refine(let refine): return refine.base.idMapLabels
        default: return nil
        }
    }
}
