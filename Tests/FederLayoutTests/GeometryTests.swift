import FederProjection
import XCTest

@testable import FederLayout

final class GeometryTests: XCTestCase {
    private let seeds: [UInt64] = Array(1...50)

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

    /// Past 256 circles the pairs come from a grid: the circles still end apart and inside the bounds.
    func testRelaxationOfManyCirclesThroughTheGrid() {
        let bounds = Rect(x: 0, y: 0, width: 1000, height: 800)
        for seed in seeds.prefix(1) {
            var random = SeededRandom(seed: seed)
            let count = 500
            let radii = (0..<count).map { _ in 2 + 6 * random.unit() }
            var centers = (0..<count).map { _ in Point(300 + 400 * random.unit(), 200 + 400 * random.unit()) }
            centers[11] = centers[10]
            let relaxed = CircleRelaxation.relax(centers: centers, radii: radii, bounds: bounds)
            XCTAssertEqual(relaxed, CircleRelaxation.relax(centers: centers, radii: radii, bounds: bounds))
            var overlaps = 0
            for i in relaxed.indices {
                XCTAssertGreaterThanOrEqual(relaxed[i].x - radii[i], bounds.minX - 1e-9)
                XCTAssertLessThanOrEqual(relaxed[i].x + radii[i], bounds.maxX + 1e-9)
                for j in relaxed.indices where j > i && relaxed[i].distance(to: relaxed[j]) < radii[i] + radii[j] - 1e-6 { overlaps += 1 }
            }
            XCTAssertEqual(overlaps, 0, "seed \(seed)")
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
            let a = polygon[k]
            let b = polygon[(k + 1) % polygon.count]
            return sum + (a.x * b.y - b.x * a.y) / 2
        }
    }

    /// Whether `point` lies in a convex polygon of positive orientation (within `tolerance` of its edges).
    private static func convex(_ polygon: [Point], contains point: Point, tolerance: Double = 1e-9) -> Bool {
        guard polygon.count >= 3 else { return false }
        return polygon.indices.allSatisfy { k in
            let a = polygon[k]
            let b = polygon[(k + 1) % polygon.count]
            let edge = b - a
            let offset = point - a
            let length = (edge.x * edge.x + edge.y * edge.y).squareRoot()
            return edge.x * offset.y - edge.y * offset.x >= -tolerance * max(length, 1)
        }
    }
}

/// The HNSW search axis: linear near the query, logarithmic past the knee.
final class DistanceScaleTests: XCTestCase {
    func testLinearWithoutAKneeOrOverAShortSpan() {
        for scale in [DistanceScale(best: 0, worst: 100, knee: nil), DistanceScale(best: 0, worst: 100, knee: 20)] {
            XCTAssertNil(scale.knee)
            XCTAssertEqual(scale.fraction(25), 0.25, accuracy: 1e-12)
            XCTAssertNil(scale.description)
        }
    }

    func testLogarithmicPastTheKneeIsMonotoneAndEndsAtOne() {
        let scale = DistanceScale(best: 0, worst: 625, knee: 9)
        XCTAssertEqual(scale.knee, 9)
        XCTAssertEqual(scale.fraction(0), 0)
        XCTAssertEqual(scale.fraction(625), 1, accuracy: 1e-12)
        XCTAssertEqual(scale.fraction(10_000), 1, accuracy: 1e-12)
        // Linear inside the knee: half the knee is half the knee's share.
        XCTAssertEqual(scale.fraction(4.5), scale.fraction(9) / 2, accuracy: 1e-12)
        // The knee takes far more of the axis than its linear share would.
        XCTAssertGreaterThan(scale.fraction(9), 4 * 9.0 / 625)
        var last = -1.0
        for distance in stride(from: 0.0, through: 625, by: 0.5) {
            XCTAssertGreaterThan(scale.fraction(distance), last)
            last = scale.fraction(distance)
        }
        let ticks = scale.ticks()
        XCTAssertEqual(ticks, ticks.sorted())
        XCTAssertTrue(ticks.allSatisfy { $0 >= 0 && $0 <= 625 })
        XCTAssertTrue(ticks.contains(100), "\(ticks)")
        XCTAssertNotNil(scale.description)
    }

    /// An axis that starts far from 0 labels round distances, not round offsets from its start.
    func testTicksPastTheKneeAreRoundDistances() {
        let scale = DistanceScale(best: 196, worst: 2500, knee: 29.4)
        let ticks = scale.ticks()
        XCTAssertTrue(ticks.allSatisfy { $0 >= 196 && $0 <= 2500 }, "\(ticks)")
        for round in [500.0, 1000, 2000] { XCTAssertTrue(ticks.contains(round), "\(ticks)") }
        XCTAssertFalse(ticks.contains(696), "\(ticks)")
    }

    func testLargerIsBetterRunsTheOtherWay() {
        let scale = DistanceScale(best: 1, worst: -400, knee: 2)
        XCTAssertEqual(scale.fraction(1), 0)
        XCTAssertEqual(scale.fraction(-400), 1, accuracy: 1e-12)
        XCTAssertLessThan(scale.fraction(0), scale.fraction(-1))
        XCTAssertTrue(scale.ticks().allSatisfy { $0 <= 1 && $0 >= -400 })
    }

    /// Distances print as people read them; a whole number (Hamming, squared L2 over integers) has no decimal point.
    func testDistancesPrintWholeNumbersWithoutADecimalPoint() {
        XCTAssertEqual(ViewKit.format(20), "20")
        XCTAssertEqual(ViewKit.format(-37), "-37")
        XCTAssertEqual(ViewKit.format(1234), "1234")
        XCTAssertEqual(ViewKit.format(20.5), "20.5")
        XCTAssertEqual(ViewKit.format(0.125), "0.125")
        XCTAssertEqual(ViewKit.format(123.4), "123")
        XCTAssertEqual(ViewKit.format(250_000), "2.5e+05")
        XCTAssertEqual(ViewKit.format(Double(Float.greatestFiniteMagnitude)), "+FLT_MAX")
    }
}
