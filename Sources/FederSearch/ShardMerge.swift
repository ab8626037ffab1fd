import FederIndex

/// Merges the top-k lists of shards searched apart into one top-k, as faiss's `IndexShards` does
/// (`merge_knn_results`): one heap holds each shard's next answer keyed by (distance, shard number); the best pops,
/// and that shard's following answer takes its place. Ties between shards go to the lower shard number when
/// smaller distances win, and to the higher one when larger ones win (faiss's `CMin` / `CMax` `cmp2`). A shard's
/// list ends at its first padding entry (faiss: a negative label; hnswlib: no internal id).
public enum ShardMerge {
    /// One merged answer: the neighbour (its label already translated) and the shard it came from.
    public struct Entry: Sendable, Equatable {
        public var neighbor: Neighbor
        public var shard: Int
    }

    /// The merged top-`k` of `lists` (each in its shard's own order), `translations[s]` added to shard s's labels.
    /// - Parameter labelsAreUnsigned: hnswlib labels (every label is valid; padding is an entry without internal id).
    public static func merge(
        _ lists: [[Neighbor]], translations: [Int64], k: Int, largerIsBetter: Bool, labelsAreUnsigned: Bool = false
    ) -> [Entry] {
        let shardCount = lists.count
        guard k > 0, shardCount > 0 else { return [] }
        func valid(_ shard: Int, _ position: Int) -> Bool {
            guard position < min(k, lists[shard].count) else { return false }
            let neighbor = lists[shard][position]
            return labelsAreUnsigned ? neighbor.internalID >= 0 : neighbor.id >= 0
        }
        // faiss's cmp2: the heap's order, with the shard number breaking ties.
        func before(_ a: Float, _ b: Float, _ shardA: Int, _ shardB: Int) -> Bool {
            largerIsBetter ? (a > b || (a == b && shardA > shardB)) : (a < b || (a == b && shardA < shardB))
        }
        // 1-based heap arrays, sifted exactly as faiss's heap_push / heap_pop (NaN distances included).
        var values = [Float](repeating: 0, count: shardCount + 1)
        var shards = [Int](repeating: 0, count: shardCount + 1)
        var size = 0
        func push(_ value: Float, _ shard: Int) {
            size += 1
            var slot = size
            while slot > 1 {
                let parent = slot >> 1
                if !before(value, values[parent], shard, shards[parent]) { break }
                values[slot] = values[parent]
                shards[slot] = shards[parent]
                slot = parent
            }
            values[slot] = value
            shards[slot] = shard
        }
        func pop() {
            let value = values[size]
            let shard = shards[size]
            var slot = 1
            while true {
                let left = slot << 1
                let right = left + 1
                if left > size { break }
                if right == size + 1 || before(values[left], values[right], shards[left], shards[right]) {
                    if before(value, values[left], shard, shards[left]) { break }
                    values[slot] = values[left]
                    shards[slot] = shards[left]
                    slot = left
                } else {
                    if before(value, values[right], shard, shards[right]) { break }
                    values[slot] = values[right]
                    shards[slot] = shards[right]
                    slot = right
                }
            }
            values[slot] = values[size]
            shards[slot] = shards[size]
            size -= 1
        }

        var next = [Int](repeating: 0, count: shardCount)
        for shard in 0..<shardCount where valid(shard, 0) { push(lists[shard][0].distance, shard) }
        var merged: [Entry] = []
        merged.reserveCapacity(k)
        while merged.count < k, size > 0 {
            let shard = shards[1]
            var neighbor = lists[shard][next[shard]]
            neighbor.distance = values[1]
            if labelsAreUnsigned || neighbor.id >= 0 { neighbor.id = neighbor.id &+ translations[shard] }
            merged.append(Entry(neighbor: neighbor, shard: shard))
            pop()
            next[shard] += 1
            if valid(shard, next[shard]) { push(lists[shard][next[shard]].distance, shard) }
        }
        return merged
    }
}
