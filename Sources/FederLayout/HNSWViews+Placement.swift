import FederIndex
import FederProjection
import Foundation

extension HNSWViews {
    /// Where the overview puts nodes, in the unit square: PCA fitted on upper-level nodes plus a sample of level 0
    /// (any node placed on demand), or UMAP / t-SNE fitted on at most 2,000 of them (top levels first), which alone
    /// get positions. The square spans the 1st to 99th percentile of the fitted nodes on each axis (the rest pinned
    /// to its edges), so a few far vectors do not squeeze every other node into a line.
    struct Placement {
        let graph: HNSWGraphView
        let pca: PCA?
        let fitted: [Int: Point]
        let low: Point
        let span: Point

        init(_ graph: HNSWGraphView, seed: UInt64, method: ProjectionMethod) {
            self.graph = graph
            var sample: [Int] = []
            let budget = 1500
            for node in 0..<graph.count
            where graph.level(node) > 0 || ViewKit.hashUnit(Int64(node), seed: seed) < Double(budget) / Double(max(graph.count, 1)) {
                sample.append(node)
            }
            var projected: [Int: Point] = [:]
            if method == .pca {
                let rows = sample.prefix(4000).map { node in
                    (0..<graph.dim).map { graph.vector(node).loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) }
                }
                let pca = PCA.fit(Array(rows), components: 2)
                for node in sample { projected[node] = Point(pca.project(pointer: graph.vector(node), dim: graph.dim)) }
                self.pca = pca
                fitted = [:]
            } else {
                let chosen = Array(
                    sample.sorted { graph.level($0) != graph.level($1) ? graph.level($0) > graph.level($1) : $0 < $1 }.prefix(2000))
                var values: [Float] = []
                for node in chosen {
                    values += (0..<graph.dim).map { graph.vector(node).loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) }
                }
                let points = method.embed(VectorTable(name: "nodes", rows: values, dim: graph.dim), seed: seed)
                for (node, point) in zip(chosen, points) { projected[node] = Point(point) }
                pca = nil
                fitted = projected
            }
            func percentile(_ values: [Double], _ share: Double) -> Double {
                let sorted = values.sorted()
                guard !sorted.isEmpty else { return 0 }
                return sorted[min(sorted.count - 1, Int(share * Double(sorted.count - 1)))]
            }
            let xs = projected.values.map(\.x)
            let ys = projected.values.map(\.y)
            let tail = projected.count >= 200 ? 0.01 : 0
            low = Point(percentile(xs, tail), percentile(ys, tail))
            span = Point(max(percentile(xs, 1 - tail) - low.x, 1e-12), max(percentile(ys, 1 - tail) - low.y, 1e-12))
        }

        /// The node's place in the unit square, nil where the projection did not fit it (UMAP, t-SNE).
        func position(_ node: Int) -> Point? {
            guard node >= 0, node < graph.count else { return nil }
            let raw: Point
            if let pca {
                raw = Point(pca.project(pointer: graph.vector(node), dim: graph.dim))
            } else if let point = fitted[node] {
                raw = point
            } else {
                return nil
            }
            return Point(min(1, max(0, (raw.x - low.x) / span.x)), min(1, max(0, (raw.y - low.y) / span.y)))
        }
    }
}
