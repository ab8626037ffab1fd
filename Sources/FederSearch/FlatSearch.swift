import FederIndex

/// Exact search over a flat index, as faiss `IndexFlat::search` runs it for one query: every row scored in
/// ascending order and offered to the k-heap (strict gate, ties kept by the earlier row).
///
/// Also the ground truth for every other index: `exactNeighbors` scores an index's own stored vectors.
/// - Complexity: O(n·d + n·log k).
public enum FlatSearch {
    public static func trace(_ index: FaissFlatIndex, query: [Float], k: Int) -> SearchTrace {
        let order: FaissResultHeap.Order = index.header.metric == .innerProduct ? .keepLargest : .keepSmallest
        let results = scan(index.vectors, query: query, k: k, order: order)
        var counts = SearchCounts(distanceComputations: index.vectors.count, visited: index.vectors.count)
        counts.scanned = index.vectors.count
        return SearchTrace(
            kind: .flat, metric: index.header.metric.name, parameters: SearchParameters(k: k),
            results: results.map { Neighbor(id: $0.id, distance: $0.distance, internalID: Int($0.id)) },
            counts: counts)
    }

    /// The k best rows of `table` for `query` in faiss order (ids are row numbers; −1 pads).
    public static func scan(
        _ table: VectorTable, query: [Float], k: Int, order: FaissResultHeap.Order
    ) -> [(distance: Float, id: Int64)] {
        var heap = FaissResultHeap(capacity: k, order: order)
        let dim = table.dim
        withQueryPointer(query) { q in
            for row in 0..<table.count {
                let pointer = table.rowPointer(row)
                let distance =
                    order == .keepSmallest
                    ? Distances.l2Squared(q, pointer, dim: dim) : Distances.dot(q, pointer, dim: dim)
                heap.offer(distance, id: Int64(row))
            }
        }
        return heap.sortedResults()
    }
}
