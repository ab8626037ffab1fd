extension HNSWLibIndex {
    /// The index as the pipeline sees it: hnswlib reports 1 − dot for `ip` and `cosine` (the vectors normalised on
    /// insertion for cosine), squared L2 for `l2`; labels are unsigned.
    public var model: IndexModel {
        let unit: DistanceConvention.Unit
        switch space {
        case .innerProduct: unit = .oneMinusInnerProduct
        case .cosine: unit = .oneMinusCosine
        default: unit = .squaredL2
        }
        return IndexModel(
            engine: "hnswlib", type: "hnswlib", dim: dim, count: count, metric: space, distance: DistanceConvention(unit),
            labels: .unsigned,
            storesVectors: true, structures: [.layeredGraph], parameters: [.ef], typeName: "HierarchicalNSW")
    }
}
