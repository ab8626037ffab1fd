import CFederKernels
import FederIndex
import Foundation

/// The k nearest neighbours of every row (itself excluded), Euclidean distances ascending, ties to the lower
/// row number: the graph UMAP and t-SNE start from.
public struct NeighborGraph: Sendable, Equatable {
    public var count: Int
    public var k: Int
    /// Row i's neighbours are `indices[i*k ..< (i+1)*k]`.
    public var indices: [Int32]
    /// Euclidean (not squared) distances, aligned with `indices`.
    public var distances: [Float]

    public func neighbors(of row: Int) -> ArraySlice<Int32> { indices[(row * k)..<((row + 1) * k)] }
    public func distances(of row: Int) -> ArraySlice<Float> { distances[(row * k)..<((row + 1) * k)] }
}

/// Exact k-nearest-neighbour search over a vector table, blocked for the cache and spread over all cores.
public enum NearestNeighbors {
    /// - Complexity: O(n²·d) distance work; memory O(n·k).
    public static func exact(_ table: VectorTable, k requested: Int) -> NeighborGraph {
        let n = table.count
        let k = max(0, min(requested, n - 1))
        guard n > 1, k > 0 else { return NeighborGraph(count: n, k: k, indices: [], distances: []) }
        let dim = table.dim
        let block = 32
        let blocks = (n + block - 1) / block
        let indices = DisjointBuffer<Int32>(repeating: 0, count: n * k)
        let distances = DisjointBuffer<Float>(repeating: 0, count: n * k)
        DispatchQueue.concurrentPerform(iterations: blocks) { blockIndex in
            let start = blockIndex * block
            let end = min(start + block, n)
            // Per query row: a sorted list (ascending squared distance, then row) of the best k so far.
            var bestD = [Float](repeating: .infinity, count: (end - start) * k)
            var bestI = [Int32](repeating: Int32.max, count: (end - start) * k)
            for j in 0..<n {
                let other = table.rowPointer(j)
                for i in start..<end where i != j {
                    let d = feder_l2sqr(table.rowPointer(i), other, dim)
                    let base = (i - start) * k
                    let worst = bestD[base + k - 1]
                    guard d < worst || (d == worst && Int32(j) < bestI[base + k - 1]) else { continue }
                    var slot = k - 1
                    while slot > 0, bestD[base + slot - 1] > d || (bestD[base + slot - 1] == d && bestI[base + slot - 1] > Int32(j)) {
                        bestD[base + slot] = bestD[base + slot - 1]
                        bestI[base + slot] = bestI[base + slot - 1]
                        slot -= 1
                    }
                    bestD[base + slot] = d
                    bestI[base + slot] = Int32(j)
                }
            }
            for i in start..<end {
                for slot in 0..<k {
                    indices[i * k + slot] = bestI[(i - start) * k + slot]
                    distances[i * k + slot] = bestD[(i - start) * k + slot].squareRoot()
                }
            }
        }
        return NeighborGraph(count: n, k: k, indices: indices.elements, distances: distances.elements)
    }
}
