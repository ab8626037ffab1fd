import CFederKernels
import FederIndex
import Foundation

/// Approximate k-nearest neighbours by NN-descent (Dong, Moses & Li 2011), the method umap-learn uses (through
/// pynndescent) above 4,096 points: start from random neighbours, then repeatedly let every point's neighbours
/// introduce themselves to each other ("local join"), keeping the k best seen, until fewer than δ·n·k lists
/// change. Sequential and seeded, so a seed fixes the graph.
public enum NNDescent {
    /// - Complexity: about O(iterations · n · k² · d); memory O(n·k).
    public static func graph(_ table: VectorTable, k requested: Int, seed: UInt64 = 1, maxIterations: Int = 12, delta: Double = 0.001)
        -> NeighborGraph
    {
        let n = table.count
        let k = max(0, min(requested, n - 1))
        guard n > 1, k > 0 else { return NeighborGraph(count: n, k: k, indices: [], distances: []) }
        let dim = table.dim
        var random = SeededRandom(seed: seed)
        // Per point: k (squared distance, id, isNew) entries, sorted ascending (ties to the lower id).
        var distances = [Float](repeating: .infinity, count: n * k)
        var ids = [Int32](repeating: -1, count: n * k)
        var fresh = [Bool](repeating: false, count: n * k)

        @inline(__always) func distance(_ a: Int, _ b: Int) -> Float { feder_l2sqr(table.rowPointer(a), table.rowPointer(b), dim) }

        /// Inserts `candidate` into `row`'s list when it is better than the worst and not already there.
        @inline(__always) func push(_ row: Int, _ candidate: Int, _ d: Float) -> Bool {
            let base = row * k
            let worst = distances[base + k - 1]
            guard d < worst || (d == worst && Int32(candidate) < ids[base + k - 1]) else { return false }
            for slot in 0..<k where ids[base + slot] == Int32(candidate) { return false }
            var slot = k - 1
            while slot > 0, distances[base + slot - 1] > d || (distances[base + slot - 1] == d && ids[base + slot - 1] > Int32(candidate)) {
                distances[base + slot] = distances[base + slot - 1]
                ids[base + slot] = ids[base + slot - 1]
                fresh[base + slot] = fresh[base + slot - 1]
                slot -= 1
            }
            distances[base + slot] = d
            ids[base + slot] = Int32(candidate)
            fresh[base + slot] = true
            return true
        }

        for row in 0..<n {
            var added = 0
            var attempts = 0
            while added < k, attempts < 4 * k + 16 {
                attempts += 1
                let candidate = Int(((random.next() >> 32) &* UInt64(n)) >> 32)
                if candidate != row, push(row, candidate, distance(row, candidate)) { added += 1 }
            }
        }
        for _ in 0..<maxIterations {
            // New and old neighbours per point, including reverse ones (who lists me).
            var newLists = [[Int32]](repeating: [], count: n)
            var oldLists = [[Int32]](repeating: [], count: n)
            for row in 0..<n {
                for slot in 0..<k {
                    let id = ids[row * k + slot]
                    guard id >= 0 else { continue }
                    if fresh[row * k + slot] {
                        newLists[row].append(id)
                        newLists[Int(id)].append(Int32(row))
                        fresh[row * k + slot] = false
                    } else {
                        oldLists[row].append(id)
                        oldLists[Int(id)].append(Int32(row))
                    }
                }
            }
            var updates = 0
            for row in 0..<n {
                // Reverse lists can grow large: keep at most 2k of each, deterministically.
                let newOnes = Array(Set(newLists[row]).sorted().prefix(2 * k))
                let oldOnes = Array(Set(oldLists[row]).sorted().prefix(2 * k))
                for (position, a) in newOnes.enumerated() {
                    for b in newOnes[(position + 1)...] {
                        let d = distance(Int(a), Int(b))
                        if push(Int(a), Int(b), d) { updates += 1 }
                        if push(Int(b), Int(a), d) { updates += 1 }
                    }
                    for b in oldOnes where b != a {
                        let d = distance(Int(a), Int(b))
                        if push(Int(a), Int(b), d) { updates += 1 }
                        if push(Int(b), Int(a), d) { updates += 1 }
                    }
                }
            }
            if Double(updates) <= delta * Double(n * k) { break }
        }
        return NeighborGraph(count: n, k: k, indices: ids, distances: distances.map { max($0, 0).squareRoot() })
    }
}
