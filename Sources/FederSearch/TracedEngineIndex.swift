import FederIndex

/// The search side of an index read through the engine door: its engine's folder in `FederSearch` conforms its
/// index type, and every stage that searches, measures or explains asks this instead of the engine's name.
public protocol TracedEngineIndex: EngineIndex {
    /// What computes its distances, as `inspect` and traces name it.
    var kernels: String { get }

    /// The engine's own search of `query`, traced: the results it returns (labels, order, distance bits) and the
    /// trace of the index's structure family. Warnings say what the search adjusted (a clamped parameter).
    func trace(query: [Float], request: SearchRequest, warnings: inout [String], reusing previous: SearchTrace?) throws
        -> SearchTrace

    /// The exact top-k of each query, for every k of `ks` (element i answers `ks[i]`), in the engine's distance and
    /// order: what recall is measured against.
    func exactNeighbors(queries: [[Float]], ks: [Int]) -> [[[Neighbor]]]

    /// The engine's distance from each query to each label listed for it (a ground-truth file's ids); nil for a label
    /// it does not store.
    func distances(queries: [[Float]], labels: [[Int64]]) -> [[Float?]]

    /// Why each of `misses` (every exact neighbour of `truth` the trace did not return, each first marked a tie) was
    /// missed, by the structure the search went through, and the parameter the query needed. Layered graphs are
    /// explained by the stages themselves (from `layeredGraph`); other structures by their engine.
    func explain(_ trace: SearchTrace, truth: [Neighbor], misses: inout [Miss]) -> Needed?
}

extension TracedEngineIndex {
    public func explain(_ trace: SearchTrace, truth: [Neighbor], misses: inout [Miss]) -> Needed? { nil }
}

extension IndexFile {
    /// The search side of a door engine's index; nil for the built-in engines (or an engine without one).
    public var traced: (any TracedEngineIndex)? {
        guard case .engine(let index) = self else { return nil }
        return index as? any TracedEngineIndex
    }
}
