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

    init(_ graph: HNSWLinks) {
        count = graph.count
        let forward = Self.links(graph, throughDeleted: true)
        let reverse = Self.reversed(forward, count: graph.count)
        all = Self.components(forward: forward, reverse: reverse, count: graph.count)
        if graph.hasDeleted {
            let liveForward = Self.links(graph, throughDeleted: false)
            live = Self.components(forward: liveForward, reverse: Self.reversed(liveForward, count: graph.count), count: graph.count)
        } else {
            live = nil
        }
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
    func hops(from sources: Set<Int>, to target: Int, graph: HNSWLinks) -> Int? {
        guard target >= 0, target < count else { return nil }
        if sources.contains(target) { return 0 }
        // Depth of every node seen from each end.
        var forwardSeen = Dictionary(uniqueKeysWithValues: sources.map { ($0, 0) })
        var backwardSeen: [Int: Int] = [target: 0]
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
                        guard neighbor >= 0, neighbor < self.count, forwardSeen[neighbor] == nil else { return }
                        forwardSeen[neighbor] = depth
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
                        guard backwardSeen[neighbor] == nil else { continue }
                        backwardSeen[neighbor] = backwardDepth
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

    /// Layer-0 links as CSR; without `throughDeleted`, deleted nodes keep no outgoing links.
    static func links(_ graph: HNSWLinks, throughDeleted: Bool) -> (offsets: [Int], targets: [Int32]) {
        var offsets = [Int](repeating: 0, count: graph.count + 1)
        var targets: [Int32] = []
        targets.reserveCapacity(graph.count * 16)
        for node in 0..<graph.count {
            if throughDeleted || !graph.isDeleted(node) {
                graph.neighbors(node, 0) { neighbor in
                    if neighbor >= 0, neighbor < graph.count { targets.append(Int32(neighbor)) }
                }
            }
            offsets[node + 1] = targets.count
        }
        return (offsets, targets)
    }

    static func reversed(_ forward: (offsets: [Int], targets: [Int32]), count: Int) -> (offsets: [Int], targets: [Int32]) {
        var offsets = [Int](repeating: 0, count: count + 1)
        for target in forward.targets { offsets[Int(target) + 1] += 1 }
        for node in 0..<count { offsets[node + 1] += offsets[node] }
        var fill = offsets
        var sources = [Int32](repeating: 0, count: forward.targets.count)
        for node in 0..<count {
            for slot in forward.offsets[node]..<forward.offsets[node + 1] {
                let target = Int(forward.targets[slot])
                sources[fill[target]] = Int32(node)
                fill[target] += 1
            }
        }
        return (offsets, sources)
    }

    /// Kosaraju: nodes in the order a forward depth-first walk finishes them, then components by walking the
    /// reversed links in the opposite order; then the links between components.
    static func components(
        forward: (offsets: [Int], targets: [Int32]), reverse: (offsets: [Int], targets: [Int32]), count: Int
    ) -> Components {
        var finished: [Int32] = []
        finished.reserveCapacity(count)
        var visited = [Bool](repeating: false, count: count)
        var stack: [(node: Int, slot: Int)] = []
        for root in 0..<count where !visited[root] {
            visited[root] = true
            stack.append((root, forward.offsets[root]))
            while let top = stack.last {
                if top.slot < forward.offsets[top.node + 1] {
                    stack[stack.count - 1].slot += 1
                    let next = Int(forward.targets[top.slot])
                    if !visited[next] {
                        visited[next] = true
                        stack.append((next, forward.offsets[next]))
                    }
                } else {
                    finished.append(Int32(top.node))
                    stack.removeLast()
                }
            }
        }
        var component = [Int32](repeating: -1, count: count)
        var components: Int32 = 0
        var pending: [Int] = []
        for root in finished.reversed().map(Int.init) where component[root] < 0 {
            component[root] = components
            pending.append(root)
            while let node = pending.popLast() {
                for slot in reverse.offsets[node]..<reverse.offsets[node + 1] {
                    let previous = Int(reverse.targets[slot])
                    if component[previous] < 0 {
                        component[previous] = components
                        pending.append(previous)
                    }
                }
            }
            components += 1
        }
        // Links between components, each once.
        var edges: [(Int32, Int32)] = []
        for node in 0..<count {
            for slot in forward.offsets[node]..<forward.offsets[node + 1] {
                let from = component[node]
                let to = component[Int(forward.targets[slot])]
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
