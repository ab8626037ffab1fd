/// `std::priority_queue<std::pair<float, unsigned>, std::vector<…>, CompareByFirst>` as libstdc++ runs it.
///
/// hnswlib's queues compare distances only, so which of two tied entries surfaces first is decided by
/// libstdc++'s `push_heap` (`__push_heap`) and `pop_heap` (`__adjust_heap`: sift the hole to a leaf, preferring
/// the right child unless the left is strictly greater, then push the moved last element back up). This port
/// repeats those moves exactly; a (distance, id) total order would not match the library on tied data.
struct StdPriorityQueue {
    /// `true`: a max-heap on distance (`top_candidates`); the candidate queue stores negated distances in a
    /// max-heap too, as hnswlib does.
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
        var hole = storage.count - 1
        let value = storage[hole]
        var parent = (hole - 1) / 2
        while hole > 0, storage[parent].key < value.key {
            storage[hole] = storage[parent]
            hole = parent
            parent = (hole - 1) / 2
        }
        storage[hole] = value
    }

    /// `std::pop_heap` + `pop_back`.
    @discardableResult
    mutating func pop() -> (key: Float, id: UInt32) {
        let result = storage[0]
        let last = storage.count - 1
        if last > 0 {
            let value = storage[last]
            storage[last] = result
            adjustHeap(hole: 0, length: last, value: value)
        }
        storage.removeLast()
        return result
    }

    /// libstdc++ `__adjust_heap` followed by `__push_heap`, over the first `length` elements.
    private mutating func adjustHeap(hole start: Int, length: Int, value: (key: Float, id: UInt32)) {
        var hole = start
        let top = start
        var child = hole
        while child < (length - 1) / 2 {
            child = 2 * (child + 1)
            if storage[child].key < storage[child - 1].key { child -= 1 }
            storage[hole] = storage[child]
            hole = child
        }
        if length & 1 == 0, child == (length - 2) / 2 {
            child = 2 * (child + 1)
            storage[hole] = storage[child - 1]
            hole = child - 1
        }
        var parent = (hole - 1) / 2
        while hole > top, storage[parent].key < value.key {
            storage[hole] = storage[parent]
            hole = parent
            parent = (hole - 1) / 2
        }
        storage[hole] = value
    }
}
