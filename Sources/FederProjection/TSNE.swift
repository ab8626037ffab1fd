import Dispatch
import FederIndex
import Foundation

/// Barnes–Hut t-SNE to two dimensions, after scikit-learn's `TSNE` (≥ 1.2 defaults: `init="pca"`,
/// `learning_rate="auto"`, `method="barnes_hut"`, `angle=0.5`).
///
/// The steps follow scikit-learn's `_fit` / `_tsne` / `_gradient_descent`:
/// 1. exact k nearest neighbours, k = min(n − 1, ⌊3·perplexity + 1⌋), on squared Euclidean distances;
/// 2. per row, a binary search (≤ 100 steps, tolerance 1e-5) for the Gaussian precision whose conditional
///    distribution has entropy log(perplexity) (`_binary_search_perplexity`);
/// 3. P = (P + Pᵀ) / sum, a sparse matrix over the neighbour pairs;
/// 4. the embedding starts at the first two principal components, scaled so the first has standard
///    deviation 1e-4;
/// 5. gradient descent with momentum 0.5 and P × `earlyExaggeration` for `exaggerationIterations`
///    iterations, then momentum 0.8 for the rest; per-coordinate gains (+0.2 on a sign change, ×0.8
///    otherwise, at least 0.01); every 50 iterations the KL divergence and the gradient norm are checked,
///    stopping a phase when the norm is ≤ 1e-7 or the error has not improved for 300 iterations
///    (`exaggerationIterations` in the first phase), as scikit-learn does.
///
/// The gradient is 4·(Σⱼ pᵢⱼ·qᵢⱼ·(yᵢ − yⱼ) − Σ_cells size·q²·(yᵢ − centre) / Z): the attraction exact over the
/// stored pairs, the repulsion and Z by Barnes–Hut on a `QuadTree` with angle `theta`.
///
/// Deviations from scikit-learn: the optimisation runs in `Double` (scikit-learn's gradient is `float32`);
/// the PCA start gets seeded Gaussian jitter of 1 % of its spread (std 1e-6), so `seed` matters and exact
/// duplicates start apart; a principal coordinate with no spread (all rows equal, d = 1, rows on a line)
/// starts from scikit-learn's random start instead (std 1e-4); the root cell is the points' tight bounding
/// box (scikit-learn pads it by 1e-3) and a cell's centre of mass is an exact mean; coincident points share a
/// leaf and count in Z (scikit-learn drops leaves within 1e-6 of the query); the first phase runs
/// min(`exaggerationIterations`, `iterations`) iterations (scikit-learn always runs 250); inputs scikit-learn rejects (n < 2, perplexity ≥ n,
/// d = 1 with two components) give an answer: n = 0 → [], n = 1 → [(0, 0)], k clamps to n − 1.
///
/// Deterministic: the same table, settings and seed give the same coordinates on every run, whatever the
/// number of cores (each point's sums run in a fixed order; totals are added in point order).
public struct TSNE: Sendable {
    /// The effective number of neighbours each point's conditional distribution spreads over.
    public var perplexity: Double = 30
    /// Total gradient-descent iterations, the exaggerated ones included (scikit-learn's `max_iter`).
    public var iterations: Int = 1000
    /// The factor P is multiplied by during the first `exaggerationIterations` iterations.
    public var earlyExaggeration: Double = 12
    /// Iterations with exaggerated P and momentum 0.5 before the momentum-0.8 phase.
    public var exaggerationIterations: Int = 250
    /// The Barnes–Hut angle: a cell is summarised when its width / distance < theta (0 = exact repulsion).
    public var theta: Double = 0.5
    /// Gradient-descent step; nil is scikit-learn's "auto", max(n / earlyExaggeration / 4, 50).
    public var learningRate: Double? = nil
    /// Seeds the jitter added to the PCA start (and the random start of a degenerate coordinate).
    public var seed: UInt64 = 1

    /// Uses scikit-learn's defaults.
    public init() {}

    /// scikit-learn's `min_grad_norm`.
    static let minGradientNorm = 1e-7
    /// scikit-learn's `n_iter_without_progress` (the second phase's patience).
    static let iterationsWithoutProgress = 300
    /// scikit-learn's `_N_ITER_CHECK`: how often the error and gradient norm are checked.
    static let checkInterval = 50
    /// Standard deviation of the first coordinate at the start (scikit-learn's PCA rescaling).
    static let initialSpread = 1e-4
    /// Standard deviation of the seeded jitter on the PCA start.
    static let jitter = 1e-6

    /// 2-D coordinates, one point per row.
    ///
    /// - Complexity: O(n²·d) for the exact neighbours, O(n·d² + d³) for the PCA start, then
    ///   O(iterations · n·(log n / θ² + k)) for the optimisation (k ≈ 3·perplexity); memory O(n·k).
    public func embed(_ table: VectorTable) -> [SIMD2<Double>] {
        precondition(perplexity > 0, "t-SNE perplexity must be positive")
        precondition(iterations >= 0 && exaggerationIterations >= 0, "t-SNE iteration counts must not be negative")
        precondition(earlyExaggeration > 0, "t-SNE early exaggeration must be positive")
        precondition(theta >= 0, "t-SNE angle must not be negative")
        precondition(learningRate.map { $0 > 0 } ?? true, "t-SNE learning rate must be positive")
        let n = table.count
        guard n > 1 else { return n == 1 ? [SIMD2<Double>(0, 0)] : [] }
        let k = Int(min(Double(n - 1), (3 * perplexity + 1).rounded(.down)))
        let graph = NearestNeighbors.exact(table, k: k)
        let affinities = TSNE.jointProbabilities(graph, perplexity: perplexity)
        var positions = initialPositions(table)
        optimize(&positions, affinities: affinities)
        return (0..<n).map { SIMD2<Double>(positions[2 * $0], positions[2 * $0 + 1]) }
    }

    // MARK: - Input affinities

    /// Per row, the conditional distribution over its `k` neighbours whose entropy is log(perplexity), by
    /// scikit-learn's binary search on the Gaussian precision β (start 1, doubled or halved until bracketed,
    /// then bisected; ≤ 100 steps; done when |entropy − log perplexity| ≤ 1e-5). Rows are independent and
    /// run in parallel.
    ///
    /// - Complexity: O(n·k·steps).
    static func conditionalProbabilities(squaredDistances: [Float], count n: Int, k: Int, perplexity: Double) -> [Double] {
        guard n > 0, k > 0 else { return [] }
        let output = DisjointBuffer<Double>(repeating: 0, count: n * k)
        // scikit-learn's constants are C floats.
        let desiredEntropy = log(Double(Float(perplexity)))
        let tolerance = Double(Float(1e-5))
        let emptySum = Double(Float(1e-8))
        parallelChunks(count: n, chunk: 64) { rows in
            squaredDistances.withUnsafeBufferPointer { distances in
                for i in rows {
                    let d = UnsafeBufferPointer(rebasing: distances[(i * k)..<(i * k + k)])
                    let p = UnsafeMutableBufferPointer(rebasing: output.pointer[(i * k)..<(i * k + k)])
                    var beta = 1.0
                    var betaMin = -Double.infinity
                    var betaMax = Double.infinity
                    for _ in 0..<100 {
                        var sum = 0.0
                        for j in 0..<k {
                            p[j] = exp(-Double(d[j]) * beta)
                            sum += p[j]
                        }
                        if sum == 0 { sum = emptySum }
                        var weighted = 0.0
                        for j in 0..<k {
                            p[j] /= sum
                            weighted += Double(d[j]) * p[j]
                        }
                        let difference = log(sum) + beta * weighted - desiredEntropy
                        if abs(difference) <= tolerance { break }
                        if difference > 0 {
                            betaMin = beta
                            beta = betaMax == .infinity ? beta * 2 : (beta + betaMax) / 2
                        } else {
                            betaMax = beta
                            beta = betaMin == -.infinity ? beta / 2 : (beta + betaMin) / 2
                        }
                    }
                }
            }
        }
        return output.elements
    }

    /// The symmetric joint probabilities P = (P + Pᵀ) / sum over the neighbour graph, rows in CSR form with
    /// ascending columns.
    ///
    /// - Complexity: O(n·k·log k).
    static func jointProbabilities(_ graph: NeighborGraph, perplexity: Double) -> SparseAffinities {
        let n = graph.count
        let k = graph.k
        guard n > 0, k > 0 else { return SparseAffinities(rowStart: [Int](repeating: 0, count: n + 1), columns: [], values: []) }
        // scikit-learn squares the Euclidean distances and hands them over as float32.
        let squared = graph.distances.map { Float(Double($0) * Double($0)) }
        let conditional = conditionalProbabilities(squaredDistances: squared, count: n, k: k, perplexity: perplexity)
        // Row i of P + Pᵀ: its own k entries and every (j → i) entry transposed.
        var rowStart = [Int](repeating: 0, count: n + 1)
        for i in 0..<n { rowStart[i + 1] = k }
        for j in graph.indices { rowStart[Int(j) + 1] += 1 }
        for i in 0..<n { rowStart[i + 1] += rowStart[i] }
        var fill = Array(rowStart[0..<n])
        var columns = [Int32](repeating: 0, count: rowStart[n])
        var values = [Double](repeating: 0, count: rowStart[n])
        for i in 0..<n {
            for slot in 0..<k {
                let j = Int(graph.indices[i * k + slot])
                let p = conditional[i * k + slot]
                columns[fill[i]] = Int32(j)
                values[fill[i]] = p
                fill[i] += 1
                columns[fill[j]] = Int32(i)
                values[fill[j]] = p
                fill[j] += 1
            }
        }
        // Sort each row by column and add the two halves of a mutual pair (a + b, exact in either order).
        var outStart = [Int](repeating: 0, count: n + 1)
        var outColumns: [Int32] = []
        var outValues: [Double] = []
        outColumns.reserveCapacity(columns.count)
        outValues.reserveCapacity(values.count)
        var entries: [(Int32, Double)] = []
        for i in 0..<n {
            entries.removeAll(keepingCapacity: true)
            for e in rowStart[i]..<rowStart[i + 1] { entries.append((columns[e], values[e])) }
            entries.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
            for (column, value) in entries {
                if outColumns.count > outStart[i], outColumns[outColumns.count - 1] == column {
                    outValues[outValues.count - 1] += value
                } else {
                    outColumns.append(column)
                    outValues.append(value)
                }
            }
            outStart[i + 1] = outColumns.count
        }
        var total = 0.0
        for value in outValues { total += value }
        let divisor = max(total, Double.ulpOfOne)
        for e in outValues.indices { outValues[e] /= divisor }
        return SparseAffinities(rowStart: outStart, columns: outColumns, values: outValues)
    }

    // MARK: - Start

    /// scikit-learn's PCA start: the first two principal coordinates divided by the first one's (population)
    /// standard deviation times 1e-4, plus seeded jitter; a coordinate with no spread starts random (std 1e-4).
    ///
    /// - Complexity: O(n·d² + d³).
    func initialPositions(_ table: VectorTable) -> [Double] {
        let n = table.count
        let pca = PCA.fit((0..<n).map { table.row($0) }, components: 2, seed: 1)
        var projected = [Double](repeating: 0, count: 2 * n)
        for i in 0..<n {
            let point = pca.project(pointer: table.rowPointer(i), dim: table.dim)
            projected[2 * i] = point.x
            projected[2 * i + 1] = point.y
        }
        func deviation(_ axis: Int) -> Double {
            var mean = 0.0
            for i in 0..<n { mean += projected[2 * i + axis] }
            mean /= Double(n)
            var sum = 0.0
            for i in 0..<n { sum += (projected[2 * i + axis] - mean) * (projected[2 * i + axis] - mean) }
            return (sum / Double(n)).squareRoot()
        }
        let first = deviation(0)
        let scale = first > 0 && first.isFinite ? TSNE.initialSpread / first : 0
        let informative = [scale > 0, scale > 0 && (deviation(1) * scale).isFinite && deviation(1) * scale > 1e-12 * TSNE.initialSpread]
        var random = SeededRandom(seed: seed)
        var positions = [Double](repeating: 0, count: 2 * n)
        for i in 0..<n {
            for axis in 0..<2 {
                let noise = random.normal()
                positions[2 * i + axis] =
                    informative[axis]
                    ? projected[2 * i + axis] * scale + TSNE.jitter * noise : TSNE.initialSpread * noise
            }
        }
        return positions
    }

    // MARK: - Optimisation

    /// scikit-learn's two-phase `_gradient_descent` on `positions` (interleaved x, y).
    func optimize(_ positions: inout [Double], affinities: SparseAffinities) {
        let n = positions.count / 2
        let rate = learningRate ?? max(Double(n) / earlyExaggeration / 4, 50)
        let workspace = TSNEWorkspace(positions: positions, affinities: affinities)
        let exaggerated = min(exaggerationIterations, iterations)
        let last = workspace.descend(
            from: 0, to: exaggerated, momentum: 0.5, rate: rate, exaggeration: earlyExaggeration,
            theta: theta, patience: exaggerated)
        workspace.descend(
            from: last + 1, to: iterations, momentum: 0.8, rate: rate, exaggeration: 1, theta: theta,
            patience: TSNE.iterationsWithoutProgress)
        positions = workspace.currentPositions
    }

    private static let cores = ProcessInfo.processInfo.activeProcessorCount

    /// Runs `body` over consecutive ranges of `0..<count`, in parallel when there is enough work. Each range
    /// must write only its own outputs; the result is the same either way.
    static func parallelChunks(count: Int, chunk: Int, serial: Bool = false, _ body: @Sendable (Range<Int>) -> Void) {
        let chunks = (count + chunk - 1) / chunk
        if serial || chunks <= 1 || cores == 1 {
            if count > 0 { body(0..<count) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            body((c * chunk)..<min(count, (c + 1) * chunk))
        }
    }
}

/// P as a sparse symmetric matrix: row i's entries are `rowStart[i] ..< rowStart[i + 1]`.
struct SparseAffinities: Sendable {
    var rowStart: [Int]
    var columns: [Int32]
    var values: [Double]
}

/// The optimiser's state (positions, step, gains, gradient and per-point partial sums), in buffers that
/// parallel chunks write by disjoint point.
final class TSNEWorkspace {
    let n: Int
    let affinities: SparseAffinities
    private let positions: DisjointBuffer<Double>
    let update: DisjointBuffer<Double>
    let gains: DisjointBuffer<Double>
    let gradient: DisjointBuffer<Double>
    let repulsion: DisjointBuffer<Double>
    /// Per point: Σ size·q over the other points; the KL terms of its row.
    let normaliser: DisjointBuffer<Double>
    let error: DisjointBuffer<Double>
    var tree = QuadTree()
    /// Runs every pass on the calling thread (for checking that the parallel passes give the same numbers).
    let serial: Bool

    init(positions start: [Double], affinities: SparseAffinities, serial: Bool = false) {
        n = start.count / 2
        self.serial = serial
        self.affinities = affinities
        positions = DisjointBuffer(repeating: 0, count: 2 * n)
        for (i, value) in start.prefix(2 * n).enumerated() { positions[i] = value }
        update = DisjointBuffer(repeating: 0, count: 2 * n)
        gains = DisjointBuffer(repeating: 0, count: 2 * n)
        gradient = DisjointBuffer(repeating: 0, count: 2 * n)
        repulsion = DisjointBuffer(repeating: 0, count: 2 * n)
        normaliser = DisjointBuffer(repeating: 0, count: n)
        error = DisjointBuffer(repeating: 0, count: n)
    }

    var currentPositions: [Double] { positions.elements }

    /// One phase of scikit-learn's `_gradient_descent` over iterations `start ..< end`: fresh step and gains,
    /// a check every 50 iterations (counted from 0 overall). Returns the last iteration run (`end − 1` if it
    /// ran to the end, `start − 1` if it ran none).
    @discardableResult
    func descend(
        from start: Int, to end: Int, momentum: Double, rate: Double, exaggeration: Double, theta: Double,
        patience: Int
    ) -> Int {
        guard start < end else { return start - 1 }
        update.pointer.update(repeating: 0)
        gains.pointer.update(repeating: 1)
        var bestError = Double.greatestFiniteMagnitude
        var bestIteration = start
        for iteration in start..<end {
            let check = (iteration + 1) % TSNE.checkInterval == 0
            let kl = computeGradient(theta: theta, exaggeration: exaggeration, withError: check || iteration == end - 1)
            var norm = 0.0
            for c in 0..<(2 * n) {
                var g = gradient[c]
                gains[c] = max(update[c] * g < 0 ? gains[c] + 0.2 : gains[c] * 0.8, 0.01)
                g *= gains[c]
                norm += g * g
                update[c] = momentum * update[c] - rate * g
                positions[c] += update[c]
            }
            if check {
                if kl < bestError {
                    bestError = kl
                    bestIteration = iteration
                } else if iteration - bestIteration > patience {
                    return iteration
                }
                if norm.squareRoot() <= TSNE.minGradientNorm { return iteration }
            }
        }
        return end - 1
    }

    /// Fills `gradient` with the KL gradient at the current positions (P × `exaggeration`), scikit-learn's
    /// `_kl_divergence_bh`; returns its KL estimate over the stored pairs when `withError`, else NaN.
    ///
    /// - Complexity: O(n·log n) to build the tree, O(n·(log n / θ² + k)) for the forces, spread over cores.
    func computeGradient(theta: Double, exaggeration: Double, withError: Bool) -> Double {
        let n = self.n
        if let base = positions.pointer.baseAddress { tree.build(base, count: n) }
        let nodes = tree.nodes
        let order = tree.order
        let theta2 = theta * theta
        let positions = self.positions
        let repulsion = self.repulsion
        let normaliser = self.normaliser
        // Repulsion, walking the points in leaf order so neighbouring queries share cached nodes.
        TSNE.parallelChunks(count: n, chunk: 128, serial: serial) { range in
            nodes.withUnsafeBufferPointer { nodes in
                order.withUnsafeBufferPointer { order in
                    for slot in range {
                        let i = Int(order[slot])
                        let (fx, fy, z) = QuadTree.repulsion(
                            x: positions.pointer[2 * i], y: positions.pointer[2 * i + 1], theta2: theta2, nodes: nodes)
                        repulsion.pointer[2 * i] = fx
                        repulsion.pointer[2 * i + 1] = fy
                        normaliser.pointer[i] = z
                    }
                }
            }
        }
        var total = 0.0
        for i in 0..<n { total += normaliser.pointer[i] }
        let z = max(total, Double.ulpOfOne)
        // Attraction over the stored pairs, then the gradient and the KL terms.
        let affinities = self.affinities
        let gradient = self.gradient
        let error = self.error
        let tiny = Double(Float.leastNormalMagnitude)
        TSNE.parallelChunks(count: n, chunk: 256, serial: serial) { range in
            affinities.rowStart.withUnsafeBufferPointer { rowStart in
                affinities.columns.withUnsafeBufferPointer { columns in
                    affinities.values.withUnsafeBufferPointer { values in
                        let y = positions.pointer
                        for i in range {
                            let xi = y[2 * i]
                            let yi = y[2 * i + 1]
                            var ax = 0.0
                            var ay = 0.0
                            var kl = 0.0
                            for e in rowStart[i]..<rowStart[i + 1] {
                                let j = Int(columns[e])
                                let p = values[e] * exaggeration
                                let dx = xi - y[2 * j]
                                let dy = yi - y[2 * j + 1]
                                let q = 1 / (1 + dx * dx + dy * dy)
                                let pq = p * q
                                ax += pq * dx
                                ay += pq * dy
                                if withError { kl += p * log(max(p, tiny) / max(q / z, tiny)) }
                            }
                            gradient.pointer[2 * i] = 4 * (ax - repulsion.pointer[2 * i] / z)
                            gradient.pointer[2 * i + 1] = 4 * (ay - repulsion.pointer[2 * i + 1] / z)
                            error.pointer[i] = kl
                        }
                    }
                }
            }
        }
        guard withError else { return .nan }
        var kl = 0.0
        for i in 0..<n { kl += self.error[i] }
        return kl
    }

    /// The gradient last computed, interleaved x, y.
    var currentGradient: [Double] { gradient.elements }
}
