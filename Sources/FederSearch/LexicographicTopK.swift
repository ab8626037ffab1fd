/// The k smallest (distance, label) pairs, ties by the smaller label: exact truth whatever order rows arrive in, in
/// O(n log k).
struct LexicographicTopK<Distance: Comparable, Label: Comparable> {
    let k: Int
    private var heap: [(distance: Distance, label: Label)] = []

    init(k: Int) { self.k = k }

    private static func above(_ a: (distance: Distance, label: Label), _ b: (distance: Distance, label: Label)) -> Bool {
        a.distance > b.distance || (a.distance == b.distance && a.label > b.label)
    }

    mutating func offer(_ distance: Distance, label: Label) {
        let entry = (distance: distance, label: label)
        if heap.count < k {
            heap.append(entry)
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard Self.above(heap[child], heap[parent]) else { break }
                heap.swapAt(child, parent)
                child = parent
            }
            return
        }
        guard let top = heap.first, Self.above(top, entry) else { return }
        heap[0] = entry
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var largest = parent
            if left < heap.count, Self.above(heap[left], heap[largest]) { largest = left }
            if right < heap.count, Self.above(heap[right], heap[largest]) { largest = right }
            if largest == parent { break }
            heap.swapAt(parent, largest)
            parent = largest
        }
    }

    func sorted() -> [(distance: Distance, label: Label)] { heap.sorted { Self.above($1, $0) } }
}
