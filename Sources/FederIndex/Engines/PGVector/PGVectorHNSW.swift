/// A pgvector HNSW index read page by page (pgvector-format.md §2): the metapage, every element in chain order
/// (block 1 onwards, items in offset order) with its heap TIDs, level, deleted flag and value, and each element's
/// neighbours as element numbers, layer by layer in stored order.
public struct PGVectorHNSW: Sendable {
    static let format = "pgvector HNSW"
    static let magic: UInt32 = 0xA953_A953
    static let pageID: UInt16 = 0xFF90
    static let heapTIDSlots = 10

    public let relation: String
    public let opclass: PGVectorOpclass
    public let dimensions: Int
    public let m: Int
    public let efConstruction: Int
    /// The entry element (nil for an empty index) and the level the metapage gives it.
    public let entry: Int?
    public let entryLevel: Int
    /// Elements, in chain order.
    public var count: Int { levels.count }
    /// Each element's own index TID.
    public let tids: [PGTupleID]
    public let levels: [UInt8]
    public let deleted: [Bool]
    /// Heap TIDs of element `e`: `heapTIDs[heapStart[e] ..< heapStart[e + 1]]`, in slot order.
    public let heapStart: [Int32]
    public let heapTIDs: [PGTupleID]
    /// Neighbour slots of element `e` from `neighborStart[e]`: `(level + 2) · m` of them, top layer first, layer `lc`
    /// at `(level − lc) · m` with `m` slots (2m at layer 0); −1 is an empty slot. Empty when `neighborsUsable[e]` is
    /// false (the neighbour tuple's version or count does not match, which the server reads as no neighbours).
    public let neighborStart: [Int32]
    public let neighbors: [Int32]
    public let neighborsUsable: [Bool]
    public let values: PGVectorValues

    /// The neighbours of `element` at `layer` in stored order, up to the first empty slot (as the server reads them).
    @inlinable public func forEachNeighbor(of element: Int, layer: Int, _ body: (Int) -> Void) {
        guard neighborsUsable[element], layer <= Int(levels[element]) else { return }
        let start = Int(neighborStart[element]) + (Int(levels[element]) - layer) * m
        let slots = layer == 0 ? 2 * m : m
        for slot in start..<start + slots {
            let neighbor = neighbors[slot]
            if neighbor < 0 { return }
            body(Int(neighbor))
        }
    }

    /// Heap TIDs of `element`, in slot order.
    public func heapTIDs(of element: Int) -> ArraySlice<PGTupleID> {
        heapTIDs[Int(heapStart[element])..<Int(heapStart[element + 1])]
    }

    /// Reads the index from its pages.
    /// - Throws: `FederIndexError.invalid` naming the relation, block and byte of the first thing that is wrong.
    public init(pages: PGRelationPages, opclass: PGVectorOpclass, checksums: Bool) throws {
        relation = pages.relation
        self.opclass = opclass
        let format = Self.format
        let meta = try pages.metapage(
            format: format, pageID: Self.pageID, magic: Self.magic, kind: "HNSW", second: "graph page", versions: "pgvector 0.5 to 0.8",
            checksums: checksums)
        dimensions = Int(meta.u32(32))
        m = Int(meta.u16(36))
        efConstruction = Int(meta.u16(38))
        guard dimensions > 0, dimensions <= 64000 else { throw meta.invalid("dimensions", at: 32, "\(dimensions)") }
        guard m >= 2, m <= 100 else { throw meta.invalid("m", at: 36, "\(m) (pgvector allows 2 to 100)") }
        let entryBlock = meta.u32(40)
        let entryOffset = meta.u16(44)
        entryLevel = Int(meta.i16(46))

        let values = PGVectorValues(type: opclass.type, dimensions: dimensions)
        let stride = values.stride
        let dataSize = 8 + stride
        var tids: [PGTupleID] = []
        var levels: [UInt8] = []
        var deleted: [Bool] = []
        var versions: [UInt8] = []
        var heapStart: [Int32] = [0]
        var heapTIDs: [PGTupleID] = []
        var neighborTIDs: [PGTupleID] = []
        // Element number of each (block, offset): `slotBase[block] + offset − 1` in `slots` (−1: not an element).
        var slotBase = [Int](repeating: -1, count: pages.blockCount)
        var slots: [Int32] = []
        var pageItems = [Int](repeating: 0, count: pages.blockCount)
        // Neighbour tuples' places, to read once every element is numbered.
        var chainSeen = Set<Int>()
        var block: Int? = 1
        while let current = block {
            guard chainSeen.insert(current).inserted else {
                throw FederIndexError.invalid(
                    path: "\(pages.relation), block \(current)", format: format, field: "next page", offset: PGPageLayout.specialOffset,
                    detail: "the page chain returns to block \(current) (a loop)")
            }
            let page = try pages.page(current, format: format, pageID: Self.pageID, checksums: checksums)
            slotBase[current] = slots.count
            pageItems[current] = page.itemCount
            for item in 1...max(page.itemCount, 1) where item <= page.itemCount {
                let (offset, length) = page.item(item)
                let type = page.u8(offset)
                switch type {
                case 1:
                    guard length >= 72 else {
                        throw page.invalid("element tuple \(item)", at: offset, "\(length) bytes (an element tuple has at least 72)")
                    }
                    let level = page.u8(offset + 1)
                    let isDeleted = page.u8(offset + 2) != 0
                    for slot in 0..<Self.heapTIDSlots {
                        guard let tid = PGTupleID(page, at: offset + 4 + 6 * slot) else { break }
                        heapTIDs.append(tid)
                    }
                    guard let neighborTID = PGTupleID(page, at: offset + 64) else {
                        throw page.invalid("element tuple \(item)", at: offset + 64, "its neighbour tuple id is invalid")
                    }
                    if isDeleted {
                        values.append(nil)
                    } else {
                        let header = page.u32(offset + 72)
                        guard header & 3 == 0, Int(header >> 2) == dataSize, length >= 72 + dataSize else {
                            throw page.invalid(
                                "element tuple \(item) value", at: offset + 72,
                                "a \(Int(header >> 2))-byte value (header 0x\(String(header, radix: 16))) where \(opclass.type.rawValue)(\(dimensions)) takes \(dataSize)"
                            )
                        }
                        let stored = opclass.type == .bit ? Int(page.i32(offset + 76)) : Int(page.i16(offset + 76))
                        guard stored == dimensions else {
                            throw page.invalid(
                                "element tuple \(item) value", at: offset + 76, "\(stored) dimensions in a \(dimensions)-dimension index")
                        }
                        values.append(page.bytes.baseAddress.map { $0 + offset + 80 })
                    }
                    slots.append(Int32(levels.count))
                    tids.append(PGTupleID(block: UInt32(current), offset: UInt16(item)))
                    levels.append(level)
                    deleted.append(isDeleted)
                    versions.append(page.u8(offset + 3))
                    neighborTIDs.append(neighborTID)
                    heapStart.append(Int32(heapTIDs.count))
                case 2:
                    slots.append(-1)
                default:
                    throw page.invalid("item \(item)", at: offset, "tuple type \(type) (expected 1, an element, or 2, its neighbours)")
                }
            }
            block = page.nextBlock
            if let next = block, next >= pages.blockCount {
                throw page.invalid(
                    "next page", at: PGPageLayout.specialOffset, "block \(next) is past the relation's end (\(pages.blockCount) blocks)")
            }
        }
        func resolve(_ tid: PGTupleID) -> Int? {
            let block = Int(tid.block)
            guard block < slotBase.count, slotBase[block] >= 0 else { return nil }
            let index = slotBase[block] + Int(tid.offset) - 1
            guard tid.offset >= 1, Int(tid.offset) <= pageItems[block] else { return nil }
            let element = slots[index]
            return element >= 0 ? Int(element) : nil
        }

        var neighborStart: [Int32] = []
        var neighbors: [Int32] = []
        var usable: [Bool] = []
        neighborStart.reserveCapacity(levels.count + 1)
        for element in 0..<levels.count {
            neighborStart.append(Int32(neighbors.count))
            let level = Int(levels[element])
            let slotCount = (level + 2) * m
            let place = neighborTIDs[element]
            // Pages on the chain were checked on the way; a neighbour tuple anywhere else is checked here.
            let page =
                chainSeen.contains(Int(place.block))
                ? pages.checkedBefore(Int(place.block), format: format)
                : try pages.page(Int(place.block), format: format, pageID: Self.pageID, checksums: checksums)
            guard Int(place.offset) <= page.itemCount else {
                throw page.invalid(
                    "neighbour tuple id of element \(tids[element])", at: 0,
                    "item \(place.offset) does not exist (the page has \(page.itemCount))")
            }
            let (offset, length) = page.item(Int(place.offset))
            guard page.u8(offset) == 2 else {
                throw page.invalid(
                    "neighbour tuple \(place.offset)", at: offset,
                    "tuple type \(page.u8(offset)) where element \(tids[element]) points to its neighbours")
            }
            let count = Int(page.u16(offset + 2))
            guard page.u8(offset + 1) == versions[element], count == slotCount, !deleted[element] else {
                usable.append(false)
                continue
            }
            guard length >= 4 + 6 * count else {
                throw page.invalid("neighbour tuple \(place.offset)", at: offset, "\(length) bytes cannot hold \(count) neighbour ids")
            }
            usable.append(true)
            for slot in 0..<count {
                guard let tid = PGTupleID(page, at: offset + 4 + 6 * slot) else {
                    neighbors.append(-1)
                    continue
                }
                guard let target = resolve(tid) else {
                    throw page.invalid(
                        "neighbour tuple \(place.offset) slot \(slot)", at: offset + 4 + 6 * slot,
                        "\(tid) is not an element tuple of this index")
                }
                neighbors.append(Int32(target))
            }
        }
        neighborStart.append(Int32(neighbors.count))

        if entryBlock == PGPageLayout.invalidBlock {
            entry = nil
        } else {
            guard let found = resolve(PGTupleID(block: entryBlock, offset: entryOffset)) else {
                throw meta.invalid(
                    "entry point", at: 40, "\(PGTupleID(block: entryBlock, offset: entryOffset)) is not an element tuple of this index")
            }
            entry = found
        }
        (self.tids, self.levels, self.deleted, self.heapStart, self.heapTIDs) = (tids, levels, deleted, heapStart, heapTIDs)
        (self.neighborStart, self.neighbors, self.neighborsUsable, self.values) = (neighborStart, neighbors, usable, values)
    }
}
