import FederProjection
import XCTest

@testable import FederProjection

final class PCATests: XCTestCase {
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
            let viaPointer = bytes.withUnsafeBytes { raw -> SIMD2<Double> in
                guard let base = raw.baseAddress else { return SIMD2<Double>(.nan, .nan) }
                return first.project(pointer: base + 1, dim: d)
            }
            XCTAssertEqual(viaPointer, first.project(row))
        }
    }

    func testPCAHandlesDegenerateInputsWithoutNaN() {
        let empty = PCA.fit([])
        XCTAssertEqual(empty.components, [])
        XCTAssertEqual(empty.project([1, 2, 3]), SIMD2<Double>(0, 0))

        let single = PCA.fit([[1, 2, 3]])
        XCTAssertEqual(single.mean, [1, 2, 3])
        XCTAssertEqual(single.explainedVariance, [0, 0])
        XCTAssertEqual(single.explainedVarianceRatio, [0, 0])
        XCTAssertEqual(single.project([1, 2, 3]), SIMD2<Double>(0, 0))

        for d in [3, 80] {
            let identical = PCA.fit(Array(repeating: [Float](repeating: 7.5, count: d), count: 20))
            XCTAssertEqual(identical.explainedVariance, [0, 0])
            XCTAssertEqual(identical.explainedVarianceRatio, [0, 0])
            XCTAssertEqual(identical.project([Float](repeating: 7.5, count: d)), SIMD2<Double>(0, 0))
            for component in identical.components {
                XCTAssertEqual(component.reduce(0) { $0 + $1 * $1 }, 1, accuracy: 1e-12)
            }
        }

        let line = PCA.fit([[1], [3], [5]])
        XCTAssertEqual(line.components, [[1]])
        XCTAssertEqual(line.explainedVariance, [4])
        XCTAssertEqual(line.explainedVarianceRatio, [1])
        XCTAssertEqual(line.project([7]), SIMD2<Double>(4, 0))

        let noDimensions = PCA.fit([[], []])
        XCTAssertEqual(noDimensions.components, [])
        XCTAssertEqual(noDimensions.project([]), SIMD2<Double>(0, 0))

        let coincident = PCA.fit([[1, 1], [1, 1], [2, 2]], components: 5)
        XCTAssertEqual(coincident.components.count, 2)
        XCTAssert(coincident.explainedVariance.allSatisfy(\.isFinite))
        XCTAssert(coincident.explainedVarianceRatio.allSatisfy(\.isFinite))
    }

}
