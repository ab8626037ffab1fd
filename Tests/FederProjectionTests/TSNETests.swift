import FederIndex
import FederProjection
import FederTestSupport
import Foundation
import XCTest

@testable import FederProjection

final class TSNETests: XCTestCase {
    // MARK: - Fixtures

    /// `clusters` Gaussian blobs of `perCluster` points in `dim` dimensions, centres 10 apart along the axes,
    /// unit spread; rows grouped by cluster.
    private func blobs(clusters: Int = 3, perCluster: Int = 60, dim: Int = 10, seed: UInt64 = 7) -> VectorTable {
        var random = SeededRandom(seed: seed)
        var rows: [Float] = []
        for c in 0..<clusters {
            for _ in 0..<perCluster {
                for axis in 0..<dim { rows.append(Float((axis == c % dim ? 10.0 : 0) + random.normal())) }
            }
        }
        return VectorTable(name: "blobs", rows: rows, dim: dim)
    }

    private func table(_ rows: [[Float]]) -> VectorTable {
        VectorTable(name: "rows", rows: rows.flatMap { $0 }, dim: rows[0].count)
    }

    private func quick(seed: UInt64 = 1) -> TSNE {
        var tsne = TSNE()
        tsne.iterations = 300
        tsne.seed = seed
        return tsne
    }

    /// scikit-learn's `trustworthiness`: 1 − 2/(n·k·(2n − 3k − 1))·Σᵢ Σ_{j ∈ embedded kNN(i)} max(0, r(i, j) − k),
    /// r(i, j) the rank of j among i's input neighbours (1 = nearest). Brute force, for small n.
    private func trustworthiness(_ data: VectorTable, _ points: [SIMD2<Double>], k: Int) -> Double {
        let n = data.count
        let rows = (0..<n).map { data.row($0).map(Double.init) }
        /// The other rows by ascending distance, ties to the lower index.
        func order(_ i: Int, _ distances: [Double]) -> [Int] {
            (0..<n).filter { $0 != i }.sorted { distances[$0] < distances[$1] || (distances[$0] == distances[$1] && $0 < $1) }
        }
        var penalty = 0.0
        for i in 0..<n {
            var input = [Double](repeating: 0, count: n)
            for j in 0..<n { for a in 0..<data.dim { input[j] += (rows[i][a] - rows[j][a]) * (rows[i][a] - rows[j][a]) } }
            var rank = [Int](repeating: 0, count: n)
            for (r, j) in order(i, input).enumerated() { rank[j] = r + 1 }
            let embedded = (0..<n).map { points[i].distance(to: points[$0]) }
            for j in order(i, embedded).prefix(k) { penalty += Double(max(0, rank[j] - k)) }
        }
        return 1 - 2 / (Double(n * k) * Double(2 * n - 3 * k - 1)) * penalty
    }

    private func assertFinite(_ points: [SIMD2<Double>], file: StaticString = #filePath, line: UInt = #line) {
        for p in points { XCTAssert(p.x.isFinite && p.y.isFinite, "non-finite \(p)", file: file, line: line) }
    }

    // MARK: - Embedding

    func testSameSeedRepeatsDifferentSeedDiffers() {
        let data = blobs()
        let a = quick(seed: 3).embed(data)
        let b = quick(seed: 3).embed(data)
        let c = quick(seed: 4).embed(data)
        XCTAssertEqual(a.count, data.count)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
        assertFinite(a)
        assertFinite(c)
    }

    func testBlobsStaySeparated() {
        let data = blobs()
        let points = quick().embed(data)
        XCTAssertEqual(points.count, 180)
        assertFinite(points)
        let centres = (0..<3).map { c -> SIMD2<Double> in
            let members = points[(c * 60)..<((c + 1) * 60)]
            return members.reduce(SIMD2<Double>(0, 0), +) * (1 / Double(members.count))
        }
        var intra = 0.0
        for c in 0..<3 {
            for p in points[(c * 60)..<((c + 1) * 60)] { intra += p.distance(to: centres[c]) }
        }
        intra /= 180
        var inter = Double.infinity
        for a in 0..<3 { for b in (a + 1)..<3 { inter = min(inter, centres[a].distance(to: centres[b])) } }
        XCTAssertGreaterThan(inter, 4 * intra, "clusters merged: inter \(inter), intra \(intra)")
        let trust = trustworthiness(data, points, k: 10)
        print("t-SNE blobs trustworthiness(10):", trust)
        XCTAssertGreaterThan(trust, 0.9)
        // Almost every point is nearer its own centre than any other. The embedding is chaotic in the last bits
        // of its input distances (which follow the CPU's faiss kernel level), so a short run may leave a stray.
        let strays = points.enumerated().filter { index, p in
            (0..<3).contains { c in c != index / 60 && p.distance(to: centres[c]) <= p.distance(to: centres[index / 60]) }
        }
        XCTAssertLessThanOrEqual(strays.count, 2, "points nearer another cluster's centre: \(strays.map(\.offset))")
    }

    func testDegenerateInputsGiveFinitePoints() {
        XCTAssertEqual(TSNE().embed(table([[1, 2, 3]])), [SIMD2<Double>(0, 0)])
        let pair = TSNE().embed(table([[0, 0], [1, 1]]))
        XCTAssertEqual(pair.count, 2)
        assertFinite(pair)

        var random = SeededRandom(seed: 11)
        let line = quick().embed(table((0..<50).map { _ in [Float(random.normal())] }))
        XCTAssertEqual(line.count, 50)
        assertFinite(line)

        let same = quick().embed(table([[Float]](repeating: [1, -2, 3, 0.5], count: 40)))
        XCTAssertEqual(same.count, 40)
        assertFinite(same)

        // Four distinct rows, each repeated ten times: duplicates sit on each other in the quadtree.
        // (Perplexity 5 < 9 copies: each row's P falls on its copies alone.)
        let base: [[Float]] = [[0, 0, 0], [5, 0, 0], [0, 5, 0], [0, 0, 5]]
        var small = quick()
        small.perplexity = 5
        let repeated = small.embed(table((0..<40).map { base[$0 % 4] }))
        XCTAssertEqual(repeated.count, 40)
        assertFinite(repeated)
        // Copies of one row stay closer to each other than to the other rows' copies.
        for i in 0..<40 {
            for j in 0..<40 where i != j && i % 4 != j % 4 {
                let near = repeated[i].distance(to: repeated[(i + 4) % 40])
                XCTAssertLessThan(near, repeated[i].distance(to: repeated[j]) + 1e-9)
            }
        }
    }

    func testLearningRateAndExaggerationSettingsAreUsed() {
        let data = blobs(perCluster: 20)
        var tsne = quick()
        tsne.iterations = 100
        let base = tsne.embed(data)
        tsne.learningRate = 10
        XCTAssertNotEqual(tsne.embed(data), base)
        tsne.learningRate = nil
        tsne.exaggerationIterations = 0
        tsne.earlyExaggeration = 4
        let plain = tsne.embed(data)
        XCTAssertNotEqual(plain, base)
        assertFinite(plain)
        tsne.iterations = 0  // the start itself: PCA scaled to std 1e-4 on x
        let start = tsne.embed(data)
        let mean = start.reduce(0) { $0 + $1.x } / Double(start.count)
        let std = (start.reduce(0) { $0 + ($1.x - mean) * ($1.x - mean) } / Double(start.count)).squareRoot()
        XCTAssertEqual(std, 1e-4, accuracy: 2e-6)
    }

    // MARK: - Affinities

    func testBinarySearchMatchesPerplexity() {
        var random = SeededRandom(seed: 5)
        let n = 20
        let k = 15
        let distances = (0..<(n * k)).map { _ in Float(random.unit() * 50) }
        let p = TSNE.conditionalProbabilities(squaredDistances: distances, count: n, k: k, perplexity: 5)
        for i in 0..<n {
            let row = p[(i * k)..<((i + 1) * k)]
            XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-12)
            let entropy = -row.reduce(0) { $0 + ($1 > 0 ? $1 * log($1) : 0) }
            XCTAssertEqual(entropy, log(5), accuracy: 2e-5)
        }
    }

    func testJointProbabilitiesAreSymmetricAndSumToOne() {
        let data = blobs(perCluster: 15)
        let graph = NearestNeighbors.exact(data, k: 10)
        let p = TSNE.jointProbabilities(graph, perplexity: 3)
        var entries: [Int: Double] = [:]
        var total = 0.0
        for i in 0..<data.count {
            let columns = p.columns[p.rowStart[i]..<p.rowStart[i + 1]]
            XCTAssertEqual(Array(columns), columns.sorted())
            XCTAssertEqual(Set(columns).count, columns.count)
            for e in p.rowStart[i]..<p.rowStart[i + 1] {
                XCTAssertNotEqual(Int(p.columns[e]), i)
                entries[i * data.count + Int(p.columns[e])] = p.values[e]
                total += p.values[e]
            }
        }
        XCTAssertEqual(total, 1, accuracy: 1e-12)
        for (key, value) in entries {
            XCTAssertEqual(entries[(key % data.count) * data.count + key / data.count], value)
        }
    }

    // MARK: - Gradient

    /// The exact KL gradient 4·Σⱼ (pᵢⱼ − qᵢⱼ)·wᵢⱼ·(yᵢ − yⱼ), w = 1 / (1 + d²), q = w / Σ w.
    private func exactGradient(_ y: [Double], _ p: SparseAffinities) -> [Double] {
        let n = y.count / 2
        var dense = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for e in p.rowStart[i]..<p.rowStart[i + 1] { dense[i * n + Int(p.columns[e])] = p.values[e] } }
        var z = 0.0
        for i in 0..<n { for j in 0..<n where i != j { z += 1 / (1 + pow(y[2 * i] - y[2 * j], 2) + pow(y[2 * i + 1] - y[2 * j + 1], 2)) } }
        var gradient = [Double](repeating: 0, count: 2 * n)
        for i in 0..<n {
            for j in 0..<n where i != j {
                let dx = y[2 * i] - y[2 * j]
                let dy = y[2 * i + 1] - y[2 * j + 1]
                let w = 1 / (1 + dx * dx + dy * dy)
                gradient[2 * i] += 4 * (dense[i * n + j] - w / z) * w * dx
                gradient[2 * i + 1] += 4 * (dense[i * n + j] - w / z) * w * dy
            }
        }
        return gradient
    }

    private func randomLayout(_ n: Int, seed: UInt64, duplicates: Int = 0) -> [Double] {
        var random = SeededRandom(seed: seed)
        var y = (0..<(2 * n)).map { _ in random.normal() * 5 }
        for d in 0..<duplicates {  // point d + 1 copies point 0, …
            y[2 * (d + 1)] = y[0]
            y[2 * (d + 1) + 1] = y[1]
        }
        return y
    }

    func testBarnesHutGradientMatchesExact() {
        let data = blobs(perCluster: 40)
        let p = TSNE.jointProbabilities(NearestNeighbors.exact(data, k: 20), perplexity: 6)
        let y = randomLayout(120, seed: 9, duplicates: 3)
        let exact = exactGradient(y, p)
        let scale = exact.map(abs).max()!

        let workspace = TSNEWorkspace(positions: y, affinities: p)
        _ = workspace.computeGradient(theta: 0, exaggeration: 1, withError: false)
        for (a, b) in zip(workspace.currentGradient, exact) { XCTAssertEqual(a, b, accuracy: 1e-9 * scale) }

        _ = workspace.computeGradient(theta: 0.5, exaggeration: 1, withError: false)
        var error = 0.0
        var norm = 0.0
        for (a, b) in zip(workspace.currentGradient, exact) {
            error += (a - b) * (a - b)
            norm += b * b
        }
        XCTAssertLessThan((error / norm).squareRoot(), 0.05)
    }

    func testParallelGradientEqualsSerial() {
        let n = 700
        var random = SeededRandom(seed: 2)
        let rows = (0..<(n * 4)).map { _ in Float(random.normal()) }
        let data = VectorTable(name: "random", rows: rows, dim: 4)
        let p = TSNE.jointProbabilities(NearestNeighbors.exact(data, k: 15), perplexity: 5)
        let y = randomLayout(n, seed: 3, duplicates: 5)
        let parallel = TSNEWorkspace(positions: y, affinities: p)
        let serial = TSNEWorkspace(positions: y, affinities: p, serial: true)
        let a = parallel.computeGradient(theta: 0.5, exaggeration: 12, withError: true)
        let b = serial.computeGradient(theta: 0.5, exaggeration: 12, withError: true)
        XCTAssertEqual(a, b)
        XCTAssert(a.isFinite)
        XCTAssertEqual(parallel.currentGradient, serial.currentGradient)
    }

    // MARK: - Quadtree

    func testQuadTreeHandlesCoincidentPoints() {
        // 50 copies of one point, 50 of another and two points 1e-300 apart.
        var y: [Double] = []
        for i in 0..<100 { y += i < 50 ? [1, 1] : [-3, 2] }
        y += [0, 0, 1e-300, 0]
        var tree = QuadTree()
        y.withUnsafeBufferPointer { tree.build($0.baseAddress!, count: 102) }
        XCTAssertEqual(tree.nodes[0].size, 102)
        XCTAssertEqual(tree.nodes[0].next, tree.nodes.count)
        XCTAssertEqual(Set(tree.order).count, 102)
        XCTAssertLessThan(tree.nodes.count, 102 + 2 * QuadTree.maxDepth)
        let leaves = tree.nodes.filter { $0.width2 < 0 }
        XCTAssertEqual(leaves.reduce(0) { $0 + $1.size }, 102)
        // Exact repulsion on a copy: 49 other copies at q = 1 plus the rest.
        let (fx, fy, z) = tree.nodes.withUnsafeBufferPointer { QuadTree.repulsion(x: 1, y: 1, theta2: 0, nodes: $0) }
        var expected = (0.0, 0.0, 0.0)
        for j in 1..<102 {
            let dx = 1 - y[2 * j]
            let dy = 1 - y[2 * j + 1]
            let q = 1 / (1 + dx * dx + dy * dy)
            expected.0 += q * q * dx
            expected.1 += q * q * dy
            expected.2 += q
        }
        XCTAssertEqual(fx, expected.0, accuracy: 1e-12)
        XCTAssertEqual(fy, expected.1, accuracy: 1e-12)
        XCTAssertEqual(z, expected.2, accuracy: 1e-9)
    }
}
