import FederIndex
import FederSearch

/// An IVF index of float vectors measured at every nprobe from one coarse ranking per query: the lists a
/// search at nprobe p scans are the first p of the coarse order, and with no tie at the k-th exact distance
/// the results hold exactly the exact neighbours in those lists. So recall@k, vectors scanned and distance
/// computations follow for every p without scanning again. Where a query has a tie (at the k-th exact
/// distance, or between the p-th and (p+1)-th centroid distances) the point is not exact this way and the
/// sweep traces it instead.
struct IVFCurve {
    /// One query at one nprobe: recall (every hit counted as the report counts it), distance computations (the
    /// scanned vectors and the nlist centroid distances) and vectors visited.
    typealias Point = (recall: Double, distanceComputations: Int, visited: Int)

    /// The nprobe values asked for, and per query the point at each (nil where a tie makes the coarse order alone
    /// not enough). Only these are kept: a whole coarse order per query is nlist numbers, 32 MB for 1,000 queries at
    /// 4,096 lists.
    let values: [Int]
    let points: [[Point?]]

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

    /// Ranks the lists for every query by tracing it at nprobe 1 (the library's coarse distances), places every
    /// exact neighbour and works out each point of `values`; nil when the index is not plain IVF over float vectors
    /// or truth is missing. Queries are ranked 256 at a time, so their coarse distances are never all held at once.
    static func build(
        index: IndexFile, queries: [ResolvedQuery], exactPlusOne: [[Neighbor]], k: Int, request: SearchRequest, values: [Int]
    ) throws -> IVFCurve? {
        guard let (ivf, labels) = ivf(of: index), exactPlusOne.count == queries.count else { return nil }
        var coarseRequest = request
        coarseRequest.nprobe = 1
        // The list of every exact neighbour (only those labels: a table of all of them would be the index's size).
        let wanted = Set(exactPlusOne.flatMap { $0.prefix(k).map(\.id) })
        var listOf: [Int64: Int] = [:]
        listOf.reserveCapacity(wanted.count)
        for (list, inverted) in ivf.invertedLists.lists.enumerated() {
            for offset in 0..<inverted.size {
                let id = inverted.ids[offset]
                let label = labels.map { id >= 0 && id < Int64($0.count) ? $0[Int(id)] : id } ?? id
                if wanted.contains(label) { listOf[label] = list }
            }
        }
        let sizes = ivf.invertedLists.sizes
        let nlist = ivf.nlist
        var points: [[Point?]] = []
        points.reserveCapacity(queries.count)
        var rankOf = [Int](repeating: 0, count: nlist)
        for chunk in stride(from: 0, to: queries.count, by: 256) {
            let end = min(chunk + 256, queries.count)
            let traces = try TraceLoop.run(
                index: index, queries: Array(queries[chunk..<end]), request: coarseRequest, exact: nil, explain: false
            ) { _ in .summary }
            for (offset, trace) in traces.map(\.trace).enumerated() {
                let truth = exactPlusOne[chunk + offset]
                guard let coarse = trace.ivf, coarse.probes.count == 1, let order = Explanations.coarseOrder(coarse, of: ivf) else {
                    return nil
                }
                for (position, list) in order.enumerated() { rankOf[list] = position + 1 }
                let ranks = truth.prefix(k).map { listOf[$0.id].map { rankOf[$0] } }
                let tied = truth.count > k && truth[k].distance == truth[k - 1].distance
                points.append(
                    values.map { value -> Point? in
                        let probes = min(max(value, 1), nlist)
                        if tied { return nil }
                        if probes < nlist, probes > 1,
                            coarse.centroidDistances[order[probes - 1]] == coarse.centroidDistances[order[probes]]
                        {
                            return nil
                        }
                        guard !ranks.contains(where: { $0 == nil }) else { return nil }
                        let hits = ranks.count { ($0 ?? Int.max) <= probes }
                        let scanned = order.prefix(probes).reduce(0) { $0 + sizes[$1] }
                        return (Double(hits) / Double(max(min(k, ranks.count), 1)), scanned + nlist, scanned)
                    })
            }
        }
        return IVFCurve(values: values, points: points)
    }

    /// Query `query` at nprobe `value` (one of `values`); nil where a tie makes the coarse order alone not enough.
    func point(query: Int, nprobe value: Int) -> Point? {
        guard let slot = values.firstIndex(of: value), query < points.count else { return nil }
        return points[query][slot]
    }
}
