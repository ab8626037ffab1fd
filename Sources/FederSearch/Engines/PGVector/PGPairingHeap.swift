/// PostgreSQL's pairing heap (`src/backend/lib/pairingheap.c`), node for node: the order among equal distances comes
/// from nothing but this structure and the order of its operations, so a scan that must return the server's ties in
/// the server's order needs this exact heap (pgvector-format.md §3.5).
///
/// Candidates live in `PGCandidates`; each has two nodes, as pgvector's `HnswSearchCandidate` has `c_node` (for the
/// nearest-first candidate heap) and `w_node` (for the furthest-first result heap, and for the discarded heap).
struct PGCandidates {
    var element: [Int32] = []
    var distance: [Double] = []
    /// Per node (candidate · 2 for `c_node`, + 1 for `w_node`).
    var firstChild: [Int32] = []
    var nextSibling: [Int32] = []

    /// A new candidate; returns its number.
    mutating func make(element: Int, distance: Double) -> Int32 {
        let candidate = Int32(self.element.count)
        self.element.append(Int32(element))
        self.distance.append(distance)
        firstChild.append(-1)
        firstChild.append(-1)
        nextSibling.append(-1)
        nextSibling.append(-1)
        return candidate
    }

    mutating func removeAll() {
        element.removeAll(keepingCapacity: true)
        distance.removeAll(keepingCapacity: true)
        firstChild.removeAll(keepingCapacity: true)
        nextSibling.removeAll(keepingCapacity: true)
    }

    @inline(__always) static func cNode(_ candidate: Int32) -> Int32 { candidate &* 2 }
    @inline(__always) static func wNode(_ candidate: Int32) -> Int32 { candidate &* 2 &+ 1 }
    @inline(__always) static func candidate(ofNode node: Int32) -> Int32 { node >> 1 }
}

/// One pairing heap over `PGCandidates` nodes. `nearestFirst`: the root is the smallest distance
/// (`CompareNearestCandidates`); otherwise the largest (`CompareFurthestCandidates`). Equal distances (and NaN, which
/// compares equal to everything here, as in C) never swap.
struct PGPairingHeap {
    let nearestFirst: Bool
    private(set) var root: Int32 = -1

    init(nearestFirst: Bool) { self.nearestFirst = nearestFirst }

    var isEmpty: Bool { root < 0 }

    /// `merge`: the node the comparator ranks lower becomes the other's first child; ties keep `a` on top.
    @inline(__always) private func merge(_ a: Int32, _ b: Int32, _ store: inout PGCandidates) -> Int32 {
        if a < 0 { return b }
        if b < 0 { return a }
        var (a, b) = (a, b)
        let da = store.distance[Int(PGCandidates.candidate(ofNode: a))]
        let db = store.distance[Int(PGCandidates.candidate(ofNode: b))]
        if nearestFirst ? da > db : da < db { swap(&a, &b) }
        store.nextSibling[Int(b)] = store.firstChild[Int(a)]
        store.firstChild[Int(a)] = b
        return a
    }

    /// `pairingheap_add`.
    mutating func add(_ node: Int32, _ store: inout PGCandidates) {
        store.firstChild[Int(node)] = -1
        root = merge(root, node, &store)
        store.nextSibling[Int(root)] = -1
    }

    /// `pairingheap_remove_first`: the root, its children merged two-pass.
    mutating func removeFirst(_ store: inout PGCandidates) -> Int32 {
        let result = root
        root = mergeChildren(store.firstChild[Int(result)], &store)
        if root >= 0 { store.nextSibling[Int(root)] = -1 }
        return result
    }

    private func mergeChildren(_ children: Int32, _ store: inout PGCandidates) -> Int32 {
        if children < 0 || store.nextSibling[Int(children)] < 0 { return children }
        var next = children
        var pairs: Int32 = -1
        while true {
            var current = next
            if current < 0 { break }
            let sibling = store.nextSibling[Int(current)]
            if sibling < 0 {
                store.nextSibling[Int(current)] = pairs
                pairs = current
                break
            }
            next = store.nextSibling[Int(sibling)]
            current = merge(current, sibling, &store)
            store.nextSibling[Int(current)] = pairs
            pairs = current
        }
        var newRoot = pairs
        next = store.nextSibling[Int(pairs)]
        while next >= 0 {
            let current = next
            next = store.nextSibling[Int(current)]
            newRoot = merge(newRoot, current, &store)
        }
        return newRoot
    }
}
