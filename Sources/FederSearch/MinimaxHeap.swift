/// faiss `HNSW::MinimaxHeap` (`impl/hnsw/MinimaxHeap.h`): the fixed-capacity candidate queue of faiss's
/// layer-0 search.
///
/// A binary heap of at most `capacity` (distance, id) entries whose top is the worst one (faiss `CMax` for
/// L2, `CMin` for inner product; ties by id). `popMin` scans the slots from last to first for the strictly
/// best valid entry (so among ties the highest slot wins) and marks it −1 in place; marked slots keep their
/// distance, still move in the heap, can be evicted, and are still counted by `countBelow`.
struct MinimaxHeap {
    let capacity: Int
    let order: FaissResultHeap.Order
    private(set) var k = 0
    private(set) var valid = 0
    /// 1-based.
    private var ids: [Int32]
    private var dis: [Float]

    init(capacity: Int, order: FaissResultHeap.Order) {
        self.capacity = capacity
        self.order = order
        ids = Array(repeating: -1, count: capacity + 1)
        dis = Array(repeating: 0, count: capacity + 1)
    }

    var count: Int { valid }

    /// `HC::cmp(a, b)`: b is strictly better than a.
    @inline(__always)
    private func improves(_ a: Float, on b: Float) -> Bool {
        order == .keepSmallest ? a > b : a < b
    }

    /// `HC::cmp2`: (a, idA) sits above (b, idB).
    @inline(__always)
    private func above(_ a: Float, _ idA: Int32, _ b: Float, _ idB: Int32) -> Bool {
        switch order {
        case .keepSmallest: return a > b || (a == b && idA > idB)
        case .keepLargest: return a < b || (a == b && idA < idB)
        }
    }

    /// `MinimaxHeap::push`. When full, an entry not strictly better than the top is dropped; otherwise the
    /// top (maybe an already popped slot, id −1) is evicted.
    /// - Returns: whether the entry was stored, and the id evicted for it (−1 for a popped slot).
    mutating func push(_ id: Int32, _ value: Float) -> (accepted: Bool, evicted: Int32?) {
        let distance = value.isNaN ? (order == .keepSmallest ? Float.greatestFiniteMagnitude : -Float.greatestFiniteMagnitude) : value
        var evicted: Int32?
        if k == capacity {
            if !improves(dis[1], on: distance) { return (false, nil) }
            if ids[1] != -1 { valid -= 1 }
            evicted = ids[1]
            siftDown(count: k, value: dis[k], id: ids[k])
            k -= 1
        }
        k += 1
        var i = k
        while i > 1 {
            let father = i >> 1
            if !above(distance, id, dis[father], ids[father]) { break }
            dis[i] = dis[father]
            ids[i] = ids[father]
            i = father
        }
        dis[i] = distance
        ids[i] = id
        valid += 1
        return (true, evicted)
    }

    /// faiss `heap_pop` body over the first `k` slots, moving `value` down from the top.
    private mutating func siftDown(count k: Int, value: Float, id: Int32) {
        var i = 1
        while true {
            let i1 = i << 1
            let i2 = i1 + 1
            if i1 > k { break }
            if i2 == k + 1 || above(dis[i1], ids[i1], dis[i2], ids[i2]) {
                if above(value, id, dis[i1], ids[i1]) { break }
                dis[i] = dis[i1]
                ids[i] = ids[i1]
                i = i1
            } else {
                if above(value, id, dis[i2], ids[i2]) { break }
                dis[i] = dis[i2]
                ids[i] = ids[i2]
                i = i2
            }
        }
        dis[i] = value
        ids[i] = id
    }

    /// `MinimaxHeap::pop_min`: the best valid entry, the highest slot among ties.
    mutating func popMin() -> (id: Int32, distance: Float)? {
        var i = k
        while i >= 1, ids[i] == -1 { i -= 1 }
        if i == 0 { return nil }
        var best = i
        var bestValue = dis[i]
        i -= 1
        while i >= 1 {
            if ids[i] != -1, improves(bestValue, on: dis[i]) {
                bestValue = dis[i]
                best = i
            }
            i -= 1
        }
        let id = ids[best]
        ids[best] = -1
        valid -= 1
        return (id, bestValue)
    }

    /// `MinimaxHeap::count_below`: slots, popped ones included, strictly better than `threshold`.
    func countBelow(_ threshold: Float) -> Int {
        var below = 0
        var slot = 1
        while slot <= k {
            if improves(threshold, on: dis[slot]) { below += 1 }
            slot += 1
        }
        return below
    }
}
