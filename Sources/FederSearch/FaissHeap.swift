/// The k-result heap of faiss (`utils/Heap.h`), ported operation for operation so that ties resolve as they
/// do in the library.
///
/// A 1-based binary heap of (distance, id) pairs whose top is the worst kept result. For L2 it is a max-heap
/// ordered by `(a > b) || (a == b && idA > idB)` (faiss `CMax`); for inner product a min-heap ordered by
/// `(a < b) || (a == b && idA < idB)` (faiss `CMin`). Empty slots hold ±FLT_MAX with id −1.
public struct FaissResultHeap: Sendable {
    /// Which end is the top.
    public enum Order: Sendable {
        /// Smaller is better (L2): the top is the largest distance.
        case keepSmallest
        /// Larger is better (inner product): the top is the smallest score.
        case keepLargest
    }

    public let order: Order
    public let capacity: Int
    /// Slots holding a real result (id ≠ −1).
    public private(set) var filled = 0
    /// Slot 0 is unused (1-based indexing as in faiss).
    private var values: [Float]
    private var ids: [Int64]

    /// faiss `heap_heapify` with no initial elements: every slot neutral.
    public init(capacity: Int, order: Order) {
        precondition(capacity >= 1)
        self.order = order
        self.capacity = capacity
        let neutral: Float = order == .keepSmallest ? .greatestFiniteMagnitude : -.greatestFiniteMagnitude
        values = Array(repeating: neutral, count: capacity + 1)
        ids = Array(repeating: -1, count: capacity + 1)
    }

    /// The worst kept distance: a candidate must be strictly better to enter.
    @inline(__always)
    public var threshold: Float { values[1] }

    /// faiss `C::cmp(threshold, d)`: strictly better than the current worst.
    @inline(__always)
    public func admits(_ distance: Float) -> Bool {
        order == .keepSmallest ? values[1] > distance : values[1] < distance
    }

    /// faiss `C::cmp2`: whether (a, idA) sits above (b, idB) in the heap.
    @inline(__always)
    func above(_ a: Float, _ idA: Int64, _ b: Float, _ idB: Int64) -> Bool {
        switch order {
        case .keepSmallest: return a > b || (a == b && idA > idB)
        case .keepLargest: return a < b || (a == b && idA < idB)
        }
    }

    /// Offers a candidate the way faiss scanners do: replace the top when strictly better.
    /// - Returns: whether it entered the heap.
    @discardableResult
    @inline(__always)
    public mutating func offer(_ distance: Float, id: Int64) -> Bool {
        guard admits(distance) else { return false }
        replaceTop(distance, id: id)
        return true
    }

    /// Every slot in storage order (1 … capacity), neutral ones (id −1) included, as faiss's heap arrays hold them.
    public var slots: [(distance: Float, id: Int64)] { (1...capacity).map { (values[$0], ids[$0]) } }

    /// The element at the top (the one an admitted candidate evicts).
    public var top: (distance: Float, id: Int64) { (values[1], ids[1]) }

    /// faiss `heap_replace_top`.
    public mutating func replaceTop(_ value: Float, id: Int64) {
        if ids[1] == -1, id != -1 { filled += 1 }
        siftDown(from: 1, count: capacity, value: value, id: id)
    }

    /// faiss `heap_push` onto the first `count − 1` slots, growing them to `count` (`heap_heapify` with initial
    /// elements pushes them one by one; the slot taken held a neutral entry).
    public mutating func push(_ value: Float, id: Int64, count: Int) {
        precondition(count >= 1 && count <= capacity)
        if id != -1 { filled += 1 }
        var i = count
        while i > 1 {
            let father = i >> 1
            if !above(value, id, values[father], ids[father]) { break }
            values[i] = values[father]
            ids[i] = ids[father]
            i = father
        }
        values[i] = value
        ids[i] = id
    }

    /// Moves `value` down from slot `start` in a heap of `count` elements (shared by replace_top and pop).
    private mutating func siftDown(from start: Int, count k: Int, value: Float, id: Int64) {
        var i = start
        while true {
            let i1 = i << 1
            let i2 = i1 + 1
            if i1 > k { break }
            if i2 == k + 1 || above(values[i1], ids[i1], values[i2], ids[i2]) {
                if above(value, id, values[i1], ids[i1]) { break }
                values[i] = values[i1]
                ids[i] = ids[i1]
                i = i1
            } else {
                if above(value, id, values[i2], ids[i2]) { break }
                values[i] = values[i2]
                ids[i] = ids[i2]
                i = i2
            }
        }
        values[i] = value
        ids[i] = id
    }

    /// faiss `heap_pop` on the first `k` slots: the last element moves down from the top.
    private mutating func pop(count k: Int) {
        siftDown(from: 1, count: k, value: values[k], id: ids[k])
    }

    /// faiss `heap_reorder` + output: best first, ties as faiss orders them (L2 ascending id, IP descending id),
    /// missing results as id −1 with ±FLT_MAX.
    public func sortedResults() -> [(distance: Float, id: Int64)] {
        var heap = self
        let k = capacity
        var kept = 0
        var out = Array(repeating: (distance: Float(0), id: Int64(-1)), count: k)
        for i in 0..<k {
            let value = heap.values[1]
            let id = heap.ids[1]
            heap.pop(count: k - i)
            out[k - kept - 1] = (value, id)
            if id != -1 { kept += 1 }
        }
        let neutral: Float = order == .keepSmallest ? .greatestFiniteMagnitude : -.greatestFiniteMagnitude
        var result = Array(out[(k - kept)...])
        result.append(contentsOf: repeatElement((distance: neutral, id: Int64(-1)), count: k - kept))
        return result
    }
}
