import FederIndex
/// Reachability along a graph's layer-0 links, worked out once so that explaining each query's misses costs a
/// few lookups instead of a walk over the whole graph.
///
/// The strongly connected components of layer 0 (and, with deletes, of layer 0 with deleted nodes as dead ends)
/// and the graph of components between them answer "does a path lead from u to v"; the reversed links give the
/// hop distance from a search's scored nodes to a node it missed by a search from both ends.
final class LayerZeroReach: Sendable {
    /// Components and their links, for one way of walking the graph.
    struct Components: Sendable {
        /// Each node's component.
        let component: [Int32]
        /// Links between components (CSR: `offsets[c]..<offsets[c+1]` into `targets`).
        let offsets: [Int]
        let targets: [Int32]

        /// Whether a path of links leads from `from` to `to`.
        func reaches(from: Int, to: Int) -> Bool {
            let start = Int(component[from])
            let goal = Int(component[to])
            if start == goal { return true }
            var seen: Set<Int> = [start]
            var stack = [start]
            while let current = stack.popLast() {
                for slot in offsets[current]..<offsets[current + 1] {
                    let next = Int(targets[slot])
                    if next == goal { return true }
                    if seen.insert(next).inserted { stack.append(next) }
                }
            }
            return false
        }
    }

    let count: Int
    /// Walking through deleted nodes (what hnswlib's search does).
    let all: Components
    /// Deleted nodes as dead ends (nil without deletes: the same as `all`).
    let live: Components?
    /// Reversed layer-0 links through every node (CSR).
    let reverseOffsets: [Int]
    let reverseSources: [Int32]

    init(_ graph: LayeredGraph) {
        count = graph.count
        // Only the reversed links are held (the forward ones are read from the file): at 1M nodes and M 12 a
        // copy of either is ~100 MB.
        let reverse = Self.reversedLinks(graph, throughDeleted: true)
        all = Self.components(graph, reverse: reverse, throughDeleted: true)
        live =
            graph.hasDeleted
            ? Self.components(graph, reverse: Self.reversedLinks(graph, throughDeleted: false), throughDeleted: false) : nil
        reverseOffsets = reverse.offsets
        reverseSources = reverse.targets
    }

    /// Whether layer-0 links lead from `from` to `to` (without `throughDeleted`, not through deleted nodes).
    func reaches(from: Int, to: Int, throughDeleted: Bool) -> Bool {
        guard from >= 0, from < count, to >= 0, to < count else { return false }
        return (throughDeleted ? all : live ?? all).reaches(from: from, to: to)
    }

    /// The fewest layer-0 links from any of `sources` to `target` (through deleted nodes), searching forward from
    /// the sources and backward from the target a level at a time, the smaller side first; nil when none leads
    /// there.
    func hops(from sources: Set<Int>, to target: Int, graph: LayeredGraph) -> Int? {
        guard target >= 0, target < count else { return nil }
        if sources.contains(target) { return 0 }
        // Depth of every node seen from each end.
        var forwardSeen = NodeDepths(capacity: sources.count * 4)
        for source in sources { forwardSeen.insert(source, depth: 0) }
        var backwardSeen = NodeDepths()
        backwardSeen.insert(target, depth: 0)
        var forwardFrontier = Array(sources).sorted()
        var backwardFrontier = [target]
        var forwardDepth = 0
        var backwardDepth = 0
        while !forwardFrontier.isEmpty, !backwardFrontier.isEmpty {
            var next: [Int] = []
            var best: Int?
            if forwardFrontier.count <= backwardFrontier.count {
                forwardDepth += 1
                let depth = forwardDepth
                for node in forwardFrontier {
                    graph.neighbors(node, 0) { neighbor in
                        guard neighbor >= 0, neighbor < self.count, forwardSeen.insert(neighbor, depth: depth) else { return }
                        next.append(neighbor)
                        if let other = backwardSeen[neighbor] { best = min(best ?? .max, depth + other) }
                    }
                }
                forwardFrontier = next
            } else {
                backwardDepth += 1
                for node in backwardFrontier {
                    for slot in reverseOffsets[node]..<reverseOffsets[node + 1] {
                        let neighbor = Int(reverseSources[slot])
                        guard backwardSeen.insert(neighbor, depth: backwardDepth) else { continue }
                        next.append(neighbor)
                        if let other = forwardSeen[neighbor] { best = min(best ?? .max, backwardDepth + other) }
                    }
                }
                backwardFrontier = next
            }
            // The first level at which the two searches meet holds a shortest path.
            if let best { return best }
        }
        return nil
    }

    /// Layer-0 links reversed, as CSR (`targets[offsets[v]..<offsets[v+1]]` are the nodes linking to v); without
    /// `throughDeleted`, deleted nodes link nowhere. Two passes over the file's links: count, then fill.
    static func reversedLinks(_ graph: LayeredGraph, throughDeleted: Bool) -> (offsets: [Int], targets: [Int32]) {
        let count = graph.count
        var offsets = [Int](repeating: 0, count: count + 1)
        for node in 0..<count where throughDeleted || !graph.isDeleted(node) {
            graph.neighbors(node, 0) { neighbor in
                if neighbor >= 0, neighbor < count { offsets[neighbor + 1] += 1 }
            }
        }
        for node in 0..<count { offsets[node + 1] += offsets[node] }
        var fill = offsets
        var sources = [Int32](repeating: 0, count: offsets[count])
        for node in 0..<count where throughDeleted || !graph.isDeleted(node) {
            graph.neighbors(node, 0) { neighbor in
                guard neighbor >= 0, neighbor < count else { return }
                sources[fill[neighbor]] = Int32(node)
                fill[neighbor] += 1
            }
        }
        return (offsets, sources)
    }

    /// Kosaraju with the passes swapped (the components of a graph and of its reverse are the same): nodes in
    /// the order a depth-first walk of the reversed links finishes them, then components by flooding the forward
    /// links (read from the file) in the opposite order; then the links between components.
    static func components(
        _ graph: LayeredGraph, reverse: (offsets: [Int], targets: [Int32]), throughDeleted: Bool
    ) -> Components {
        let count = graph.count
        var finished: [Int32] = []
        finished.reserveCapacity(count)
        var visited = [Bool](repeating: false, count: count)
        var stack: [(node: Int, slot: Int)] = []
        for root in 0..<count where !visited[root] {
            visited[root] = true
            stack.append((root, reverse.offsets[root]))
            while let top = stack.last {
                if top.slot < reverse.offsets[top.node + 1] {
                    stack[stack.count - 1].slot += 1
                    let next = Int(reverse.targets[top.slot])
                    if !visited[next] {
                        visited[next] = true
                        stack.append((next, reverse.offsets[next]))
                    }
                } else {
                    finished.append(Int32(top.node))
                    stack.removeLast()
                }
            }
        }
        visited = []
        func forward(_ node: Int, _ visit: (Int) -> Void) {
            guard throughDeleted || !graph.isDeleted(node) else { return }
            graph.neighbors(node, 0) { neighbor in if neighbor >= 0, neighbor < count { visit(neighbor) } }
        }
        var component = [Int32](repeating: -1, count: count)
        var components: Int32 = 0
        var pending: [Int] = []
        for root in finished.reversed().map(Int.init) where component[root] < 0 {
            component[root] = components
            pending.append(root)
            while let node = pending.popLast() {
                forward(node) { next in
                    if component[next] < 0 {
                        component[next] = components
                        pending.append(next)
                    }
                }
            }
            components += 1
        }
        finished = []
        // Links between components, each once.
        var edges: [(Int32, Int32)] = []
        for node in 0..<count {
            let from = component[node]
            forward(node) { next in
                let to = component[next]
                if from != to { edges.append((from, to)) }
            }
        }
        edges.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var offsets = [Int](repeating: 0, count: Int(components) + 1)
        var targets: [Int32] = []
        var previous: (Int32, Int32)?
        for edge in edges where previous.map({ $0 != edge }) ?? true {
            offsets[Int(edge.0) + 1] += 1
            targets.append(edge.1)
            previous = edge
        }
        for position in 0..<Int(components) { offsets[position + 1] += offsets[position] }
        return Components(component: component, offsets: offsets, targets: targets)
    }
}
