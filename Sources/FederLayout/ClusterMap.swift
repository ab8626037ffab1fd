import FederIndex
import FederProjection
import Foundation
import Synchronization

/// The map of an IVF index's lists: one cell per list, area proportional to its size, placed by a 2-D PCA
/// projection of the centroids so that near centroids get near cells.
///
/// Construction: project the centroids, give each list a circle whose area is proportional to its size (empty
/// lists a small minimum), push the circles apart until none overlap (`CircleRelaxation`), then cut the unit
/// square into the power diagram of the circles (weights r²), so every cell touches its neighbours and cell
/// areas follow list sizes. Computed once per index; every query on the index uses the same map.
public struct ClusterMap: Sendable {
    /// Cell polygons in the unit square (0…1 on both axes), by list number.
    public var cells: [[Point]]
    /// Circle centres after relaxation (unit square), by list number.
    public var sites: [Point]
    public var sizes: [Int]
    let pca: PCA
    let low: Point
    let span: Double
    let method: ProjectionMethod
    /// Centroid rows and their projected positions (for placing a query without PCA's linear map).
    let centroidRows: [[Float]]
    let projected: [Point]

    /// - Complexity: O(nlist·d² + nlist²·iterations) for the projection and relaxation.
    public static func build(centroids: VectorTable, sizes: [Int], projection method: ProjectionMethod = .pca, seed: UInt64 = 1)
        -> ClusterMap
    {
        let rows = (0..<centroids.count).map { centroids.row($0) }
        let pca = PCA.fit(rows, components: 2)
        let projected = (method == .pca || rows.count < 4 ? rows.map { pca.project($0) } : method.embed(centroids, seed: seed))
            .map(Point.init)
        let xs = projected.map(\.x)
        let ys = projected.map(\.y)
        let low = Point(xs.min() ?? 0, ys.min() ?? 0)
        let span = max((xs.max() ?? 0) - low.x, (ys.max() ?? 0) - low.y, 1e-12)
        func unit(_ p: Point) -> Point {
            Point(0.08 + 0.84 * (p.x - low.x) / span, 0.08 + 0.84 * (p.y - low.y) / span)
        }
        let centers = projected.map(unit)
        // Past `cellLimit` lists a power diagram costs minutes and its cells are specks: the lists are drawn as
        // points at their projected centroids instead (`hasCells` false).
        guard sizes.count <= ClusterMap.cellLimit else {
            return ClusterMap(
                cells: Array(repeating: [], count: sizes.count), sites: centers, sizes: sizes, pca: pca, low: low, span: span,
                method: method,
                centroidRows: rows, projected: projected)
        }
        let total = Double(max(sizes.reduce(0, +), 1))
        let mean = total / Double(max(sizes.count, 1))
        let floorShare = 0.18 * mean
        let weighted = sizes.map { max(Double($0), floorShare) }
        let weightedTotal = weighted.reduce(0, +)
        let radii = weighted.map { (0.62 * $0 / (Double.pi * weightedTotal)).squareRoot() }
        let bounds = Rect(x: 0, y: 0, width: 1, height: 1)
        let relaxed = CircleRelaxation.relax(centers: centers, radii: radii, bounds: bounds, iterations: 240, padding: 0.002)
        var cells = PowerDiagram.cells(sites: relaxed, weights: radii.map { $0 * $0 }, bounds: bounds)
        // A cell on the map's edge has no neighbour beyond it and would stretch towards the square's border: it is cut to
        // a 24-gon around its circle (2.5 × its radius, 1.5 × on a map of many small cells, where the edge cells are
        // wedges between their neighbours), so its area still says its list's size.
        for list in cells.indices {
            let reach = (sizes.count > 256 ? 1.5 : 2.5) * radii[list]
            let site = relaxed[list]
            // Cells packed among neighbours end well inside the reach; only those with nothing beyond them reach out.
            guard cells[list].contains(where: { ($0.x - site.x) * ($0.x - site.x) + ($0.y - site.y) * ($0.y - site.y) > reach * reach })
            else { continue }
            for step in 0..<24 {
                let angle = Double(step) * Double.pi / 12
                let normal = Point(cos(angle), sin(angle))
                cells[list] = PowerDiagram.clip(cells[list]) { x in (x.x - site.x) * normal.x + (x.y - site.y) * normal.y - reach }
            }
            if cells[list].count < 3 { cells[list] = [] }
        }
        return ClusterMap(
            cells: cells, sites: relaxed, sizes: sizes, pca: pca, low: low, span: span, method: method, centroidRows: rows,
            projected: projected)
    }

    /// Where a vector falls on the map (unit square, clamped): PCA's own linear map, or for UMAP and t-SNE
    /// (which have no out-of-sample map here) the inverse-distance-weighted position of its 3 nearest centroids.
    public func place(_ vector: [Float]) -> Point {
        var p = Point(pca.project(vector))
        if method != .pca, !centroidRows.isEmpty {
            let nearest = centroidRows.enumerated().map { row -> (Double, Int) in
                (zip(row.element, vector).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }, row.offset)
            }.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }.prefix(3)
            let weights = nearest.map { 1 / ($0.0.squareRoot() + 1e-9) }
            let total = weights.reduce(0, +)
            p = zip(nearest, weights).reduce(Point(0, 0)) { $0 + projected[$1.0.1] * ($1.1 / total) }
        }
        let x = 0.08 + 0.84 * (p.x - low.x) / span
        let y = 0.08 + 0.84 * (p.y - low.y) / span
        return Point(min(max(x, 0.02), 0.98), min(max(y, 0.02), 0.98))
    }

    /// The most lists drawn as cells; larger indexes are drawn as points.
    public static let cellLimit = 4096

    /// Whether the lists are cells (else points at `sites`).
    public var hasCells: Bool { sizes.count <= Self.cellLimit }

    /// The largest square inside `rect`, centred: where the unit square is drawn.
    public static func square(in rect: Rect) -> Rect {
        let side = min(rect.width, rect.height)
        return Rect(x: rect.x + (rect.width - side) / 2, y: rect.y + (rect.height - side) / 2, width: side, height: side)
    }

    static func map(_ p: Point, into square: Rect) -> Point {
        Point(square.x + p.x * square.width, square.y + p.y * square.height)
    }
}

/// Cluster maps built once per index and projection and shared by every view and page that draws them
/// (building one runs a projection, a circle relaxation and a power diagram). Keys are the mapped file's
/// identity: the indexes drawn must stay alive as long as the cache (they do: reports hold them).
public final class ClusterMapCache: Sendable {
    private let maps = Mutex<[String: ClusterMap]>([:])

    public init() {}

    /// The map of `ivf`'s lists, or nil when its coarse quantizer is not a flat index.
    public func map(for ivf: FaissIVFIndex, projection: ProjectionMethod, seed: UInt64) -> ClusterMap? {
        guard let centroids = ivf.centroids else { return nil }
        let key = "\(ObjectIdentifier(centroids.file))#\(centroids.byteOffset)#\(projection.rawValue)#\(seed)"
        if let cached = maps.withLock({ $0[key] }) { return cached }
        let map = ClusterMap.build(centroids: centroids, sizes: ivf.invertedLists.sizes, projection: projection, seed: seed)
        return maps.withLock { maps in
            if let cached = maps[key] { return cached }
            maps[key] = map
            return map
        }
    }
}
