import FederIndex

/// The 2-D projections the views and `project` offer, all seeded and deterministic.
public enum ProjectionMethod: String, Sendable, CaseIterable, Codable {
    case pca, umap, tsne

    /// How the method is written in titles: PCA, UMAP, t-SNE.
    public var displayName: String {
        switch self {
        case .pca: return "PCA"
        case .umap: return "UMAP"
        case .tsne: return "t-SNE"
        }
    }

    /// Coordinates for every row of `table` (fitted on the rows themselves). Non-finite values are read as 0
    /// so one bad row cannot turn every coordinate into NaN.
    public func embed(_ input: VectorTable, seed: UInt64 = 1) -> [SIMD2<Double>] {
        let table = Self.finite(input)
        switch self {
        case .pca:
            let rows = (0..<table.count).map { table.row($0) }
            let pca = PCA.fit(rows, components: 2, seed: seed)
            return rows.map { pca.project($0) }
        case .umap:
            var umap = UMAP()
            umap.seed = seed
            return umap.embed(table)
        case .tsne:
            var tsne = TSNE()
            tsne.seed = seed
            return tsne.embed(table)
        }
    }
}

extension ProjectionMethod {
    /// `table` itself when every value is finite, else a copy with NaN and infinities replaced by 0.
    static func finite(_ table: VectorTable) -> VectorTable {
        guard !table.nonFiniteRows(limit: 1).isEmpty else { return table }
        var values: [Float] = []
        values.reserveCapacity(table.count * table.dim)
        for row in 0..<table.count { values += table.row(row).map { $0.isFinite ? $0 : 0 } }
        return VectorTable(name: table.file.path, rows: values, dim: table.dim)
    }
}
