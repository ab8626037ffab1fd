/// `std::priority_queue<std::pair<float, unsigned>, std::vector<…>, CompareByFirst>` as libstdc++ runs it.
///
/// hnswlib's queues compare distances only, so which of two tied entries surfaces first is decided by
/// libstdc++'s `push_heap` (`__push_heap`) and `pop_heap` (`__adjust_heap`: sift the hole to a leaf, preferring
/// the right child unless the left is strictly greater, then push the moved last element back up). This port
/// repeats those moves exactly; a (distance, id) total order would not match the library on tied data.
struct StdPriorityQueue {
    /// A max-heap on the key: distances for `top_candidates`, negated distances for the candidate queue, as
    /// hnswlib keeps both.
    private(set) var storage: [(key: Float, id: UInt32)] = []

    init(reservingCapacity capacity: Int = 0) {
        storage.reserveCapacity(capacity)
    }

    var count: Int { storage.count }
    var isEmpty: Bool { storage.isEmpty }
    var top: (key: Float, id: UInt32) { storage[0] }

    /// `push_back` + `std::push_heap` (libstdc++ `__push_heap` with `comp(parent, value)` = parent < value).
    mutating func push(_ key: Float, _ id: UInt32) {
        storage.append((key, id))
        storage.withUnsafeMutableBufferPointer { heap in
            var hole = heap.count - 1
            let value = heap[hole]
            var parent = (hole - 1) / 2
            while hole > 0, heap[parent].key < value.key {
                heap[hole] = heap[parent]
                hole = parent
                parent = (hole - 1) / 2
            }
            heap[hole] = value
        }
    }

    /// `std::pop_heap` + `pop_back`.
    @discardableResult
    mutating func pop() -> (key: Float, id: UInt32) {
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
    private static func adjustHeap(
        _ heap: UnsafeMutableBufferPointer<(key: Float, id: UInt32)>, length: Int, value: (key: Float, id: UInt32)
    ) {
        var hole = 0
        var child = 0
        while child < (length - 1) / 2 {
            child = 2 * (child + 1)
            if heap[child].key < heap[child - 1].key { child -= 1 }
            heap[hole] = heap[child]
            hole = child
        }
        if length & 1 == 0, child == (length - 2) / 2 {
            child = 2 * (child + 1)
            heap[hole] = heap[child - 1]
            hole = child - 1
        }
        var parent = (hole - 1) / 2
        while hole > 0, heap[parent].key < value.key {
            heap[hole] = heap[parent]
            hole = parent
            parent = (hole - 1) / 2
        }
        heap[hole] = value
    }
}
