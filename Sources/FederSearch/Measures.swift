import FederIndex

/// How good a search's answer was, against exact search over the index's own vectors.
public struct SearchMeasures: Codable, Equatable, Sendable {
    /// The exact top-k (labels and distances in the library's convention).
    public var exact: [Neighbor]
    /// Results that are true top-k neighbours, divided by k. A result tied with the k-th true distance
    /// counts as correct (ties at the boundary make the exact set ambiguous).
    public var recall: Double
    /// 1-based position of the exact nearest neighbour in the results, nil when it was missed.
    public var rankOfTrueNearest: Int?
    /// Every exact top-k neighbour missing from the results (by id, ties included), with its reason.
    public var misses: [Miss]?
    /// The smallest parameter that would have found every exact top-k neighbour.
    public var needed: Needed?
}

/// Ground truth and comparison measures.
public enum Measures {
    /// Exact top-k over every stored vector of `index` (hnswlib's deleted elements excluded), by label, in
    /// the library's distance convention. Ties go to the smaller label for distances (L2, hnswlib spaces)
    /// and to the larger label for faiss inner products, as faiss orders them.
    /// - Complexity: O(n·d).
    ///
    /// A pre-transform index keeps its vectors transformed: the truth is then exact search over the inner
    /// index's vectors with the transformed query (what the transform itself loses is not measured).
    /// - Throws: `FederSearchError` for a metric faiss's kernels do not cover or a query the index's transform
    ///   chain cannot take (the search itself refuses both).
    public static func exactNeighbors(_ index: IndexFile, query rawQuery: [Float], k: Int) throws -> [Neighbor] {
        if case .faiss(.preTransform(let pre)) = index {
            let transformed = try VectorTransforms.transformed(rawQuery, by: pre.chain)
            return try exactNeighbors(.faiss(pre.inner), query: transformed, k: k)
        }
        guard let kernel = try ExactKernel(index) else {
            return index.traced?.exactNeighbors(queries: [rawQuery], ks: [k]).first?.first ?? []
        }
        return scan(index, kernel: kernel, query: rawQuery, k: k)
    }

    /// Exact top-k of `query` over every stored vector of `index` with `kernel` (the index's own).
    static func scan(_ index: IndexFile, kernel: ExactKernel, query rawQuery: [Float], k: Int) -> [Neighbor] {
        let query = kernel.prepare(rawQuery)
        var heap = FaissResultHeap(capacity: k, order: kernel.order)
        withQueryPointer(query) { q in
            index.forEachStoredVector { label, vector in heap.offer(kernel.distance(q, vector), id: label) }
        }
        return heap.sortedResults().filter { $0.id >= 0 }.map { Neighbor(id: $0.id, distance: $0.distance, internalID: -1) }
    }

    /// Exact top-k of `query` over every row of `table` (faiss's kernel for `metric`), labelled by `labels` (row
    /// numbers when nil), in faiss's order.
    /// - Throws: `FederSearchError` for a metric faiss's float kernels do not cover (Hamming, cosine, Lp, …).
    public static func exactNeighbors(
        in table: VectorTable, labels: MappedArray<Int64>?, metric: Metric, query: [Float], k: Int
    ) throws -> [Neighbor] {
        scan(table, labels: labels, kernel: try ExactKernel(faissMetric: metric, dim: table.dim), query: query, k: k)
    }

    /// Exact top-k of `query` over every row of `table` with `kernel`.
    static func scan(_ table: VectorTable, labels: MappedArray<Int64>?, kernel: ExactKernel, query: [Float], k: Int) -> [Neighbor] {
        var heap = FaissResultHeap(capacity: k, order: kernel.order)
        withQueryPointer(query) { q in
            for row in 0..<table.count {
                heap.offer(kernel.distance(q, table.rowPointer(row)), id: labels.map { $0[row] } ?? Int64(row))
            }
        }
        return heap.sortedResults().filter { $0.id >= 0 }.map { Neighbor(id: $0.id, distance: $0.distance, internalID: -1) }
    }

    /// Recall@k and the rank of the true nearest neighbour for `results` against `exact`.
    /// - Parameter comparableDistances: whether the results carry distances of the same kind as `exact` (false for
    ///   codes' approximations): only then does a result tied with the k-th true distance count as found.
    public static func compare(
        results: [Neighbor], exact: [Neighbor], k: Int, largerIsBetter: Bool, comparableDistances: Bool = true
    ) -> SearchMeasures {
        let truth = Set(exact.prefix(k).map(\.id))
        let boundary = comparableDistances ? exact.prefix(k).last?.distance : nil
        var hits = 0
        for result in results.prefix(k) where result.id >= 0 {
            if truth.contains(result.id) {
                hits += 1
            } else if let boundary, exact.count >= k,
                largerIsBetter ? result.distance >= boundary : result.distance <= boundary
            {
                hits += 1
            }
        }
        let rank = exact.first.flatMap { nearest in results.firstIndex { $0.id == nearest.id } }.map { $0 + 1 }
        return SearchMeasures(
            exact: Array(exact.prefix(k)), recall: Double(hits) / Double(max(min(k, exact.count), 1)),
            rankOfTrueNearest: rank)
    }

    /// Fills `trace.measures` with exact search over `index`.
    /// - Throws: `FederSearchError` as `exactNeighbors(_:query:k:)` does.
    public static func measure(_ trace: inout SearchTrace, index: IndexFile, query: [Float]) throws {
        let k = trace.parameters.k
        let exact = try exactNeighbors(index, query: query, k: k)
        let largerIsBetter = index.model.distance.largerIsBetter
        trace.measures = compare(results: trace.results, exact: exact, k: k, largerIsBetter: largerIsBetter)
    }

    /// |A ∩ B| / |A ∪ B| of two result lists' labels (padding ignored); 1 when both are empty.
    public static func jaccard(_ a: [Neighbor], _ b: [Neighbor]) -> Double {
        let left = Set(a.map(\.id).filter { $0 >= 0 })
        let right = Set(b.map(\.id).filter { $0 >= 0 })
        let union = left.union(right).count
        return union == 0 ? 1 : Double(left.intersection(right).count) / Double(union)
    }
}
