/// Node → depth for a breadth-first search over graph nodes: open addressing with linear probing over a
/// power-of-two table (Fibonacci hashing), growing at half full. Swift's `Dictionary` hashes every key with SipHash,
/// which dominated the searches from both ends of `LayerZeroReach.hops`.
struct NodeDepths {
    private var keys: [Int32]
    private var depths: [Int32]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int = 64) {
        var size = 16
        while size < capacity * 2 { size *= 2 }
        keys = [Int32](repeating: -1, count: size)
        depths = [Int32](repeating: 0, count: size)
        mask = size - 1
    }

    private func slot(_ node: Int32) -> Int {
        Int(truncatingIfNeeded: (UInt64(UInt32(bitPattern: node)) &* 0x9E37_79B9_7F4A_7C15) >> 20) & mask
    }

    /// The depth recorded for `node` (≥ 0), nil when it has none.
    subscript(node: Int) -> Int? {
        guard node >= 0, node <= Int(Int32.max) else { return nil }
        let key = Int32(node)
        var position = slot(key)
        while true {
            let stored = keys[position]
            if stored == key { return Int(depths[position]) }
            if stored < 0 { return nil }
            position = (position + 1) & mask
        }
    }

    /// Records `depth` for `node` unless it has one; returns whether it was new.
    @discardableResult
    mutating func insert(_ node: Int, depth: Int) -> Bool {
        guard node >= 0, node <= Int(Int32.max) else { return false }
        if (count + 1) * 2 > keys.count { grow() }
        let key = Int32(node)
        var position = slot(key)
        while true {
            let stored = keys[position]
            if stored == key { return false }
            if stored < 0 {
                keys[position] = key
                depths[position] = Int32(clamping: depth)
                count += 1
                return true
            }
            position = (position + 1) & mask
        }
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldDepths = depths
        keys = [Int32](repeating: -1, count: oldKeys.count * 2)
        depths = [Int32](repeating: 0, count: oldKeys.count * 2)
        mask = keys.count - 1
        count = 0
        for (key, depth) in zip(oldKeys, oldDepths) where key >= 0 { insert(Int(key), depth: Int(depth)) }
    }
}
