import XCTest

@testable import FederLayout

final class GeometryTests: XCTestCase {
    private let seeds: [UInt64] = Array(1...50)

    // MARK: - SeededRandom

    func testSeededRandomRepeatsAndStaysInRange() {
        var a = SeededRandom(seed: 42)
        var b = SeededRandom(seed: 42)
        var sum = 0.0
        var squares = 0.0
        for _ in 0..<20_000 {
            let u = a.unit()
            XCTAssertEqual(u, b.unit())
            XCTAssert(u >= 0 && u < 1)
            let z = a.normal()
            XCTAssertEqual(z, b.normal())
            XCTAssert(z.isFinite)
            sum += z
            squares += z * z
        }
        XCTAssertEqual(sum / 20_000, 0, accuracy: 0.05)
        XCTAssertEqual(squares / 20_000, 1, accuracy: 0.05)
    }

    // MARK: - PCA

    func testPCAFindsTheLineDirection() {
        let expected = [1 / 5.0.squareRoot(), 2 / 5.0.squareRoot(), 0]
        for seed in seeds {
            var random = SeededRandom(seed: seed)
            let rows: [[Float]] = (0..<200).map { _ in
                let t = random.normal() * 10
                return [t + random.normal() * 0.01, 2 * t + random.normal() * 0.01, random.normal() * 0.01].map(Float.init)
            }
            let pca = PCA.fit(rows)
            XCTAssertEqual(pca.components.count, 2)
            for (value, wanted) in zip(pca.components[0], expected) {
                XCTAssertEqual(value, wanted, accuracy: 1e-3, "seed \(seed)")  // the sign convention makes y positive
            }
            XCTAssertGreaterThan(pca.explainedVarianceRatio[0], 0.999)
            XCTAssertLessThanOrEqual(pca.explainedVarianceRatio.reduce(0, +), 1 + 1e-12)
        }
    }

    func testPCARecoversDiagonalVariances() {
        for seed in seeds {
            var random = SeededRandom(seed: seed)
            let rows: [[Float]] = (0..<10_000).map { _ in
                [Float(3 * random.normal() + 5), Float(2 * random.normal() - 1), Float(random.normal())]
            }
            let pca = PCA.fit(rows, components: 3)
            for (value, wanted) in zip(pca.explainedVariance, [9.0, 4, 1]) {
                XCTAssertEqual(value, wanted, accuracy: wanted * 0.08, "seed \(seed)")
            }
            for (index, component) in pca.components.enumerated() {
                XCTAssertGreaterThan(component[index], 0.99, "seed \(seed)")
            }
            XCTAssertEqual(pca.mean[0], 5, accuracy: 0.15)
            XCTAssertLessThanOrEqual(pca.explainedVarianceRatio.reduce(0, +), 1 + 1e-12)
            XCTAssertEqual(pca.explainedVarianceRatio.reduce(0, +), 1, accuracy: 1e-9)  // all three components
        }
    }

    /// Both eigen-solvers (Jacobi up to d = 64, subspace iteration above) return orthonormal eigenvectors of
    /// the covariance, by decreasing eigenvalue, and the top one dominates every coordinate axis.
    func testPCAComponentsAreTopEigenvectorsOnBothPaths() {
        for (offset, d) in [2, 5, 17, 64, 65, 96, 130].enumerated() {
            for seed in seeds.prefix(8) {
                var random = SeededRandom(seed: seed &+ UInt64(offset) * 1000)
                let scales: [Double] = (0..<d).map { _ in 1 + 4 * random.unit() }
                let rows: [[Float]] = (0..<150).map { _ in
                    let shared = random.normal()
                    return (0..<d).map { (i: Int) -> Float in
                        let own: Double = scales[i] * random.normal()
                        return Float(own + shared * Double(i % 3))
                    }
                }
                let k = min(3, d)
                let pca = PCA.fit(rows, components: k, seed: seed)
                let c = PCA.covarianceMatrix(rows, mean: pca.mean)
                XCTAssertEqual(pca.components.count, k)
                let trace = (0..<d).reduce(0.0) { $0 + c[$1 * d + $1] }
                let maxDiagonal = (0..<d).map { c[$0 * d + $0] }.max() ?? 0
                XCTAssertGreaterThanOrEqual(pca.explainedVariance[0], maxDiagonal * (1 - 1e-9), "d \(d)")
                for a in 0..<k {
                    let v = pca.components[a]
                    let lambda = pca.explainedVariance[a]
                    if a > 0 { XCTAssertLessThanOrEqual(lambda, pca.explainedVariance[a - 1]) }
                    XCTAssertEqual(pca.explainedVarianceRatio[a], lambda / trace, accuracy: 1e-12)
                    var residual = 0.0
                    for r in 0..<d {
                        var cv = 0.0
                        for j in 0..<d { cv += c[r * d + j] * v[j] }
                        residual += (cv - lambda * v[r]) * (cv - lambda * v[r])
                    }
                    XCTAssertLessThan(residual.squareRoot(), 1e-7 * pca.explainedVariance[0], "d \(d) seed \(seed)")
                    for b in 0..<k {
                        let dot = zip(v, pca.components[b]).reduce(0.0) { $0 + $1.0 * $1.1 }
                        XCTAssertEqual(dot, a == b ? 1 : 0, accuracy: 1e-9, "d \(d)")
                    }
                    let largest = v.indices.max { abs(v[$0]) < abs(v[$1]) } ?? 0
                    XCTAssertGreaterThan(v[largest], 0)
                }
            }
        }
    }

    func testPCAIsDeterministicAndProjectsPointersLikeArrays() {
        for seed in seeds {
            var random = SeededRandom(seed: seed)
            let d = seed % 2 == 0 ? 8 : 72
            let rows: [[Float]] = (0..<60).map { _ in (0..<d).map { _ in Float(random.normal()) } }
            let first = PCA.fit(rows, seed: seed)
            XCTAssertEqual(first, PCA.fit(rows, seed: seed))
            // A row one byte into a buffer: unaligned, as inside a mapped file.
            let row = rows[Int(seed) % rows.count]
            let bytes = [UInt8](repeating: 0, count: 1) + row.withUnsafeBytes { Array($0) }
            let viaPointer = bytes.withUnsafeBytes { raw -> Point in
                guard let base = raw.baseAddress else { return Point(.nan, .nan) }
                return first.project(pointer: base + 1, dim: d)
            }
            XCTAssertEqual(viaPointer, first.project(row))
        }
    }

    func testPCAHandlesDegenerateInputsWithoutNaN() {
        let empty = PCA.fit([])
        XCTAssertEqual(empty.components, [])
        XCTAssertEqual(empty.project([1, 2, 3]), Point(0, 0))

        let single = PCA.fit([[1, 2, 3]])
        XCTAssertEqual(single.mean, [1, 2, 3])
        XCTAssertEqual(single.explainedVariance, [0, 0])
        XCTAssertEqual(single.explainedVarianceRatio, [0, 0])
        XCTAssertEqual(single.project([1, 2, 3]), Point(0, 0))

        for d in [3, 80] {
            let identical = PCA.fit(Array(repeating: [Float](repeating: 7.5, count: d), count: 20))
            XCTAssertEqual(identical.explainedVariance, [0, 0])
            XCTAssertEqual(identical.explainedVarianceRatio, [0, 0])
            XCTAssertEqual(identical.project([Float](repeating: 7.5, count: d)), Point(0, 0))
            for component in identical.components {
                XCTAssertEqual(component.reduce(0) { $0 + $1 * $1 }, 1, accuracy: 1e-12)
            }
        }

        let line = PCA.fit([[1], [3], [5]])
        XCTAssertEqual(line.components, [[1]])
        XCTAssertEqual(line.explainedVariance, [4])
        XCTAssertEqual(line.explainedVarianceRatio, [1])
        XCTAssertEqual(line.project([7]), Point(4, 0))

        let noDimensions = PCA.fit([[], []])
        XCTAssertEqual(noDimensions.components, [])
        XCTAssertEqual(noDimensions.project([]), Point(0, 0))

        let coincident = PCA.fit([[1, 1], [1, 1], [2, 2]], components: 5)
        XCTAssertEqual(coincident.components.count, 2)
        XCTAssert(coincident.explainedVariance.allSatisfy(\.isFinite))
        XCTAssert(coincident.explainedVarianceRatio.allSatisfy(\.isFinite))
    }

    // MARK: - CircleRelaxation

    func testRelaxationSeparatesCirclesInsideBounds() {
        let bounds = Rect(x: 20, y: 10, width: 500, height: 400)
        for seed in seeds {
            var random = SeededRandom(seed: seed)
            let radii = (0..<60).map { _ in 4 + 10 * random.unit() }
            // Crowded into a 150-point square in the middle, some exactly on top of each other.
            var centers = (0..<60).map { _ in Point(195 + 150 * random.unit(), 135 + 150 * random.unit()) }
            centers[7] = centers[3]
            centers[8] = centers[3]
            let relaxed = CircleRelaxation.relax(centers: centers, radii: radii, bounds: bounds)
            XCTAssertEqual(relaxed, CircleRelaxation.relax(centers: centers, radii: radii, bounds: bounds))
            XCTAssertEqual(relaxed.count, 60)
            for i in relaxed.indices {
                XCTAssert(relaxed[i].x.isFinite && relaxed[i].y.isFinite)
                XCTAssertGreaterThanOrEqual(relaxed[i].x - radii[i], bounds.minX - 1e-9)
                XCTAssertLessThanOrEqual(relaxed[i].x + radii[i], bounds.maxX + 1e-9)
                XCTAssertGreaterThanOrEqual(relaxed[i].y - radii[i], bounds.minY - 1e-9)
                XCTAssertLessThanOrEqual(relaxed[i].y + radii[i], bounds.maxY + 1e-9)
                for j in relaxed.indices where j > i {
                    XCTAssertGreaterThanOrEqual(
                        relaxed[i].distance(to: relaxed[j]), radii[i] + radii[j] - 1e-6, "seed \(seed) \(i)–\(j)")
                }
            }
        }
    }

    func testRelaxationLeavesSeparatedCirclesAlone() {
        let centers = [Point(50, 50), Point(100, 50), Point(75, 120)]
        let radii = [10.0, 12, 20]
        let bounds = Rect(x: 0, y: 0, width: 200, height: 200)
        XCTAssertEqual(CircleRelaxation.relax(centers: centers, radii: radii, bounds: bounds), centers)
        XCTAssertEqual(CircleRelaxation.relax(centers: [], radii: [], bounds: bounds), [])
    }

    func testRelaxationCentresCirclesBiggerThanBoundsAndClampsOthers() {
        let bounds = Rect(x: 0, y: 0, width: 100, height: 60)
        let relaxed = CircleRelaxation.relax(
            centers: [Point(10, 10), Point(-50, 500)], radii: [80, 5], bounds: bounds, iterations: 0)
        XCTAssertEqual(relaxed, [Point(50, 30), Point(5, 55)])
    }

    // MARK: - PowerDiagram

    func testPowerDiagramTilesTheBoundsAndAssignsPointsToTheLeastPowerSite() {
        let bounds = Rect(x: -30, y: 15, width: 640, height: 420)
        let boundsArea = bounds.width * bounds.height
        for seed in seeds {
            var random = SeededRandom(seed: seed)
            let n = 2 + Int(seed % 40)
            let equalWeights = seed % 3 == 0
            let sites = (0..<n).map { _ in
                Point(bounds.minX + bounds.width * random.unit(), bounds.minY + bounds.height * random.unit())
            }
            let weights = (0..<n).map { _ in equalWeights ? 25 : 4000 * random.unit() }
            let cells = PowerDiagram.cells(sites: sites, weights: weights, bounds: bounds)
            XCTAssertEqual(cells, PowerDiagram.cells(sites: sites, weights: weights, bounds: bounds))
            XCTAssertEqual(cells.count, n)
            let total = cells.reduce(0.0) { $0 + PowerDiagram.polygonArea($1) }
            XCTAssertEqual(total, boundsArea, accuracy: boundsArea * 1e-6, "seed \(seed)")
            for (i, cell) in cells.enumerated() {
                XCTAssert(cell.allSatisfy { bounds.contains($0, tolerance: 0) }, "seed \(seed)")
                XCTAssert(cell.isEmpty || cell.count >= 3)
                if equalWeights {
                    XCTAssert(Self.convex(cell, contains: sites[i]), "seed \(seed) site \(i)")
                    XCTAssert(Self.convex(cell, contains: PowerDiagram.centroid(cell)))
                }
            }
            for _ in 0..<200 {
                let x = Point(bounds.minX + bounds.width * random.unit(), bounds.minY + bounds.height * random.unit())
                let power = sites.indices.map { (j: Int) -> Double in
                    let offset = x - sites[j]
                    return offset.x * offset.x + offset.y * offset.y - weights[j]
                }
                let best = power.indices.min { power[$0] < power[$1] } ?? 0
                XCTAssert(Self.convex(cells[best], contains: x, tolerance: 1e-6), "seed \(seed) point \(x)")
            }
        }
    }

    func testPowerDiagramWeightsAndDuplicates() {
        let bounds = Rect(x: 0, y: 0, width: 200, height: 100)
        let equal = PowerDiagram.cells(sites: [Point(50, 50), Point(150, 50)], weights: [0, 0], bounds: bounds)
        XCTAssertEqual(PowerDiagram.polygonArea(equal[0]), 10_000, accuracy: 1e-9)
        XCTAssertEqual(PowerDiagram.centroid(equal[1]).x, 150, accuracy: 1e-9)
        XCTAssertGreaterThan(Self.signedArea(equal[0]), 0)  // the documented orientation
        let heavy = PowerDiagram.cells(sites: [Point(50, 50), Point(150, 50)], weights: [4000, 0], bounds: bounds)
        // The boundary moves to x = 100 + 4000 / (2·100) = 120.
        XCTAssertEqual(PowerDiagram.polygonArea(heavy[0]), 12_000, accuracy: 1e-9)
        XCTAssertGreaterThan(PowerDiagram.polygonArea(heavy[0]), PowerDiagram.polygonArea(heavy[1]))
        let swamped = PowerDiagram.cells(sites: [Point(50, 50), Point(150, 50)], weights: [1e6, 0], bounds: bounds)
        XCTAssertEqual(swamped[1], [])
        XCTAssertEqual(PowerDiagram.polygonArea(swamped[0]), 20_000, accuracy: 1e-9)

        let duplicates = PowerDiagram.cells(
            sites: [Point(150, 50), Point(50, 50), Point(50, 50)], weights: [1, 1, 1], bounds: bounds)
        XCTAssertEqual(duplicates[2], [])
        XCTAssertEqual(PowerDiagram.polygonArea(duplicates[1]), 10_000, accuracy: 1e-9)
        let heavier = PowerDiagram.cells(sites: [Point(50, 50), Point(50, 50)], weights: [1, 2], bounds: bounds)
        XCTAssertEqual(heavier[0], [])
        XCTAssertEqual(PowerDiagram.polygonArea(heavier[1]), 20_000, accuracy: 1e-9)
        XCTAssertEqual(PowerDiagram.cells(sites: [], weights: [], bounds: bounds), [])
        XCTAssertEqual(PowerDiagram.cells(sites: [Point(5, 5)], weights: [0], bounds: bounds)[0].count, 4)
    }

    func testPolygonAreaAndCentroid() {
        let triangle = [Point(0, 0), Point(6, 0), Point(0, 3)]
        XCTAssertEqual(PowerDiagram.polygonArea(triangle), 9)
        XCTAssertEqual(PowerDiagram.polygonArea(triangle.reversed()), 9)
        XCTAssertEqual(PowerDiagram.centroid(triangle).x, 2, accuracy: 1e-12)
        XCTAssertEqual(PowerDiagram.centroid(triangle).y, 1, accuracy: 1e-12)
        XCTAssertEqual(PowerDiagram.polygonArea([Point(1, 1), Point(2, 2)]), 0)
        XCTAssertEqual(PowerDiagram.centroid([Point(1, 1), Point(3, 3)]), Point(2, 2))
        XCTAssertEqual(PowerDiagram.centroid([]), Point(0, 0))
    }

    // MARK: - Helpers

    private static func signedArea(_ polygon: [Point]) -> Double {
        polygon.indices.reduce(0.0) { sum, k in
            let a = polygon[k], b = polygon[(k + 1) % polygon.count]
            return sum + (a.x * b.y - b.x * a.y) / 2
        }
    }

    /// Whether `point` lies in a convex polygon of positive orientation (within `tolerance` of its edges).
    private static func convex(_ polygon: [Point], contains point: Point, tolerance: Double = 1e-9) -> Bool {
        guard polygon.count >= 3 else { return false }
        return polygon.indices.allSatisfy { k in
            let a = polygon[k], b = polygon[(k + 1) % polygon.count]
            let edge = b - a, offset = point - a
            let length = (edge.x * edge.x + edge.y * edge.y).squareRoot()
            return edge.x * offset.y - edge.y * offset.x >= -tolerance * max(length, 1)
        }
    }
}
