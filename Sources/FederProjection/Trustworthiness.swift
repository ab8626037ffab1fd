import CFederKernels
import FederIndex
import Foundation

/// How well an embedding keeps each point's neighbourhood (Venna & Kaski; `sklearn.manifold.trustworthiness`).
public enum Trustworthiness {
    /// T(k) = 1 − 2 / (n·k·(2n − 3k − 1)) · Σᵢ Σ_{j ∈ Uᵢ} (r(i, j) − k), where Uᵢ holds the points among i's k
    /// nearest in the embedding that are not among its k nearest in the original space and r(i, j) is j's
    /// rank among i's neighbours in the original space.
    /// - Complexity: O(n²·d).
    public static func score(original table: VectorTable, embedding: [SIMD2<Double>], k: Int = 10) -> Double {
        let n = table.count
        guard n > 2 * k + 1, embedding.count == n else { return 1 }
        let dim = table.dim
        let shared = DisjointBuffer<Double>(repeating: 0, count: n)
        DispatchQueue.concurrentPerform(iterations: n) { i in
            // Original-space distances from i, ranked (ties by index, as a stable argsort).
            var original = [(Float, Int)](repeating: (0, 0), count: n)
            for j in 0..<n { original[j] = (j == i ? -1 : feder_l2sqr(table.rowPointer(i), table.rowPointer(j), dim), j) }
            original.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            var rank = [Int](repeating: 0, count: n)
            for (position, entry) in original.enumerated() { rank[entry.1] = position }
            // The k nearest in the embedding (self excluded).
            var embedded = (0..<n).filter { $0 != i }.map { j -> (Double, Int) in
                let dx = embedding[i].x - embedding[j].x
                let dy = embedding[i].y - embedding[j].y
                return (dx * dx + dy * dy, j)
            }
            embedded.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            var penalty = 0.0
            for (_, j) in embedded.prefix(k) where rank[j] > k { penalty += Double(rank[j] - k) }
            shared[i] = penalty
        }
        let total = shared.elements.reduce(0, +)
        return 1 - 2 / (Double(n) * Double(k) * (2 * Double(n) - 3 * Double(k) - 1)) * total
    }
}
