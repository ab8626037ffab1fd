extension FaissIndex {
    /// The index as the pipeline sees it.
    public var model: IndexModel {
        let header = self.header
        return IndexModel(
            engine: "faiss", type: code, dim: header.dim, count: header.count, metric: header.metric,
            distance: Self.distance(of: header.metric),
            labels: .signed, storesVectors: groundTruthFromVectors, structures: structures,
            parameters: SearchParameter.allCases.filter(searchReads), typeName: Self.typeName(code: code))
    }

    /// faiss's distance for `metric`: similarity metrics (inner product) grow with similarity, every other shrinks.
    public static func distance(of metric: Metric) -> DistanceConvention {
        switch metric {
        case .l2: return DistanceConvention(.squaredL2)
        case .innerProduct: return DistanceConvention(.innerProduct, largerIsBetter: true)
        case .l1: return DistanceConvention(.l1)
        case .linf: return DistanceConvention(.linf)
        case .hamming: return DistanceConvention(.hamming)
        case .cosine, .other: return DistanceConvention(.other)
        }
    }

    /// Whether exact search over the stored vectors (behind a pre-transform, as it left them) is the truth.
    var groundTruthFromVectors: Bool {
        var inner = self
        while case .preTransform(let pre) = inner { inner = pre.inner }
        return inner.storesVectors
    }

    /// The structures a search goes through, outermost first (an id map adds none).
    var structures: [StructureFamily] {
        switch self {
        case .flat: return [.flat]
        case .ivf(let ivf):
            if case .flat = ivf.encoding { return [.partition] }
            return [.partition, .codes]
        case .hnsw(let hnsw): return hnsw.flatStorage == nil ? [.layeredGraph, .codes] : [.layeredGraph]
        case .idMap(let map): return map.inner.structures
        case .pq, .scalarQuantizer, .pqFastScan: return [.flat, .codes]
        case .refine(let refine): return [.refine] + refine.base.structures
        case .preTransform(let pre): return [.transform] + pre.inner.structures
        }
    }

    /// Whether the search of this index reads `parameter` (an IVF's HNSW quantizer keeps its own efSearch).
    func searchReads(_ parameter: SearchParameter) -> Bool {
        switch self {
        // An HNSW quantizer's search reads ef (faiss's efSearch), the lists' nprobe.
        case .ivf(let ivf): return parameter == .nprobe || ivf.quantizer.searchReads(parameter)
        case .hnsw: return parameter == .ef
        case .idMap(let map): return map.inner.searchReads(parameter)
        case .refine(let refine): return refine.base.searchReads(parameter)
        case .preTransform(let pre): return pre.inner.searchReads(parameter)
        case .flat, .pq, .scalarQuantizer, .pqFastScan: return false
        }
    }
}
