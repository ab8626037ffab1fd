/// A Barnes–Hut quadtree over 2-D points, the repulsive half of the t-SNE gradient.
///
/// Cells split at their centre, as scikit-learn's `_QuadTree` splits them (a point on a midline goes to the
/// upper half; the root is the points' bounding box, one rectangle per axis). Nodes are stored in preorder
/// with a skip link (`next`, the first node after the subtree) so a query walks the array front to back with
/// no stack: summarise a node and jump to `next`, or open it and step to the node after it.
///
/// A leaf holds one point, or every point at one exact position (duplicates never split), or whatever is
/// left at `maxDepth` (points closer than 2⁻⁹⁶ of the root's width), so coincident points cannot recurse
/// forever. Construction is a stable partition of the point order, a pure function of the positions.
///
/// - Complexity: building is O(n·depth) (depth ≈ log₄ n for spread-out points, at most `maxDepth`);
///   a query at angle θ visits O(log n / θ²) nodes.
struct QuadTree: Sendable {
    struct Node: Sendable {
        /// Centre of mass of the points below.
        var x: Double
        var y: Double
        /// Number of points below.
        var size: Double
        /// Squared longest side of the cell; −1 for a leaf, so a leaf always passes the summary test.
        var width2: Double
        /// Index of the first node after this subtree.
        var next: Int
    }

    /// The deepest split; a node this deep is a leaf whatever it holds.
    static let maxDepth = 96

    /// All nodes, root first, in preorder.
    private(set) var nodes: [Node] = []
    /// The point indices in leaf order (left to right), spatially coherent: a good order to query in.
    private(set) var order: [Int32] = []
    private var scratch: [Int32] = []

    init() {}

    /// Rebuilds the tree over `count` points stored as interleaved x, y pairs.
    ///
    /// - Complexity: O(n·depth).
    mutating func build(_ positions: UnsafePointer<Double>, count n: Int) {
        nodes.removeAll(keepingCapacity: true)
        if order.count != n {
            order = (0..<n).map { Int32($0) }
            scratch = order
        }
        guard n > 0 else { return }
        var minX = positions[0]
        var maxX = positions[0]
        var minY = positions[1]
        var maxY = positions[1]
        for i in 1..<n {
            let x = positions[2 * i]
            let y = positions[2 * i + 1]
            minX = min(minX, x)
            maxX = max(maxX, x)
            minY = min(minY, y)
            maxY = max(maxY, y)
        }
        var built: [Node] = []
        swap(&built, &nodes)
        built.reserveCapacity(2 * n + 1)
        order.withUnsafeMutableBufferPointer { order in
            scratch.withUnsafeMutableBufferPointer { scratch in
                guard let orderBase = order.baseAddress, let scratchBase = scratch.baseAddress else { return }
                var builder = Builder(positions: positions, order: orderBase, scratch: scratchBase)
                swap(&builder.nodes, &built)
                _ = builder.node(lo: 0, hi: n, minX: minX, maxX: maxX, minY: minY, maxY: maxY, depth: 0)
                swap(&builder.nodes, &built)
            }
        }
        swap(&built, &nodes)
    }

    /// The repulsive pull on a point at (`x`, `y`): Σ size·q²·(p − centre) over the summarised cells, with
    /// q = 1 / (1 + ‖p − centre‖²), and the partial normaliser Σ size·q over every other point.
    ///
    /// A cell is summarised when it is a leaf or its squared width is below `theta2`·distance²
    /// (scikit-learn's test). The query's own point counts once in its leaf (q = 1, no force) and is taken
    /// back out at the end; exact duplicates of it stay in (q = 1, no force), as the exact sum has them.
    ///
    /// - Complexity: O(nodes visited), O(log n / θ²) for spread-out points.
    @inline(__always)
    static func repulsion(
        x: Double, y: Double, theta2: Double, nodes: UnsafeBufferPointer<Node>
    ) -> (fx: Double, fy: Double, z: Double) {
        var fx = 0.0
        var fy = 0.0
        var z = 0.0
        var index = 0
        let end = nodes.count
        guard let base = nodes.baseAddress else { return (0, 0, 0) }
        while index < end {
            let node = base[index]
            let dx = x - node.x
            let dy = y - node.y
            let d2 = dx * dx + dy * dy
            if node.width2 < theta2 * d2 {
                let q = 1 / (1 + d2)
                let sq = node.size * q
                z += sq
                let m = sq * q
                fx += m * dx
                fy += m * dy
                index = node.next
            } else {
                index += 1
            }
        }
        return (fx, fy, z - 1)
    }

    /// The recursive partition: writes a node in preorder, splits its points into the four quadrants (stable)
    /// and returns the sum of their coordinates.
    private struct Builder {
        let positions: UnsafePointer<Double>
        let order: UnsafeMutablePointer<Int32>
        let scratch: UnsafeMutablePointer<Int32>
        var nodes: [Node] = []

        mutating func node(
            lo: Int, hi: Int, minX: Double, maxX: Double, minY: Double, maxY: Double, depth: Int
        ) -> (Double, Double) {
            let index = nodes.count
            let count = hi - lo
            let first = Int(order[lo])
            let firstX = positions[2 * first]
            let firstY = positions[2 * first + 1]
            if count == 1 {
                nodes.append(Node(x: firstX, y: firstY, size: 1, width2: -1, next: index + 1))
                return (firstX, firstY)
            }
            let centreX = (minX + maxX) / 2
            let centreY = (minY + maxY) / 2
            var counts = (0, 0, 0, 0)
            var sumX = 0.0
            var sumY = 0.0
            var allSame = true
            for k in lo..<hi {
                let p = Int(order[k])
                let x = positions[2 * p]
                let y = positions[2 * p + 1]
                sumX += x
                sumY += y
                allSame = allSame && x == firstX && y == firstY
                switch (x >= centreX, y >= centreY) {
                case (false, false): counts.0 += 1
                case (false, true): counts.1 += 1
                case (true, false): counts.2 += 1
                case (true, true): counts.3 += 1
                }
            }
            if allSame {
                nodes.append(Node(x: firstX, y: firstY, size: Double(count), width2: -1, next: index + 1))
                return (Double(count) * firstX, Double(count) * firstY)
            }
            if depth >= QuadTree.maxDepth {
                nodes.append(
                    Node(x: sumX / Double(count), y: sumY / Double(count), size: Double(count), width2: -1, next: index + 1))
                return (sumX, sumY)
            }
            // Stable scatter by quadrant (scikit-learn's child order: 2·[x ≥ cx] + [y ≥ cy]).
            var offsets = (lo, lo + counts.0, lo + counts.0 + counts.1, lo + counts.0 + counts.1 + counts.2)
            for k in lo..<hi {
                let p = order[k]
                let x = positions[2 * Int(p)]
                let y = positions[2 * Int(p) + 1]
                switch (x >= centreX, y >= centreY) {
                case (false, false):
                    scratch[offsets.0] = p
                    offsets.0 += 1
                case (false, true):
                    scratch[offsets.1] = p
                    offsets.1 += 1
                case (true, false):
                    scratch[offsets.2] = p
                    offsets.2 += 1
                case (true, true):
                    scratch[offsets.3] = p
                    offsets.3 += 1
                }
            }
            (order + lo).update(from: scratch + lo, count: count)
            let width = maxX - minX
            let height = maxY - minY
            nodes.append(Node(x: 0, y: 0, size: Double(count), width2: max(width * width, height * height), next: 0))
            // The children's sums, added in child order, give the centre of mass.
            var totalX = 0.0
            var totalY = 0.0
            var start = lo
            for child in 0..<4 {
                let size = child == 0 ? counts.0 : child == 1 ? counts.1 : child == 2 ? counts.2 : counts.3
                guard size > 0 else { continue }
                let upperX = child >= 2
                let upperY = child & 1 == 1
                let (sx, sy) = node(
                    lo: start, hi: start + size,
                    minX: upperX ? centreX : minX, maxX: upperX ? maxX : centreX,
                    minY: upperY ? centreY : minY, maxY: upperY ? maxY : centreY, depth: depth + 1)
                totalX += sx
                totalY += sy
                start += size
            }
            nodes[index].x = totalX / Double(count)
            nodes[index].y = totalY / Double(count)
            nodes[index].next = nodes.count
            return (totalX, totalY)
        }
    }
}
