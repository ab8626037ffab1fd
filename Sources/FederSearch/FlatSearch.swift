import FederIndex

/// Exact search over a flat index, as faiss `IndexFlat::search` runs it for one query: every row scored in
/// ascending order and offered to the k-heap (strict gate, ties kept by the earlier row).
///
/// Also the ground truth for every other index: `exactNeighbors` scores an index's own stored vectors.
/// - Complexity: O(n·d + n·log k).
public enum FlatSearch {
    public static func trace(_ index: FaissFlatIndex, kernel: FaissKernel, query: [Float], k: Int) -> SearchTrace {
        let results = scan(index.vectors, query: query, k: k, kernel: kernel)
        var counts = SearchCounts(distanceComputations: index.vectors.count, visited: index.vectors.count)
        counts.scanned = index.vectors.count
        return SearchTrace(
            kind: .flat, metric: index.header.metric.name, parameters: SearchParameters(k: k),
            results: results.map { Neighbor(id: $0.id, distance: $0.distance, internalID: Int($0.id)) },
            counts: counts)
    }

    /// The k best rows of `table` for `query` in faiss order (ids are row numbers; −1 pads). As faiss's
    /// `dispatch_knn_ResultHandler` chooses for one query: the k-heap below k = 100 (k = 1's top-1 handler keeps
    /// the same row), the reservoir from there on; L1 and L∞ always take the k-heap (`knn_extra_metrics`).
    public static func scan(
        _ table: VectorTable, query: [Float], k: Int, kernel: FaissKernel
    ) -> [(distance: Float, id: Int64)] {
        let dim = table.dim
        let order = kernel.order
        func score(_ body: (Float, Int64) -> Void) {
            withQueryPointer(query) { q in
                for row in 0..<table.count { body(kernel(q, table.rowPointer(row), dim: dim), Int64(row)) }
            }
        }
        if kernel.usesReservoir, k >= FaissReservoir.minimumK {
            var reservoir = FaissReservoir(k: k, order: order)
            score { reservoir.add($0, id: $1) }
            return reservoir.results()
        }
        var heap = FaissResultHeap(capacity: k, order: order)
        score { heap.offer($0, id: $1) }
        return heap.sortedResults()
    }
}
