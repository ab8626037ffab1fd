import FederIndex
import FederSearch

/// An IVF index of float vectors measured at every nprobe from one coarse ranking per query: the lists a
/// search at nprobe p scans are the first p of the coarse order, and with no tie at the k-th exact distance
/// the results hold exactly the exact neighbours in those lists. So recall@k, vectors scanned and distance
/// computations follow for every p without scanning again. Where a query has a tie (at the k-th exact
/// distance, or between the p-th and (p+1)-th centroid distances) the point is not exact this way and the
/// sweep traces it instead.
struct IVFCurve {
    let nlist: Int
    let sizes: [Int]
    /// Per query: the lists in coarse order, and the coarse rank of each exact neighbour's list (nil: unknown).
    let orders: [[Int]]
    let neighbourRanks: [[Int?]]
    /// Per query: whether the exact top-k is tied at its boundary (the (k+1)-th exact distance equals the k-th).
    let tiedTruth: [Bool]
    /// Per query: the coarse distances in coarse order (to see ties between the p-th and (p+1)-th list).
    let coarseDistances: [[Float]]
    let k: Int

    /// The index's IVF when its searches are plain IVF over float vectors with a flat quantizer (optionally in an
    /// IDMap): the only kind whose every nprobe follows from the coarse order.
    static func ivf(of index: IndexFile) -> (ivf: FaissIVFIndex, labels: MappedArray<Int64>?)? {
        guard case .faiss(let faiss) = index else { return nil }
        var labels: MappedArray<Int64>?
        var inner = faiss
        if case .idMap(let map) = faiss {
            labels = map.ids
            inner = map.inner
        }
        guard case .ivf(let ivf) = inner, case .flat = ivf.encoding, case .flat = ivf.quantizer, ivf.centroids != nil else { return nil }
        return (ivf, labels)
    }

    /// Ranks the lists for every query by tracing it at nprobe 1 (the library's coarse distances) and places
    /// every exact neighbour; nil when the index is not plain IVF over float vectors or truth is missing.
    static func build(
        index: IndexFile, queries: [ResolvedQuery], exactPlusOne: [[Neighbor]], k: Int, request: SearchRequest
    ) throws -> IVFCurve? {
        guard let (ivf, labels) = ivf(of: index), exactPlusOne.count == queries.count else { return nil }
        var coarseRequest = request
        coarseRequest.nprobe = 1
        let traces = try TraceLoop.run(index: index, queries: queries, request: coarseRequest, exact: nil, explain: false) { _ in .summary }
        // Where every vector sits, by label.
        var listOf: [Int64: Int] = [:]
        for (list, inverted) in ivf.invertedLists.lists.enumerated() {
            for offset in 0..<inverted.size {
                let id = inverted.ids[offset]
                let label = labels.map { id >= 0 && id < Int64($0.count) ? $0[Int(id)] : id } ?? id
                listOf[label] = list
            }
        }
        var orders: [[Int]] = []
        var ranks: [[Int?]] = []
        var distances: [[Float]] = []
        for (trace, truth) in zip(traces.map(\.trace), exactPlusOne) {
            guard let coarse = trace.ivf, coarse.probes.count == 1, let order = Explanations.coarseOrder(coarse, of: ivf) else {
                return nil
            }
            var rankOf = [Int](repeating: 0, count: ivf.nlist)
            for (position, list) in order.enumerated() { rankOf[list] = position + 1 }
            orders.append(order)
            distances.append(order.map { coarse.centroidDistances[$0] })
            ranks.append(truth.prefix(k).map { listOf[$0.id].map { rankOf[$0] } })
        }
        let tied = exactPlusOne.map { truth in truth.count > k && truth[k].distance == truth[k - 1].distance }
        return IVFCurve(
            nlist: ivf.nlist, sizes: ivf.invertedLists.sizes, orders: orders, neighbourRanks: ranks, tiedTruth: tied,
            coarseDistances: distances, k: k)
    }

    /// Query `query` at nprobe `value`: recall (every hit counted as the report counts it), distance computations
    /// (the scanned vectors and the nlist centroid distances) and vectors visited; nil where a tie makes the
    /// coarse order alone not enough.
    func point(query: Int, nprobe value: Int) -> (recall: Double, distanceComputations: Int, visited: Int)? {
        let probes = min(max(value, 1), nlist)
        let order = orders[query]
        if tiedTruth[query] { return nil }
        if probes < nlist, probes > 1, coarseDistances[query][probes - 1] == coarseDistances[query][probes] { return nil }
        let ranks = neighbourRanks[query]
        guard !ranks.contains(where: { $0 == nil }) else { return nil }
        let hits = ranks.count { ($0 ?? Int.max) <= probes }
        let scanned = order.prefix(probes).reduce(0) { $0 + sizes[$1] }
        return (Double(hits) / Double(max(min(k, ranks.count), 1)), scanned + nlist, scanned)
    }
}
