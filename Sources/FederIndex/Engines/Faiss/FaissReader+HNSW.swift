/// `IHNf` / `IHNp` / `IHNs` (IndexHNSWFlat, IndexHNSWPQ, IndexHNSWSQ): header, the HNSW graph (faiss
/// `read_HNSW`), then the storage index (flat, PQ or SQ codes, as the code says).
extension FaissReader {
    /// The most levels accepted; faiss graphs of a billion nodes have about 10.
    static let maxLevels = 64

    mutating func readHNSW(code: String, depth: Int) throws -> FaissHNSWIndex {
        let header = try readHeader()
        let graph = try readHNSWGraph(count: header.count)
        let storageOffset = reader.offset
        let storage = try readIndex(depth: depth + 1)
        let expected: String
        switch (code, storage) {
        case ("IHNf", .flat), ("IHNp", .pq), ("IHNs", .scalarQuantizer): expected = ""
        case ("IHNf", _): expected = "flat"
        case ("IHNp", _): expected = "PQ (IxPq)"
        default: expected = "SQ (IxSQ)"
        }
        guard expected.isEmpty else {
            throw reader.invalid("storage", "\(code) needs a \(expected) storage, found \(storage.code)", at: storageOffset)
        }
        guard storage.header.count == header.count, storage.header.dim == header.dim else {
            throw reader.invalid(
                "storage", "holds \(storage.header.count)×\(storage.header.dim), the graph \(header.count)×\(header.dim)",
                at: storageOffset)
        }
        return FaissHNSWIndex(code: code, header: header, graph: graph, storage: storage)
    }

    /// assign_probas f64[] · cum_nneighbor_per_level i32[] · levels i32[] · offsets u64[] · neighbors i32[] ·
    /// entry_point i32 · max_level i32 · efConstruction i32 · efSearch i32 · upper_beam i32 (deprecated).
    mutating func readHNSWGraph(count: Int) throws -> FaissHNSWGraph {
        let probabilities = try reader.readSmallArray("assign_probas", of: Double.self, limit: Self.maxLevels)
        let cumOffset = reader.offset
        let cumulative = try reader.readSmallArray("cum_nneighbor_per_level", of: Int32.self, limit: Self.maxLevels + 1)
            .map(Int.init)
        guard cumulative.count >= 2, cumulative[0] == 0,
            zip(cumulative, cumulative.dropFirst()).allSatisfy({ $0 <= $1 })
        else {
            throw reader.invalid("cum_nneighbor_per_level", "\(cumulative) is not [0, 2M, 3M, …]", at: cumOffset)
        }
        let levelLimit = cumulative.count - 1

        let levelsOffset = reader.offset
        let levels = try reader.readMappedArray("levels", of: Int32.self)
        guard levels.count == count else {
            throw reader.invalid("levels", "\(levels.count) entries for \(count) nodes", at: levelsOffset)
        }
        let offsetsOffset = reader.offset
        let offsets = try reader.readMappedArray("offsets", of: UInt64.self)
        guard offsets.count == count + 1, offsets[0] == 0 else {
            throw reader.invalid("offsets", "\(offsets.count) entries for \(count) nodes (count + 1 expected, first 0)", at: offsetsOffset)
        }
        let neighborsOffset = reader.offset
        let neighbors = try reader.readMappedArray("neighbors", of: Int32.self)
        var topLevel = 0
        for node in 0..<count {
            let level = Int(levels[node])
            guard level >= 1, level <= levelLimit else {
                throw reader.invalid(
                    "levels[\(node)]", "\(level) is outside 1...\(levelLimit)", at: levels.byteOffset + node * 4)
            }
            topLevel = max(topLevel, level - 1)
            guard offsets[node + 1] == offsets[node] + UInt64(cumulative[level]) else {
                throw reader.invalid(
                    "offsets[\(node + 1)]", "\(offsets[node + 1]) does not follow \(offsets[node]) + \(cumulative[level]) slots",
                    at: offsets.byteOffset + (node + 1) * 8)
            }
        }
        guard offsets[count] == UInt64(neighbors.count) else {
            throw reader.invalid(
                "neighbors", "\(neighbors.count) slots, the offsets need \(offsets[count])", at: neighborsOffset)
        }
        for slot in 0..<neighbors.count {
            let neighbor = neighbors[slot]
            guard neighbor >= -1, Int(neighbor) < count else {
                throw reader.invalid(
                    "neighbors[\(slot)]", "id \(neighbor) is outside -1..<\(count)", at: neighbors.byteOffset + slot * 4)
            }
        }
        // A link on level L must lead to a node that lives on level L (the search reads its level-L slots next).
        for node in 0..<count {
            let base = Int(offsets[node])
            for level in 1..<Int(levels[node]) {
                for slot in (base + cumulative[level])..<(base + cumulative[level + 1]) {
                    let neighbor = Int(neighbors[slot])
                    if neighbor < 0 { break }
                    guard Int(levels[neighbor]) > level else {
                        throw reader.invalid(
                            "neighbors[\(slot)]", "node \(neighbor) on level \(level) has only \(levels[neighbor]) levels",
                            at: neighbors.byteOffset + slot * 4)
                    }
                }
            }
        }
        let entryOffset = reader.offset
        let entryPoint = Int(try reader.read(Int32.self, "entry_point"))
        let maxLevelOffset = reader.offset
        let maxLevel = Int(try reader.read(Int32.self, "max_level"))
        let efConstruction = Int(try reader.readInt32("efConstruction", in: 0...Int32.max))
        let efSearch = Int(try reader.readInt32("efSearch", in: 1...Int32.max))
        let upperBeam = Int(try reader.read(Int32.self, "upper_beam"))
        if count == 0 {
            guard entryPoint == -1 else {
                throw reader.invalid("entry_point", "\(entryPoint) in an empty graph (expected -1)", at: entryOffset)
            }
        } else {
            guard entryPoint >= 0, entryPoint < count else {
                throw reader.invalid("entry_point", "\(entryPoint) is outside 0..<\(count)", at: entryOffset)
            }
            guard maxLevel == topLevel, Int(levels[entryPoint]) - 1 == maxLevel else {
                throw reader.invalid(
                    "max_level",
                    "\(maxLevel), but the highest node level is \(topLevel) and the entry point's is "
                        + "\(levels[entryPoint] - 1)", at: maxLevelOffset)
            }
        }
        return FaissHNSWGraph(
            assignProbabilities: probabilities, cumulativeNeighbors: cumulative, levels: levels, offsets: offsets,
            neighbors: neighbors, entryPoint: entryPoint, maxLevel: max(maxLevel, 0), efConstruction: efConstruction,
            efSearch: efSearch, upperBeam: upperBeam)
    }
}
