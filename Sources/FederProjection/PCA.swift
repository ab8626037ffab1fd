/// A principal component projection fitted to a set of float rows.
///
/// `fit` centres the rows (mean in `Double`), forms the d×d sample covariance (divided by n − 1, or by 1 for
/// a single row) and finds its top eigenvectors:
/// - d ≤ 64: cyclic Jacobi eigen-decomposition of the whole covariance (exact to rounding);
/// - d > 64: subspace (orthogonal) iteration on the covariance with k + 8 vectors, a Rayleigh–Ritz step
///   (Jacobi on the small projected matrix) every iteration, until every wanted Ritz pair has a residual
///   ‖C·u − λ·u‖ ≤ 1e-10·λ₁ (at most 3000 iterations). The start block is drawn from `SeededRandom(seed:)`.
///
/// Components are orthonormal, ordered by decreasing variance, and signed so that the coordinate with the
/// largest magnitude (the first such on a tie) is positive. Everything is deterministic for a given input
/// and seed. Degenerate inputs give no NaN: no rows give an empty fit that projects to (0, 0); zero
/// variance gives zero eigenvalues (and ratios) with a valid orthonormal basis, so every row projects to
/// (0, 0).
///
/// - Complexity: O(n·d² + d³) for n rows of d values (the iterative path is O(n·d² + iterations·d²·k)).
public struct PCA: Equatable, Sendable {
    /// The mean of the fitted rows.
    public var mean: [Double]
    /// The principal directions, each a unit vector of `mean.count` values, by decreasing variance.
    public var components: [[Double]]
    /// The variance along each component (the covariance eigenvalues, clamped at 0).
    public var explainedVariance: [Double]
    /// Each component's share of the total variance (0 when there is none); they sum to at most 1.
    public var explainedVarianceRatio: [Double]

    public init(mean: [Double], components: [[Double]], explainedVariance: [Double], explainedVarianceRatio: [Double]) {
        self.mean = mean
        self.components = components
        self.explainedVariance = explainedVariance
        self.explainedVarianceRatio = explainedVarianceRatio
    }

    /// The largest dimension decomposed exactly with Jacobi; above it the subspace iteration runs.
    static let jacobiDimensionLimit = 64

    /// Fits the top `components` principal directions of `rows` (clamped to 0…d); all rows must have the same
    /// length.
    ///
    /// - Complexity: O(n·d² + d³).
    public static func fit(_ rows: [[Float]], components: Int = 2, seed: UInt64 = 1) -> PCA {
        guard let first = rows.first else {
            return PCA(mean: [], components: [], explainedVariance: [], explainedVarianceRatio: [])
        }
        let d = first.count
        precondition(rows.allSatisfy { $0.count == d }, "PCA rows must all have the same length")
        let k = min(max(components, 0), d)
        var mean = [Double](repeating: 0, count: d)
        for row in rows {
            for i in 0..<d { mean[i] += Double(row[i]) }
        }
        for i in 0..<d { mean[i] /= Double(rows.count) }

        let covariance = covarianceMatrix(rows, mean: mean)
        var total = 0.0
        for i in 0..<d { total += covariance[i * d + i] }
        let (values, vectors) =
            d <= jacobiDimensionLimit
            ? topEigenpairsExact(covariance, dimension: d, count: k)
            : topEigenpairsIterative(covariance, dimension: d, count: k, seed: seed)

        let variances = values.map { max($0, 0) }
        return PCA(
            mean: mean, components: vectors.map(signNormalized), explainedVariance: variances,
            explainedVarianceRatio: variances.map { total > 0 ? min($0 / total, 1) : 0 })
    }

    /// The coordinates of `row` along the first two components (0 for a missing one).
    public func project(_ row: [Float]) -> SIMD2<Double> {
        guard !components.isEmpty else { return SIMD2<Double>(0, 0) }
        precondition(row.count == mean.count, "the row has \(row.count) values, the fit \(mean.count)")
        return project { Double(row[$0]) }
    }

    /// The coordinates of the `dim` float32 values at `pointer` (read unaligned) along the first two
    /// components (0 for a missing one).
    public func project(pointer: UnsafeRawPointer, dim: Int) -> SIMD2<Double> {
        guard !components.isEmpty else { return SIMD2<Double>(0, 0) }
        precondition(dim == mean.count, "the row has \(dim) values, the fit \(mean.count)")
        return project { Double(pointer.loadUnaligned(fromByteOffset: $0 * MemoryLayout<Float>.stride, as: Float.self)) }
    }

    private func project(_ value: (Int) -> Double) -> SIMD2<Double> {
        var coordinates = (0.0, 0.0)
        for i in 0..<mean.count {
            let centred = value(i) - mean[i]
            coordinates.0 += centred * components[0][i]
            if components.count > 1 { coordinates.1 += centred * components[1][i] }
        }
        return SIMD2<Double>(coordinates.0, coordinates.1)
    }

    // MARK: - Linear algebra

    /// The d×d sample covariance, row-major. O(n·d²).
    static func covarianceMatrix(_ rows: [[Float]], mean: [Double]) -> [Double] {
        let d = mean.count
        var c = [Double](repeating: 0, count: d * d)
        var centred = [Double](repeating: 0, count: d)
        c.withUnsafeMutableBufferPointer { c in
            for row in rows {
                for i in 0..<d { centred[i] = Double(row[i]) - mean[i] }
                centred.withUnsafeBufferPointer { centred in
                    for i in 0..<d where centred[i] != 0 {
                        let ci = centred[i]
                        for j in i..<d { c[i * d + j] += ci * centred[j] }
                    }
                }
            }
        }
        let divisor = Double(max(rows.count - 1, 1))
        for i in 0..<d {
            for j in i..<d {
                c[i * d + j] /= divisor
                c[j * d + i] = c[i * d + j]
            }
        }
        return c
    }

    /// Cyclic Jacobi on a symmetric row-major `d`×`d` matrix: eigenvalues (unsorted) and the eigenvectors as
    /// the columns of a row-major matrix. O(d³) per sweep, a handful of sweeps.
    static func jacobi(_ matrix: [Double], dimension d: Int) -> (values: [Double], vectors: [Double]) {
        var a = matrix
        var v = [Double](repeating: 0, count: d * d)
        for i in 0..<d { v[i * d + i] = 1 }
        var norm = 0.0
        for x in a { norm += x * x }
        for _ in 0..<100 {
            var off = 0.0
            for p in 0..<d { for q in (p + 1)..<d { off += a[p * d + q] * a[p * d + q] } }
            if off <= 1e-32 * norm || off == 0 { break }
            for p in 0..<d {
                for q in (p + 1)..<d {
                    let apq = a[p * d + q]
                    if abs(apq) <= 1e-18 * (abs(a[p * d + p]) + abs(a[q * d + q])) {
                        a[p * d + q] = 0  // negligible next to both diagonal entries
                        a[q * d + p] = 0
                        continue
                    }
                    let theta = (a[q * d + q] - a[p * d + p]) / (2 * apq)
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot()
                    let s = t * c
                    for r in 0..<d {  // A ← A·J, V ← V·J
                        let arp = a[r * d + p]
                        let arq = a[r * d + q]
                        a[r * d + p] = c * arp - s * arq
                        a[r * d + q] = s * arp + c * arq
                        let vrp = v[r * d + p]
                        let vrq = v[r * d + q]
                        v[r * d + p] = c * vrp - s * vrq
                        v[r * d + q] = s * vrp + c * vrq
                    }
                    for r in 0..<d {  // A ← Jᵀ·A
                        let apr = a[p * d + r]
                        let aqr = a[q * d + r]
                        a[p * d + r] = c * apr - s * aqr
                        a[q * d + r] = s * apr + c * aqr
                    }
                    a[p * d + q] = 0
                    a[q * d + p] = 0
                }
            }
        }
        return ((0..<d).map { a[$0 * d + $0] }, v)
    }

    /// Indices of `values` by decreasing value, ties by index.
    private static func descendingOrder(_ values: [Double]) -> [Int] {
        values.indices.sorted { values[$0] > values[$1] || (values[$0] == values[$1] && $0 < $1) }
    }

    private static func topEigenpairsExact(_ c: [Double], dimension d: Int, count k: Int) -> ([Double], [[Double]]) {
        let (values, v) = jacobi(c, dimension: d)
        let order = descendingOrder(values).prefix(k)
        return (order.map { values[$0] }, order.map { column in (0..<d).map { v[$0 * d + column] } })
    }

    private static func topEigenpairsIterative(_ c: [Double], dimension d: Int, count k: Int, seed: UInt64)
        -> ([Double], [[Double]])
    {
        guard k > 0 else { return ([], []) }
        let p = min(d, k + 8)
        var random = SeededRandom(seed: seed)
        var basis = (0..<p).map { _ in (0..<d).map { _ in random.normal() } }
        orthonormalize(&basis, random: &random)
        var ritzValues: [Double] = []
        var ritzVectors: [[Double]] = []
        for _ in 0..<3000 {
            let images = multiply(c, basis, dimension: d)
            var h = [Double](repeating: 0, count: p * p)
            for i in 0..<p {
                for j in i..<p {
                    let x = (dot(basis[i], images[j]) + dot(basis[j], images[i])) / 2
                    h[i * p + j] = x
                    h[j * p + i] = x
                }
            }
            let (values, w) = jacobi(h, dimension: p)
            let order = descendingOrder(values)
            ritzValues = order.map { values[$0] }
            ritzVectors = order.map { combine(basis, weights: w, column: $0, size: p) }
            let ritzImages = order.map { combine(images, weights: w, column: $0, size: p) }
            var residual = 0.0
            for i in 0..<k {
                var sum = 0.0
                for r in 0..<d {
                    let e = ritzImages[i][r] - ritzValues[i] * ritzVectors[i][r]
                    sum += e * e
                }
                residual = max(residual, sum.squareRoot())
            }
            if residual <= 1e-10 * max(ritzValues[0], 0) { break }
            basis = ritzImages
            orthonormalize(&basis, random: &random)
        }
        return (Array(ritzValues.prefix(k)), Array(ritzVectors.prefix(k)))
    }

    /// Modified Gram–Schmidt, twice per vector; a vector that vanishes is replaced by a fresh random one.
    private static func orthonormalize(_ basis: inout [[Double]], random: inout SeededRandom) {
        for j in basis.indices {
            var v = basis[j]
            while true {
                let before = dot(v, v).squareRoot()
                for _ in 0..<2 {
                    for i in 0..<j {
                        let projection = dot(v, basis[i])
                        for r in v.indices { v[r] -= projection * basis[i][r] }
                    }
                }
                let after = dot(v, v).squareRoot()
                if after > 0 && after > 1e-10 * before {
                    basis[j] = v.map { $0 / after }
                    break
                }
                v = v.map { _ in random.normal() }
            }
        }
    }

    /// m·xₐ for every vector of `block`, m a row-major `d`×`d` matrix: the hot loop of the subspace
    /// iteration, O(d²·p), with p independent sums per matrix row.
    private static func multiply(_ m: [Double], _ block: [[Double]], dimension d: Int) -> [[Double]] {
        let p = block.count
        var transposed = [Double](repeating: 0, count: d * p)  // [j·p + a] = block[a][j]
        for a in 0..<p { for j in 0..<d { transposed[j * p + a] = block[a][j] } }
        var product = [Double](repeating: 0, count: p * d)  // [a·d + r]
        m.withUnsafeBufferPointer { m in
            transposed.withUnsafeBufferPointer { x in
                product.withUnsafeMutableBufferPointer { product in
                    for r in 0..<d {
                        var a = 0
                        while a < p {  // four vectors at a time, the sums in registers
                            let width = min(4, p - a)
                            var s0 = 0.0
                            var s1 = 0.0
                            var s2 = 0.0
                            var s3 = 0.0
                            for j in 0..<d {
                                let mrj = m[r * d + j]
                                let base = j * p + a
                                s0 += mrj * x[base]
                                if width > 1 { s1 += mrj * x[base + 1] }
                                if width > 2 { s2 += mrj * x[base + 2] }
                                if width > 3 { s3 += mrj * x[base + 3] }
                            }
                            product[a * d + r] = s0
                            if width > 1 { product[(a + 1) * d + r] = s1 }
                            if width > 2 { product[(a + 2) * d + r] = s2 }
                            if width > 3 { product[(a + 3) * d + r] = s3 }
                            a += width
                        }
                    }
                }
            }
        }
        return (0..<p).map { a in Array(product[(a * d)..<((a + 1) * d)]) }
    }

    private static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var sum = 0.0
        for i in a.indices { sum += a[i] * b[i] }
        return sum
    }

    /// Σₐ vectors[a]·weights[a, column] for a row-major `size`×`size` weight matrix.
    private static func combine(_ vectors: [[Double]], weights: [Double], column: Int, size: Int) -> [Double] {
        var out = [Double](repeating: 0, count: vectors.first?.count ?? 0)
        for a in 0..<size {
            let w = weights[a * size + column]
            for r in out.indices { out[r] += w * vectors[a][r] }
        }
        return out
    }

    /// Flips `v` so that its largest-magnitude coordinate (the first on a tie) is positive.
    private static func signNormalized(_ v: [Double]) -> [Double] {
        var largest = 0
        for i in v.indices where abs(v[i]) > abs(v[largest]) { largest = i }
        return v.isEmpty || v[largest] >= 0 ? v : v.map { -$0 }
    }
}
