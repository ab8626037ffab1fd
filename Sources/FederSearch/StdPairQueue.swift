/// `std::priority_queue<std::pair<float, std::size_t>>` as libstdc++ runs it, ordered by `std::pair`'s `<`
/// (distance first, then label): the queue hnswlib's `searchKnn` returns its results in.
///
/// `std::pair`'s `<` is `a.first < b.first || (!(b.first < a.first) && a.second < b.second)`, so a NaN distance
/// is neither smaller nor larger than any other and its label decides: a sort on distance cannot reproduce
/// where such an entry lands, only the same heap moves can.
struct StdPairQueue {
    private(set) var storage: [(distance: Float, label: UInt64)] = []

    var count: Int { storage.count }

    /// `std::pair`'s `operator<`.
    @inline(__always)
    static func less(_ a: (distance: Float, label: UInt64), _ b: (distance: Float, label: UInt64)) -> Bool {
        a.distance < b.distance || (!(b.distance < a.distance) && a.label < b.label)
    }

    /// `push_back` + `std::push_heap`.
    mutating func push(_ distance: Float, _ label: UInt64) {
        storage.append((distance, label))
        var hole = storage.count - 1
        let value = storage[hole]
        var parent = (hole - 1) / 2
        while hole > 0, Self.less(storage[parent], value) {
            storage[hole] = storage[parent]
            hole = parent
            parent = (hole - 1) / 2
        }
        storage[hole] = value
    }

    /// `std::pop_heap` (libstdc++ `__adjust_heap`, then `__push_heap`) + `pop_back`.
    mutating func pop() -> (distance: Float, label: UInt64) {
        let result = storage[0]
        let length = storage.count - 1
        if length > 0 {
            let value = storage[length]
            storage[length] = result
            var hole = 0
            var child = 0
            while child < (length - 1) / 2 {
                child = 2 * (child + 1)
                if Self.less(storage[child], storage[child - 1]) { child -= 1 }
                storage[hole] = storage[child]
                hole = child
            }
            if length & 1 == 0, child == (length - 2) / 2 {
                child = 2 * (child + 1)
                storage[hole] = storage[child - 1]
                hole = child - 1
            }
            var parent = (hole - 1) / 2
            while hole > 0, Self.less(storage[parent], value) {
                storage[hole] = storage[parent]
                hole = parent
                parent = (hole - 1) / 2
            }
            storage[hole] = value
        }
        storage.removeLast()
        return result
    }
}
