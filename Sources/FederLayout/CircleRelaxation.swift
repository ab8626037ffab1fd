import FederProjection

/// Pushes overlapping circles apart while keeping them near where they started and inside a rectangle.
///
/// Each iteration first pulls every circle back towards its original centre (by a fraction that starts at
/// 5 % and falls linearly to 0 at 80 % of the iterations, so the last fifth only separates), then visits
/// the pairs in index order — every pair for up to 256 circles; beyond that, the pairs whose centres fall in
/// neighbouring cells of a grid (cells as wide as the largest rᵢ + rⱼ + padding) built at the start of the
/// iteration — and, when the centres are closer than rᵢ + rⱼ + padding, moves both apart along
/// the line between them by half the shortfall each (Gauss–Seidel: later pairs see the moves of earlier
/// ones). Coincident centres are separated along a direction hashed from the two indices. After every move a
/// centre is clamped to the bounds inset by its radius; on an axis where the circle is wider than the bounds
/// it is centred. The loop stops early once a separating pass moves nothing.
///
/// There is no randomness: the result depends only on the inputs. When the circles cannot all fit, the
/// result is the best effort after `iterations` passes.
///
/// - Complexity: O(iterations·n²) for up to 256 circles; O(iterations·n·c) beyond, c the circles per
///   neighbourhood of the grid.
public enum CircleRelaxation {
    /// Circles above which pairs come from a grid instead of every pair.
    static let gridFrom = 256

    /// The relaxed centres, one for each of `centers` (`radii` must have the same count).
    public static func relax(
        centers: [Point], radii: [Double], bounds: Rect, iterations: Int = 300, padding: Double = 1
    ) -> [Point] {
        precondition(centers.count == radii.count, "one radius per centre")
        let n = centers.count
        var positions = centers.indices.map { clamp(centers[$0], radius: radii[$0], to: bounds) }
        guard n > 0, iterations > 0 else { return positions }
        let pullEnd = Double(iterations) * 0.8
        for iteration in 0..<iterations {
            let pull = 0.05 * max(0, 1 - Double(iteration) / pullEnd)
            if pull > 0 {
                for i in 0..<n {
                    positions[i] = clamp(
                        positions[i] + (centers[i] - positions[i]) * pull, radius: radii[i], to: bounds)
                }
            }
            var moved = false
            func separate(_ i: Int, _ j: Int) {
                let need = radii[i] + radii[j] + padding
                let delta = positions[j] - positions[i]
                let squared = delta.x * delta.x + delta.y * delta.y
                guard squared < need * need else { return }
                let distance = squared.squareRoot()
                let direction = distance > 1e-9 * max(need, 1) ? delta * (1 / distance) : separation(i, j)
                let push = direction * ((need - distance) / 2)
                positions[i] = clamp(positions[i] - push, radius: radii[i], to: bounds)
                positions[j] = clamp(positions[j] + push, radius: radii[j], to: bounds)
                moved = true
            }
            if n > gridFrom {
                let partners = grid(positions, radii: radii, padding: padding)
                for i in 0..<n { for j in partners(i) { separate(i, j) } }
            } else {
                for i in 0..<n { for j in (i + 1)..<n { separate(i, j) } }
            }
            if !moved && pull == 0 { break }
        }
        return positions
    }

    /// For each circle, the later circles in its own and the eight neighbouring cells of a grid whose cells are as
    /// wide as the largest separation any pair needs (cell by cell, each cell's in index order).
    static func grid(_ positions: [Point], radii: [Double], padding: Double) -> (Int) -> [Int] {
        let cell = max(2 * (radii.max() ?? 0) + padding, 1e-9)
        func index(_ value: Double) -> Int {
            let scaled = (value / cell).rounded(.down)
            return scaled.isFinite ? Int(Swift.min(Swift.max(scaled, -1e9), 1e9)) : 0
        }
        let cells = positions.map { (index($0.x), index($0.y)) }
        var members: [Int64: [Int]] = [:]
        func key(_ x: Int, _ y: Int) -> Int64 { Int64(x) &* 2_000_000_011 &+ Int64(y) }
        for (index, position) in cells.enumerated() { members[key(position.0, position.1), default: []].append(index) }
        return { i in
            var found: [Int] = []
            let (x, y) = cells[i]
            for dx in -1...1 {
                for dy in -1...1 {
                    for j in members[key(x + dx, y + dy)] ?? [] where j > i { found.append(j) }
                }
            }
            return found
        }
    }

    /// `point` moved into `bounds` inset by `radius` on each axis, or to the bounds' centre on an axis where
    /// the circle does not fit.
    static func clamp(_ point: Point, radius: Double, to bounds: Rect) -> Point {
        func axis(_ value: Double, _ low: Double, _ high: Double) -> Double {
            if high - low < 2 * radius { return (low + high) / 2 }
            return min(max(value, low + radius), high - radius)
        }
        return Point(axis(point.x, bounds.minX, bounds.maxX), axis(point.y, bounds.minY, bounds.maxY))
    }

    /// A unit direction derived from the pair (i, j) for separating coincident centres.
    static func separation(_ i: Int, _ j: Int) -> Point {
        var hash = SeededRandom(seed: UInt64(truncatingIfNeeded: i) &* 0x1_0000_0001 ^ UInt64(truncatingIfNeeded: j))
        for _ in 0..<8 {
            let candidate = Point(hash.unit() * 2 - 1, hash.unit() * 2 - 1)
            let length = (candidate.x * candidate.x + candidate.y * candidate.y).squareRoot()
            if length > 0.1 && length <= 1 { return candidate * (1 / length) }
        }
        return Point(1, 0)
    }
}
