extension HNSWLibIndex {
    /// The index as the pipeline sees it: hnswlib reports 1 − dot for `ip` and `cosine` (the vectors normalised on
    /// insertion for cosine), squared L2 for `l2`; labels are unsigned.
    public var model: IndexModel {
        IndexModel(
            engine: "hnswlib", type: "hnswlib", dim: dim, count: count, metric: space, distance: distanceConvention,
            labels: .unsigned,
            storesVectors: true, structures: [.layeredGraph], parameters: [.ef], typeName: "HierarchicalNSW")
    }

    /// The distance hnswlib reports for the space (what a search asks per query, without building the whole model).
    public var distanceConvention: DistanceConvention {
        switch space {
        case .innerProduct: return DistanceConvention(.oneMinusInnerProduct)
        case .cosine: return DistanceConvention(.oneMinusCosine)
        default: return DistanceConvention(.squaredL2)
        }
    }
}
