import FederProjection
import FederSearch
import Foundation

/// The HNSW views: every level as a stacked plane, and the search's descent drawn against distance.
public enum HNSWViews {
    public struct Input: Sendable {
        public var graph: HNSWGraphView
        public var trace: SearchTrace
        public var query: [Float]
        public var seed: UInt64
        /// A distance range shared with another panel (both sides of a comparison on one axis).
        public var axis: ClosedRange<Double>?
        /// Where that shared axis turns logarithmic (the larger of both sides' `knee(in:)`); nil: this search's own.
        public var knee: Double?
        /// Where that shared axis starts (the one nearer the query of both sides' `start(in:)`); nil: its own.
        public var start: Double?
        /// How the overview places nodes.
        public var projection: ProjectionMethod = .pca

        public init(graph: HNSWGraphView, trace: SearchTrace, query: [Float], seed: UInt64, axis: ClosedRange<Double>? = nil) {
            self.graph = graph
            self.trace = trace
            self.query = query
            self.seed = seed
            self.axis = axis
        }

        /// The range of every distance this search scored (for sharing an axis).
        public var distanceRange: ClosedRange<Double>? { HNSWViews.distanceRange(trace) }

        /// The distances of the results and of the missed exact neighbours: what the axis must show well.
        var wanted: [Double] {
            (trace.results.filter { $0.internalID >= 0 }.map { Double($0.distance) }
                + (trace.measures?.misses ?? []).map { Double($0.approximateDistance ?? $0.distance) })
                .filter { $0.isFinite && abs($0) < 1e37 }
        }

        /// Where this search's axis over `range` starts: at the query (0) when the nearest node scored is close to it
        /// compared with how far the results spread, otherwise just before that nearest node, so that
        /// high-dimensional distances, all far from 0, do not squeeze the beam into a sliver. Inner products
        /// (larger is better) start at the best value scored.
        public func start(in range: ClosedRange<Double>) -> Double {
            if largerIsBetter { return range.upperBound }
            let low = range.lowerBound
            guard low > 0, let far = wanted.max(), far > low, low > 0.5 * (far - low) else { return min(0, low) }
            return low - 0.05 * (far - low)
        }

        /// Where this search's axis over `range` turns logarithmic: 1.5 × the farthest result or missed exact
        /// neighbour from the query end, so everything the search returned or should have stays on the linear part.
        public func knee(in range: ClosedRange<Double>) -> Double? {
            let best = start ?? start(in: range)
            guard let far = wanted.map({ abs($0 - best) }).max(), far > 0 else { return nil }
            return 1.5 * far
        }

        var largerIsBetter: Bool { trace.distance.largerIsBetter }
        var distanceName: String { ViewKit.distanceName(of: trace) }
    }

    // MARK: shared by the overview and the search

    /// Every distance the search computed, by node (the last computed where one was scored twice, as the views
    /// place it).
    static func scoredDistances(_ hnsw: HNSWTrace) -> [Int: Float] {
        var distance: [Int: Float] = [hnsw.entryPoint: hnsw.entryDistance]
        for level in hnsw.upperLevels { for pass in level.passes { for edge in pass { distance[edge.to] = edge.distance } } }
        for step in hnsw.level0.steps {
            distance[step.node] = step.distance
            for event in step.neighbors { if let d = event.distance { distance[event.id] = d } }
        }
        return distance
    }

    /// Per level, each node the search scored there and the node whose neighbours it was first scored from: an
    /// upper level's greedy passes, layer 0's expansions in pop order. The node a level was entered at has none.
    public static func parents(_ hnsw: HNSWTrace) -> [Int: [Int: Int]] {
        var parents: [Int: [Int: Int]] = [:]
        for upper in hnsw.upperLevels {
            var level: [Int: Int] = [:]
            let entered = upper.path.first
            for pass in upper.passes {
                for edge in pass where edge.to != entered && level[edge.to] == nil { level[edge.to] = edge.from }
            }
            parents[upper.level] = level
        }
        var level0: [Int: Int] = [:]
        for step in hnsw.level0.steps {
            for event in step.neighbors where event.distance != nil && event.id != hnsw.level0.entry && level0[event.id] == nil {
                level0[event.id] = step.node
            }
        }
        parents[0] = level0
        return parents
    }
}
