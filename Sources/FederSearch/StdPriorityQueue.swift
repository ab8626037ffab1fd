/// How a libstdc++ heap compares two of its elements: `comp(a, b)`, true when `a` sinks below `b`.
protocol StdHeapOrder {
    associatedtype Element
    static func less(_ a: Element, _ b: Element) -> Bool
}

/// `std::priority_queue` as libstdc++ runs it: a max-heap under `Order.less`, moved exactly as `push_heap`
/// (`__push_heap`) and `pop_heap` (`__adjust_heap`: sift the hole to a leaf, preferring the right child unless the
/// left is strictly greater, then push the moved last element back up) move it.
///
/// hnswlib's queues compare distances only, so which of two tied entries surfaces first is decided by these moves
/// alone; a (distance, id) total order would not match the library on tied data.
struct StdHeap<Order: StdHeapOrder> {
    private(set) var storage: [Order.Element] = []

    init(reservingCapacity capacity: Int = 0) {
        storage.reserveCapacity(capacity)
    }

    var count: Int { storage.count }
    var isEmpty: Bool { storage.isEmpty }
    var top: Order.Element { storage[0] }

    /// `push_back` + `std::push_heap` (`comp(parent, value)` moves the parent down).
    mutating func push(_ element: Order.Element) {
        storage.append(element)
        storage.withUnsafeMutableBufferPointer { heap in
            var hole = heap.count - 1
            let value = heap[hole]
            var parent = (hole - 1) / 2
            while hole > 0, Order.less(heap[parent], value) {
                heap[hole] = heap[parent]
                hole = parent
                parent = (hole - 1) / 2
            }
            heap[hole] = value
        }
    }

    /// `std::pop_heap` + `pop_back`.
    @discardableResult
    mutating func pop() -> Order.Element {
        let result = storage[0]
        let last = storage.count - 1
        if last > 0 {
            storage.withUnsafeMutableBufferPointer { heap in
                let value = heap[last]
                heap[last] = result
                Self.adjustHeap(heap, length: last, value: value)
            }
        }
        storage.removeLast()
        return result
    }

    /// libstdc++ `__adjust_heap` from the root followed by `__push_heap`, over the first `length` elements.
    private static func adjustHeap(_ heap: UnsafeMutableBufferPointer<Order.Element>, length: Int, value: Order.Element) {
        var hole = 0
        var child = 0
        while child < (length - 1) / 2 {
            child = 2 * (child + 1)
            if Order.less(heap[child], heap[child - 1]) { child -= 1 }
            heap[hole] = heap[child]
            hole = child
        }
        if length & 1 == 0, child == (length - 2) / 2 {
            child = 2 * (child + 1)
            heap[hole] = heap[child - 1]
            hole = child - 1
        }
        var parent = (hole - 1) / 2
        while hole > 0, Order.less(heap[parent], value) {
            heap[hole] = heap[parent]
            hole = parent
            parent = (hole - 1) / 2
        }
        heap[hole] = value
    }
}

/// hnswlib's `CompareByFirst` over `std::pair<float, tableint>`: the key alone (a distance for `top_candidates`,
/// a negated distance for the candidate queue).
enum CompareByFirst: StdHeapOrder {
    typealias Element = (key: Float, id: UInt32)
    @inline(__always)
    static func less(_ a: Element, _ b: Element) -> Bool { a.key < b.key }
}

/// `std::pair<float, size_t>`'s `<`: `a.first < b.first || (!(b.first < a.first) && a.second < b.second)`, the
/// order of the queue `searchKnn` returns. A NaN distance is neither smaller nor larger than any other and its
/// label decides: a sort on distance cannot reproduce where such an entry lands, only the same heap moves can.
enum PairLess: StdHeapOrder {
    typealias Element = (distance: Float, label: UInt64)
    @inline(__always)
    static func less(_ a: Element, _ b: Element) -> Bool {
        a.distance < b.distance || (!(b.distance < a.distance) && a.label < b.label)
    }
}

/// hnswlib's search queues.
typealias StdPriorityQueue = StdHeap<CompareByFirst>
/// The queue `searchKnn` returns its results in.
typealias StdPairQueue = StdHeap<PairLess>

extension StdHeap where Order == CompareByFirst {
    @inline(__always)
    mutating func push(_ key: Float, _ id: UInt32) { push((key, id)) }
}

extension StdHeap where Order == PairLess {
    @inline(__always)
    mutating func push(_ distance: Float, _ label: UInt64) { push((distance, label)) }
}
