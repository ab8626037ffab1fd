import FederIndex
import Foundation

/// UMAP (McInnes, Healy & Melville 2018) following umap-learn 0.5's algorithm and defaults: a fuzzy simplicial
/// set from the k nearest neighbours (`smooth_knn_dist`, `compute_membership_strengths`, fuzzy union), a
/// spectral initialisation (PCA when the graph is disconnected), and SGD with negative sampling over the
/// epochs umap-learn uses (500 up to 10,000 points, 200 above), single-threaded so a seed fixes the result.
public struct UMAP: Sendable {
    public var neighbors = 15
    public var minDist = 0.1
    public var spread = 1.0
    /// nil: 500 epochs for up to 10,000 points, 200 above (umap-learn's default).
    public var epochs: Int?
    public var learningRate = 1.0
    public var negativeSampleRate = 5
    public var repulsionStrength = 1.0
    public var seed: UInt64 = 1
    /// Up to this many points the neighbour graph is exact; above, it comes from NN-descent.
    public static let exactLimit = 4096

    public init() {}

    /// 2-D coordinates, one per row.
    /// - Complexity: O(n²·d) for the exact neighbour graph, then O(epochs · edges · negativeSampleRate).
    public func embed(_ table: VectorTable) -> [SIMD2<Double>] {
        let n = table.count
        if n <= 2 { return (0..<n).map { SIMD2<Double>(Double($0), 0) } }
        let k = min(neighbors, n)
        // Exact neighbours for small sets, NN-descent above 4,096 points (as umap-learn switches to pynndescent).
        let graph = n > Self.exactLimit ? NNDescent.graph(table, k: k - 1, seed: seed) : NearestNeighbors.exact(table, k: k - 1)
        return embed(graph: graph, table: table, k: k)
    }

    /// The embedding from a precomputed neighbour graph (self excluded, `k − 1` neighbours per row).
    public func embed(graph: NeighborGraph, table: VectorTable, k: Int) -> [SIMD2<Double>] {
        let n = graph.count
        let edges = Self.fuzzySimplicialSet(graph, k: k)
        let (a, b) = Self.curveParameters(spread: spread, minDist: minDist)
        let epochCount = epochs ?? (n <= 10_000 ? 500 : 200)
        var random = SeededRandom(seed: seed)
        var embedding = Self.spectralLayout(edges: edges, count: n, random: &random) ?? Self.pcaLayout(table)
        // umap-learn: expand to |max| 10, add tiny noise, then rescale each axis to 0…10.
        let largest = max(embedding.map { max(abs($0.x), abs($0.y)) }.max() ?? 1, 1e-12)
        embedding = embedding.map {
            SIMD2<Double>($0.x * 10 / largest + random.normal() * 1e-4, $0.y * 10 / largest + random.normal() * 1e-4)
        }
        embedding = Self.rescale(embedding, to: 10)
        return optimize(embedding, edges: edges, a: a, b: b, epochs: epochCount, random: &random)
    }

    // MARK: fuzzy simplicial set

    struct Edge {
        var head: Int32
        var tail: Int32
        var weight: Double
    }

    /// umap-learn `fuzzy_simplicial_set`: per-point rho and sigma, membership strengths, then the fuzzy union
    /// A + Aᵀ − A∘Aᵀ; edges sorted by (head, tail) like scipy's COO after `sum_duplicates`.
    static func fuzzySimplicialSet(_ graph: NeighborGraph, k: Int) -> [Edge] {
        let n = graph.count
        let target = log2(Double(k))
        let allDistances = graph.distances.map(Double.init)
        let meanDistances = allDistances.isEmpty ? 0 : allDistances.reduce(0, +) / Double(n * (graph.k + 1))
        var directed: [Int: Double] = [:]
        directed.reserveCapacity(n * graph.k)
        for row in 0..<n {
            let distances = graph.distances(of: row).map(Double.init)
            let nonZero = distances.filter { $0 > 0 }
            let rho = nonZero.first ?? 0
            var low = 0.0
            var high = Double.infinity
            var mid = 1.0
            for _ in 0..<64 {
                var sum = 0.0
                for d in distances {
                    let shifted = d - rho
                    sum += shifted > 0 ? exp(-(shifted / mid)) : 1
                }
                if abs(sum - target) < 1e-5 { break }
                if sum > target {
                    high = mid
                    mid = (low + high) / 2
                } else {
                    low = mid
                    mid = high.isInfinite ? mid * 2 : (low + high) / 2
                }
            }
            // The mean over the k entries umap-learn holds, self (distance 0) included.
            let meanRow = distances.reduce(0, +) / Double(distances.count + 1)
            if rho > 0 {
                mid = max(mid, 1e-3 * meanRow)
            } else {
                mid = max(mid, 1e-3 * meanDistances)
            }
            for (slot, neighbor) in graph.neighbors(of: row).enumerated() {
                let d = distances[slot]
                let value = (d - rho <= 0 || mid == 0) ? 1 : exp(-((d - rho) / mid))
                directed[row * n + Int(neighbor)] = value
            }
        }
        var symmetric: [Int: Double] = [:]
        symmetric.reserveCapacity(directed.count * 2)
        for (key, value) in directed {
            let row = key / n
            let column = key % n
            let transposed = directed[column * n + row] ?? 0
            let union = value + transposed - value * transposed
            symmetric[key] = union
            symmetric[column * n + row] = union
        }
        return symmetric.keys.sorted().compactMap { key in
            guard let weight = symmetric[key], weight > 0 else { return nil }
            return Edge(head: Int32(key / n), tail: Int32(key % n), weight: weight)
        }
    }

    /// umap-learn `find_ab_params`: least-squares fit of 1 / (1 + a·x^(2b)) to the target curve.
    static func curveParameters(spread: Double, minDist: Double) -> (Double, Double) {
        let xs = (0..<300).map { Double($0) * spread * 3 / 299 }
        let ys = xs.map { $0 < minDist ? 1 : exp(-($0 - minDist) / spread) }
        var a = 1.0
        var b = 1.0
        var lambda = 1e-3
        func residual(_ a: Double, _ b: Double) -> Double {
            zip(xs, ys).reduce(0) { sum, pair in
                let f = 1 / (1 + a * pow(pair.0, 2 * b))
                return sum + (f - pair.1) * (f - pair.1)
            }
        }
        var current = residual(a, b)
        for _ in 0..<500 {
            // Levenberg–Marquardt on (a, b).
            var jtj = [0.0, 0.0, 0.0]
            var jtr = [0.0, 0.0]
            for (x, y) in zip(xs, ys) where x > 0 {
                let p = pow(x, 2 * b)
                let denominator = 1 + a * p
                let f = 1 / denominator
                let da = -p / (denominator * denominator)
                let db = -a * p * 2 * log(x) / (denominator * denominator)
                let r = f - y
                jtj[0] += da * da
                jtj[1] += da * db
                jtj[2] += db * db
                jtr[0] += da * r
                jtr[1] += db * r
            }
            let m00 = jtj[0] * (1 + lambda)
            let m11 = jtj[2] * (1 + lambda)
            let determinant = m00 * m11 - jtj[1] * jtj[1]
            guard abs(determinant) > 1e-300 else { break }
            let stepA = -(m11 * jtr[0] - jtj[1] * jtr[1]) / determinant
            let stepB = -(-jtj[1] * jtr[0] + m00 * jtr[1]) / determinant
            let candidate = residual(a + stepA, b + stepB)
            if candidate < current {
                a += stepA
                b += stepB
                lambda /= 3
                if current - candidate < 1e-15 { break }
                current = candidate
            } else {
                lambda *= 4
                if lambda > 1e12 { break }
            }
        }
        return (a, b)
    }

    // MARK: initialisation

    /// The two smallest non-trivial eigenvectors of the normalised Laplacian I − D^-½ W D^-½, by subspace
    /// iteration on I + D^-½ W D^-½; nil when the graph is disconnected (umap-learn lays components out
    /// separately; here the caller falls back to PCA).
    static func spectralLayout(edges: [Edge], count n: Int, random: inout SeededRandom) -> [SIMD2<Double>]? {
        var degree = [Double](repeating: 0, count: n)
        for edge in edges { degree[Int(edge.head)] += edge.weight }
        guard degree.allSatisfy({ $0 > 0 }), isConnected(edges: edges, count: n) else { return nil }
        let inverseRoot = degree.map { 1 / $0.squareRoot() }
        let trivial = normalize(degree.map { $0.squareRoot() })
        func multiply(_ v: [Double]) -> [Double] {
            var out = v
            for edge in edges {
                out[Int(edge.head)] += edge.weight * inverseRoot[Int(edge.head)] * inverseRoot[Int(edge.tail)] * v[Int(edge.tail)]
            }
            return out
        }
        var basis = (0..<2).map { _ in (0..<n).map { _ in random.normal() } }
        // Until the subspace stops moving (umap-learn asks eigsh for tol 1e-4), at most 300 steps: this is only
        // the starting layout, and the SGD that follows does not need the eigenvectors to more digits.
        for iteration in 0..<300 {
            var next = basis.map(multiply)
            // Orthonormalise against the trivial vector and each other (Gram–Schmidt).
            for index in next.indices {
                next[index] = subtract(next[index], projection: trivial)
                for previous in 0..<index { next[index] = subtract(next[index], projection: next[previous]) }
                next[index] = normalize(next[index])
            }
            let change =
                zip(basis, next).map { old, new in
                    let dot = abs(zip(old, new).reduce(0) { $0 + $1.0 * $1.1 })
                    return 1 - dot
                }.max() ?? 0
            basis = next
            if iteration > 20, change < 1e-6 { break }
        }
        guard basis.allSatisfy({ $0.allSatisfy(\.isFinite) }) else { return nil }
        // Fixed signs: the largest-magnitude coordinate positive.
        for index in basis.indices {
            if let extreme = basis[index].max(by: { abs($0) < abs($1) }), extreme < 0 { basis[index] = basis[index].map { -$0 } }
        }
        return (0..<n).map { SIMD2<Double>(basis[0][$0], basis[1][$0]) }
    }

    static func isConnected(edges: [Edge], count n: Int) -> Bool {
        var sets = UnionFind(count: n)
        for edge in edges { sets.union(Int(edge.head), Int(edge.tail)) }
        return (0..<n).allSatisfy { sets.root($0) == 0 }
    }

    static func pcaLayout(_ table: VectorTable) -> [SIMD2<Double>] {
        let rows = (0..<table.count).map { table.row($0) }
        let pca = PCA.fit(rows, components: 2)
        return rows.map { pca.project($0) }
    }

    static func normalize(_ v: [Double]) -> [Double] {
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? v.map { $0 / norm } : v
    }

    static func subtract(_ v: [Double], projection onto: [Double]) -> [Double] {
        let dot = zip(v, onto).reduce(0) { $0 + $1.0 * $1.1 }
        return zip(v, onto).map { $0 - dot * $1 }
    }

    static func rescale(_ points: [SIMD2<Double>], to size: Double) -> [SIMD2<Double>] {
        let xs = points.map(\.x)
        let ys = points.map(\.y)
        let minX = xs.min() ?? 0
        let minY = ys.min() ?? 0
        let spanX = max((xs.max() ?? 1) - minX, 1e-12)
        let spanY = max((ys.max() ?? 1) - minY, 1e-12)
        return points.map { SIMD2<Double>(size * ($0.x - minX) / spanX, size * ($0.y - minY) / spanY) }
    }

    // MARK: optimisation

    /// umap-learn `optimize_layout_euclidean` (single-threaded, move_other = true, gradients clipped to ±4).
    func optimize(_ start: [SIMD2<Double>], edges all: [Edge], a: Double, b: Double, epochs: Int, random: inout SeededRandom) -> [SIMD2<
        Double
    >] {
        let n = start.count
        let maxWeight = all.map(\.weight).max() ?? 1
        let edges = all.filter { $0.weight >= maxWeight / Double(epochs) }
        var x = [Float](repeating: 0, count: n * 2)
        for (index, point) in start.enumerated() {
            x[2 * index] = Float(point.x)
            x[2 * index + 1] = Float(point.y)
        }
        let count = edges.count
        // Flat buffers: the loop below runs tens of millions of times.
        let heads = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(count, 1))
        let tails = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(count, 1))
        let perSample = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(count, 1))
        let perNegative = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(count, 1))
        let nextSample = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(count, 1))
        let nextNegative = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(count, 1))
        defer {
            for buffer in [perSample, perNegative, nextSample, nextNegative] { buffer.deallocate() }
            heads.deallocate()
            tails.deallocate()
        }
        for (index, edge) in edges.enumerated() {
            heads[index] = edge.head
            tails[index] = edge.tail
            perSample[index] = Double(epochs) / (Double(epochs) * edge.weight / maxWeight)
            perNegative[index] = perSample[index] / Double(negativeSampleRate)
            nextSample[index] = perSample[index]
            nextNegative[index] = perNegative[index]
        }
        let gamma = Float(repulsionStrength)
        let fa = Float(a)
        let fb = Float(b)
        @inline(__always) func clip(_ value: Float) -> Float { min(max(value, -4), 4) }
        x.withUnsafeMutableBufferPointer { y in
            for epoch in 0..<epochs {
                let alpha = Float(learningRate * (1 - Double(epoch) / Double(epochs)))
                let now = Double(epoch)
                for index in 0..<count where nextSample[index] <= now {
                    let j = Int(heads[index]) * 2
                    let k = Int(tails[index]) * 2
                    var dx = y[j] - y[k]
                    var dy = y[j + 1] - y[k + 1]
                    var distance = dx * dx + dy * dy
                    var coefficient: Float = 0
                    if distance > 0 {
                        // pow(d, b − 1) = pow(d, b) / d: one pow per update.
                        let powered = pow(distance, fb)
                        coefficient = -2 * fa * fb * (powered / distance) / (fa * powered + 1)
                    }
                    let gx = clip(coefficient * dx) * alpha
                    let gy = clip(coefficient * dy) * alpha
                    y[j] += gx
                    y[j + 1] += gy
                    y[k] -= gx
                    y[k + 1] -= gy
                    nextSample[index] += perSample[index]
                    let negatives = max(Int((now - nextNegative[index]) / perNegative[index]), 0)
                    for _ in 0..<negatives {
                        // A uniform vertex by multiply-shift (no 64-bit division in the hottest loop).
                        let other = Int(((random.next() >> 32) &* UInt64(n)) >> 32) * 2
                        dx = y[j] - y[other]
                        dy = y[j + 1] - y[other + 1]
                        distance = dx * dx + dy * dy
                        if distance > 0 {
                            coefficient = 2 * gamma * fb / ((0.001 + distance) * (fa * pow(distance, fb) + 1))
                        } else if j == other {
                            continue
                        } else {
                            coefficient = 0
                        }
                        y[j] += (coefficient > 0 ? clip(coefficient * dx) : 4) * alpha
                        y[j + 1] += (coefficient > 0 ? clip(coefficient * dy) : 4) * alpha
                    }
                    nextNegative[index] += Double(negatives) * perNegative[index]
                }
            }
        }
        return (0..<n).map { SIMD2<Double>(Double(x[2 * $0]), Double(x[2 * $0 + 1])) }
    }
}
