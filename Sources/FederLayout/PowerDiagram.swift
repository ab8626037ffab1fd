/// The power (Laguerre) diagram of weighted sites, clipped to a rectangle.
///
/// Cell i is { x in bounds : |x − pᵢ|² − wᵢ ≤ |x − pⱼ|² − wⱼ for every j }, the intersection of the bounds
/// with one half-plane per other site, so every cell is convex. With equal weights it is the ordinary
/// Voronoi diagram; a larger weight grows a site's cell. The cells tile the bounds.
///
/// Polygons have positive shoelace area, Σ (xₖ·yₖ₊₁ − xₖ₊₁·yₖ) > 0: counter-clockwise with y up, which is
/// clockwise on a page whose y grows downwards. The first vertex is not repeated at the end.
public enum PowerDiagram {
    /// The clipped cell of each site, in the orientation described on the type; an empty array for a site
    /// whose cell is empty or has no area. Coincident sites with equal weight: the lower index gets the
    /// cell. Vertices are clamped into `bounds` against rounding.
    ///
    /// - Complexity: O(n²·m) for n sites and cells of at most m vertices (Sutherland–Hodgman clipping of the
    ///   bounds polygon by each of the n − 1 half-planes, for every site).
    public static func cells(sites: [Point], weights: [Double], bounds: Rect) -> [[Point]] {
        precondition(sites.count == weights.count, "one weight per site")
        let frame = [
            Point(bounds.minX, bounds.minY), Point(bounds.maxX, bounds.minY), Point(bounds.maxX, bounds.maxY),
            Point(bounds.minX, bounds.maxY),
        ]
        let minimumArea = 1e-12 * bounds.width * bounds.height
        return sites.indices.map { i -> [Point] in
            guard bounds.width > 0, bounds.height > 0 else { return [] }
            var polygon = frame
            for j in sites.indices where j != i {
                let d = sites[j] - sites[i]
                let squared = d.x * d.x + d.y * d.y
                let gain = weights[i] - weights[j]
                if squared == 0 {
                    // Coincident sites: the heavier one, or the lower index on a tie, takes everything.
                    if gain > 0 || (gain == 0 && i < j) { continue }
                    return []
                }
                // |x − pᵢ|² − wᵢ ≤ |x − pⱼ|² − wⱼ  ⇔  2(x − pᵢ)·d − |d|² − (wᵢ − wⱼ) ≤ 0, measured from pᵢ.
                polygon = clip(polygon) { x in
                    2 * ((x.x - sites[i].x) * d.x + (x.y - sites[i].y) * d.y) - squared - gain
                }
                if polygon.count < 3 { return [] }
            }
            let clamped = polygon.map {
                Point(min(max($0.x, bounds.minX), bounds.maxX), min(max($0.y, bounds.minY), bounds.maxY))
            }
            return polygonArea(clamped) > minimumArea ? clamped : []
        }
    }

    /// The area enclosed by a simple polygon (shoelace formula, either orientation); 0 for fewer than three
    /// vertices.
    ///
    /// - Complexity: O(m) for m vertices.
    public static func polygonArea(_ points: [Point]) -> Double {
        abs(signedDoubleArea(points)) / 2
    }

    /// The centroid of the region enclosed by a simple polygon; the mean of the vertices when the polygon has
    /// no area, and (0, 0) for no vertices.
    ///
    /// - Complexity: O(m) for m vertices.
    public static func centroid(_ points: [Point]) -> Point {
        guard let origin = points.first else { return Point(0, 0) }
        var twiceArea = 0.0
        var sx = 0.0
        var sy = 0.0
        // Relative to the first vertex, so that far-away polygons keep their precision.
        for k in points.indices {
            let a = points[k] - origin
            let b = points[(k + 1) % points.count] - origin
            let cross = a.x * b.y - b.x * a.y
            twiceArea += cross
            sx += (a.x + b.x) * cross
            sy += (a.y + b.y) * cross
        }
        var extent = 0.0
        for p in points { extent = max(extent, abs(p.x - origin.x), abs(p.y - origin.y)) }
        if abs(twiceArea) <= 1e-12 * extent * extent || twiceArea == 0 {
            var sum = Point(0, 0)
            for p in points { sum = sum + p }
            return sum * (1 / Double(points.count))
        }
        return origin + Point(sx, sy) * (1 / (3 * twiceArea))
    }

    /// Σ (xₖ·yₖ₊₁ − xₖ₊₁·yₖ), measured from the first vertex.
    private static func signedDoubleArea(_ points: [Point]) -> Double {
        guard points.count >= 3, let origin = points.first else { return 0 }
        var sum = 0.0
        for k in 1..<(points.count - 1) {
            let a = points[k] - origin
            let b = points[k + 1] - origin
            sum += a.x * b.y - b.x * a.y
        }
        return sum
    }

    /// Sutherland–Hodgman: the part of the convex `polygon` where `side(x) ≤ 0`, with the orientation kept.
    ///
    /// - Complexity: O(m).
    static func clip(_ polygon: [Point], side: (Point) -> Double) -> [Point] {
        guard let last = polygon.last else { return [] }
        var output: [Point] = []
        output.reserveCapacity(polygon.count + 1)
        var previous = last
        var previousValue = side(last)
        for current in polygon {
            let value = side(current)
            if (value <= 0) != (previousValue <= 0) {
                let t = previousValue / (previousValue - value)
                let crossing = previous + (current - previous) * t
                if output.last != crossing { output.append(crossing) }
            }
            if value <= 0 && output.last != current { output.append(current) }
            previous = current
            previousValue = value
        }
        if output.count > 1, let first = output.first, output.last == first { output.removeLast() }
        return output
    }
}
