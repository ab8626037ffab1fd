/// An hnswlib index file (hnswlib `hnswalg.h` saveIndex / loadIndex, identical in 0.6 – 0.8).
///
/// The level-0 block stays in the mapped file: per element a u16 neighbour count, a deleted flag byte,
/// one unused byte, `maxM0` u32 neighbour slots, the vector and the u64 label. Upper-level link lists are
/// located once at load (they have variable length) and read in place.
public struct HNSWLibIndex: Sendable {
    public let file: MappedFile
    /// The space the user says the index was built with (the file does not record it).
    public let space: Metric
    public let dim: Int
    /// cur_element_count: stored elements, deleted ones included.
    public let count: Int
    public let maxElements: Int
    public let m: Int
    public let maxM: Int
    public let maxM0: Int
    public let levelMultiplier: Double
    public let efConstruction: Int
    /// Top level of the graph (−1 when empty).
    public let maxLevel: Int
    /// Internal id of the entry point (−1 when empty).
    public let entryPoint: Int
    /// Per element, its top level (0 = level 0 only).
    public let elementLevels: [Int32]
    /// Per element, the file offset of its upper-level link block (levels 1…top), or −1.
    @usableFromInline let upperLinkOffsets: [Int]
    /// Number of elements flagged deleted.
    public let deletedCount: Int
    /// Every element's label by internal id; nil when every label is its internal id (one thread adding items
    /// without labels of their own).
    public let labelTable: [UInt64]?
    /// The stored vectors (normalised for `cosine`), in internal-id order.
    public let vectors: VectorTable

    @usableFromInline let level0Offset: Int
    @usableFromInline let sizePerElement: Int
    let labelOffset: Int

    /// Bytes of one upper-level link list: a u32 count then maxM u32 slots.
    @usableFromInline var upperListSize: Int { 4 * maxM + 4 }

    /// The caller's label of internal element `id`.
    @inlinable @inline(__always)
    public func label(_ id: Int) -> UInt64 {
        if let labelTable { return labelTable[id] }
        return UInt64(id)
    }

    /// Whether element `id` is marked deleted (bit 0 of byte 2 of its level-0 list header).
    @inlinable @inline(__always)
    public func isDeleted(_ id: Int) -> Bool {
        let flags = file.baseAddress.load(fromByteOffset: level0Offset + id * sizePerElement + 2, as: UInt8.self)
        return flags & 0x01 != 0
    }

    /// Raw access for hot loops: element `id`'s neighbour count on `level` and the address of its first u32 id
    /// (ids validated at load to be < count).
    @inlinable @inline(__always)
    public func linkList(of id: Int, level: Int) -> (count: Int, ids: UnsafeRawPointer) {
        let listOffset = level == 0 ? level0Offset + id * sizePerElement : upperLinkOffsets[id] + (level - 1) * upperListSize
        let pointer = file.baseAddress + listOffset
        return (Int(pointer.loadUnaligned(as: UInt32.self) & 0xFFFF), pointer + 4)
    }

    /// The address of element `id`'s first float.
    @inlinable @inline(__always)
    public func vectorPointer(_ id: Int) -> UnsafeRawPointer {
        file.baseAddress + level0Offset + id * sizePerElement + (vectors.byteOffset - level0Offset)
    }

    /// Number of elements on each level, level 0 first.
    public func levelCounts() -> [Int] {
        guard maxLevel >= 0 else { return [] }
        var counts = [Int](repeating: 0, count: maxLevel + 1)
        for level in elementLevels {
            for value in 0...Int(level) { counts[value] += 1 }
        }
        return counts
    }
}
