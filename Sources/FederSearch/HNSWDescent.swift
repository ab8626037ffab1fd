/// The upper-level descent of an HNSW search: no search parameter changes it, so a search of the same query on the
/// same graph at another ef or k (sweeps, the ef a query needed) starts layer 0 from where it ended instead of
/// descending again. Both faiss's and hnswlib's searches take one over.
public struct HNSWDescent: Sendable, Equatable {
    var entryPoint: Int
    var upper: [HNSWTrace.UpperLevel]
    /// Where layer 0 starts, and the distances at the entry point and at the end of the descent.
    var entry: Int
    var entryDistance: Float
    var exitDistance: Float
    /// Nodes whose distance the descent computed, in first-computed order (the entry point first).
    var computed: [Int]
    /// The descent's distance computations and greedy passes, counted as the library counts them: hnswlib counts the
    /// entry point's first distance, faiss's `hnsw_stats.ndis` does not.
    var distanceComputations: Int
    var hops: Int

    /// The descent of an HNSW trace that kept its upper levels (a faiss HNSW alone, in an id map, after a transform
    /// or as a refine index's base; an hnswlib or Voyager search), or nil for a slimmed trace or another kind.
    public init?(of trace: SearchTrace) {
        let countsEntry = trace.kind == .hnswlib || trace.kind == .voyager
        guard let hnsw = countsEntry ? trace.hnsw : trace.hnsw ?? trace.refine?.base.hnsw, let walk = hnsw.descentWalk else {
            return nil
        }
        entryPoint = hnsw.entryPoint
        upper = hnsw.upperLevels
        entry = hnsw.level0.entry
        entryDistance = hnsw.entryDistance
        exitDistance = hnsw.upperLevels.last?.exitDistance ?? hnsw.entryDistance
        (computed, distanceComputations, hops) = (walk.computed, walk.scored + (countsEntry ? 1 : 0), walk.passes)
    }
}
