import FederIndex
import FederProjection
import FederTestSupport
import XCTest

@testable import FederProjection

final class UMAPTests: XCTestCase {
    /// Three separated Gaussian blobs in 8-D, 40 points each.
    private func blobs(seed: UInt64) -> (VectorTable, [Int]) {
        var random = SeededRandom(seed: seed)
        var values: [Float] = []
        var labels: [Int] = []
        for cluster in 0..<3 {
            for _ in 0..<40 {
                for lane in 0..<8 { values.append(Float(random.normal() + (lane == cluster ? 12 : 0))) }
                labels.append(cluster)
            }
        }
        return (VectorTable(name: "blobs", rows: values, dim: 8), labels)
    }

    private func fast() -> UMAP {
        var umap = UMAP()
        umap.epochs = 120
        return umap
    }

    func testDeterministicAndSeeded() {
        let (table, _) = blobs(seed: 3)
        let first = fast().embed(table)
        XCTAssertEqual(first, fast().embed(table))
        var other = fast()
        other.seed = 2
        XCTAssertNotEqual(first, other.embed(table))
        XCTAssertEqual(first.count, table.count)
    }

    func testBlobsStaySeparatedAndTrustworthy() {
        for seed in [1, 2, 3] as [UInt64] {
            let (table, labels) = blobs(seed: seed)
            let points = fast().embed(table)
            var centres = [SIMD2<Double>](repeating: SIMD2<Double>(0, 0), count: 3)
            for (point, label) in zip(points, labels) { centres[label] = centres[label] + point * (1.0 / 40) }
            let spread = zip(points, labels).map { $0.distance(to: centres[$1]) }.reduce(0, +) / Double(points.count)
            let gap = min(centres[0].distance(to: centres[1]), centres[1].distance(to: centres[2]), centres[0].distance(to: centres[2]))
            XCTAssertGreaterThan(gap, 3 * spread, "seed \(seed)")
            XCTAssertGreaterThan(Trustworthiness.score(original: table, embedding: points, k: 10), 0.9, "seed \(seed)")
        }
    }

    func testDegenerateInputsGiveFiniteCoordinates() {
        let duplicates = VectorTable(name: "dup", rows: [Float](repeating: 1, count: 30 * 4), dim: 4)
        let oneD = VectorTable(name: "1d", rows: (0..<40).map { Float($0 % 7) }, dim: 1)
        let tiny = VectorTable(name: "two", rows: [0, 1, 2, 3], dim: 2)
        for table in [duplicates, oneD, tiny] {
            let points = fast().embed(table)
            XCTAssertEqual(points.count, table.count)
            XCTAssertTrue(points.allSatisfy { $0.x.isFinite && $0.y.isFinite }, table.file.path)
        }
    }

    func testCurveParametersMatchUmapLearn() {
        // umap-learn's find_ab_params(1.0, 0.1) = (1.5769434603113077, 0.8950608779109733).
        let (a, b) = UMAP.curveParameters(spread: 1, minDist: 0.1)
        XCTAssertEqual(a, 1.5769, accuracy: 2e-3)
        XCTAssertEqual(b, 0.8951, accuracy: 2e-3)
    }

    func testNearestNeighboursMatchABruteForceScan() {
        let (table, _) = blobs(seed: 9)
        let graph = NearestNeighbors.exact(table, k: 5)
        for row in [0, 17, 119] {
            let query = table.row(row)
            var scored: [(Float, Int)] = []
            for other in 0..<table.count where other != row {
                var sum: Float = 0
                for (a, b) in zip(query, table.row(other)) { sum += (a - b) * (a - b) }
                scored.append((sum, other))
            }
            scored.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            let expected = scored.prefix(5).map { Int32($0.1) }
            XCTAssertEqual(Array(graph.neighbors(of: row)), Array(expected))
        }
    }

    func testDigitsTrustworthinessFloor() throws {
        // The digits example's stored vectors (1797 × 64, sklearn's digits) through its hnswlib index.
        let root = FixtureManifest.committedDirectory().deletingLastPathComponent().deletingLastPathComponent()
        let index = try IndexFile.open(path: root.appendingPathComponent("Examples/digits/raw.hnsw").path)
        var values: [Float] = []
        index.forEachStoredVector { _, pointer in
            for lane in 0..<index.dim { values.append(pointer.loadUnaligned(fromByteOffset: lane * 4, as: Float.self)) }
        }
        let table = VectorTable(name: "digits", rows: values, dim: index.dim)
        var umap = UMAP()
        umap.epochs = 60
        let points = umap.embed(table)
        XCTAssertGreaterThan(Trustworthiness.score(original: table, embedding: points, k: 10), 0.95)
    }
}

final class NNDescentTests: XCTestCase {
    func testFindsNearlyAllExactNeighboursDeterministically() {
        var random = SeededRandom(seed: 5)
        var values: [Float] = []
        for _ in 0..<600 { for _ in 0..<12 { values.append(Float(random.normal())) } }
        let table = VectorTable(name: "gauss", rows: values, dim: 12)
        let exact = NearestNeighbors.exact(table, k: 10)
        let approximate = NNDescent.graph(table, k: 10, seed: 3)
        XCTAssertEqual(approximate, NNDescent.graph(table, k: 10, seed: 3), "seeded")
        var hits = 0
        for row in 0..<table.count {
            hits += Set(exact.neighbors(of: row)).intersection(approximate.neighbors(of: row)).count
        }
        XCTAssertGreaterThan(Double(hits) / Double(table.count * 10), 0.95)
        // Distances ascending per row and never to itself.
        for row in 0..<table.count {
            XCTAssertFalse(approximate.neighbors(of: row).contains(Int32(row)))
            XCTAssertEqual(Array(approximate.distances(of: row)), approximate.distances(of: row).sorted())
        }
    }
}
