/// Decodes an hnswlib file (hnswlib `hnswalg.h` saveIndex/loadIndex; there is no magic number or version).
///
/// Header, 96 bytes: offsetLevel0 u64 · max_elements u64 · cur_element_count u64 · size_data_per_element u64 ·
/// label_offset u64 · offsetData u64 · maxlevel i32 · enterpoint_node u32 · maxM u64 · maxM0 u64 · M u64 ·
/// mult f64 · ef_construction u64. Then the level-0 block, then per element a u32 byte length and its upper
/// link lists. hnswlib checks that the file size matches exactly; so do we.
enum HNSWLibReader {
    static let headerSize = 96

    /// - Parameters:
    ///   - start: where the hnswlib part begins (an engine that writes a header of its own first, as Voyager does).
    ///   - elementBytes: bytes per vector component (4 for float32; 1 for Voyager's 8-bit storages, whose vectors are
    ///     then read through `vectorPointer` only: `vectors` holds no rows).
    static func read(
        file: MappedFile, space: Metric, start: Int = 0, elementBytes: Int = 4, format: String = "hnswlib"
    ) throws -> HNSWLibIndex {
        var reader = ByteReader(file: file, format: format)
        if start > 0 { try reader.skip(start, "\(format) header") }
        let level0Offset = try reader.readSize("offsetLevel0", in: 0...0)
        let maxElements = try reader.readSize("max_elements")
        let countOffset = reader.offset
        let count = try reader.readSize("cur_element_count")
        guard count <= maxElements else {
            throw reader.invalid("cur_element_count", "\(count) exceeds max_elements \(maxElements)", at: countOffset)
        }
        let sizeOffset = reader.offset
        let sizePerElement = try reader.readSize("size_data_per_element", in: 1...(1 << 30))
        let labelOffsetField = reader.offset
        let labelOffset = try reader.readSize("label_offset", in: 0...(1 << 30))
        let dataOffsetField = reader.offset
        let offsetData = try reader.readSize("offsetData", in: 0...(1 << 30))
        let maxLevelOffset = reader.offset
        let maxLevel = Int(try reader.readInt32("maxlevel", in: -1...64))
        let entryOffset = reader.offset
        let entryRaw = try reader.read(UInt32.self, "enterpoint_node")
        let maxM = try reader.readSize("maxM", in: 1...(1 << 16))
        let maxM0Offset = reader.offset
        let maxM0 = try reader.readSize("maxM0", in: 1...0xFFFF)
        let m = try reader.readSize("M", in: 1...(1 << 16))
        let mult = try reader.readDouble("mult")
        let efConstruction = try reader.readSize("ef_construction", in: 0...Int(Int32.max))

        // Layout checks (hnswalg.h constructor: size_links_level0 = maxM0·4 + 4, data after it, label last).
        guard offsetData == 4 + 4 * maxM0 else {
            throw reader.invalid("offsetData", "\(offsetData), expected 4 + 4·maxM0 = \(4 + 4 * maxM0)", at: dataOffsetField)
        }
        guard labelOffset > offsetData, (labelOffset - offsetData) % elementBytes == 0 else {
            throw reader.invalid(
                "label_offset", "\(labelOffset) leaves no whole vector of \(elementBytes)-byte components after offsetData \(offsetData)",
                at: labelOffsetField)
        }
        guard sizePerElement == labelOffset + 8 else {
            throw reader.invalid(
                "size_data_per_element", "\(sizePerElement), expected label_offset + 8 = \(labelOffset + 8)", at: sizeOffset)
        }
        _ = maxM0Offset
        let dim = (labelOffset - offsetData) / elementBytes
        // An empty index has no entry point whatever the header says.
        let entryPoint = (entryRaw == UInt32.max || count == 0) ? -1 : Int(entryRaw)
        if count > 0 {
            guard entryPoint >= 0, entryPoint < count else {
                throw reader.invalid("enterpoint_node", "\(entryRaw) is outside 0..<\(count)", at: entryOffset)
            }
            guard maxLevel >= 0 else {
                throw reader.invalid("maxlevel", "\(maxLevel) in a non-empty index", at: maxLevelOffset)
            }
        }

        let blockStart = reader.offset
        guard let blockSize = checkedProduct(count, sizePerElement) else {
            throw reader.invalid("cur_element_count", "\(count) × \(sizePerElement) bytes overflows", at: countOffset)
        }
        try reader.skip(blockSize, "level-0 block (\(count) elements of \(sizePerElement) bytes)")

        // Upper levels: per element a u32 byte length, a multiple of the list size; level = length / list size.
        let listSize = 4 * maxM + 4
        var levels = [Int32](repeating: 0, count: count)
        var upperOffsets = [Int](repeating: -1, count: count)
        var topLevel = count == 0 ? -1 : 0
        for id in 0..<count {
            let lengthOffset = reader.offset
            let length = Int(try reader.read(UInt32.self, "link list size of element \(id)"))
            guard length % listSize == 0, length / listSize <= maxLevel else {
                throw reader.invalid(
                    "link list size of element \(id)",
                    "\(length) bytes is not a multiple of \(listSize) up to maxlevel \(maxLevel)", at: lengthOffset)
            }
            if length > 0 {
                upperOffsets[id] = try reader.skip(length, "upper link lists of element \(id)")
                levels[id] = Int32(length / listSize)
                topLevel = max(topLevel, length / listSize)
            }
        }
        guard reader.remaining == 0 else {
            throw reader.invalid(
                "file size", "\(reader.remaining) bytes follow the last link list (hnswlib's integrity check fails)")
        }
        if count > 0 {
            guard topLevel == maxLevel, Int(levels[entryPoint]) == maxLevel else {
                throw reader.invalid(
                    "maxlevel",
                    "\(maxLevel), but the highest element level is \(topLevel) and the entry point's "
                        + "is \(levels[entryPoint])", at: maxLevelOffset)
            }
        }

        // Links: counts within their capacity, ids within the element count.
        var deleted = 0
        // Labels, gathered into one table only when they are not the internal ids (items added by several
        // threads, or with labels of their own): traces look many of them up, and each sits after a whole vector.
        var labelTable: [UInt64]?
        let base = file.baseAddress
        for id in 0..<count {
            let listOffset = blockStart + id * sizePerElement
            let header = base.loadUnaligned(fromByteOffset: listOffset, as: UInt32.self)
            if (header >> 16) & 0x01 != 0 { deleted += 1 }
            let label = base.loadUnaligned(fromByteOffset: listOffset + labelOffset, as: UInt64.self)
            if labelTable == nil, label != UInt64(id) {
                var table = [UInt64](unsafeUninitializedCapacity: count) { buffer, initialized in
                    for earlier in 0..<id { buffer[earlier] = UInt64(earlier) }
                    initialized = id
                }
                table.reserveCapacity(count)
                labelTable = table
            }
            labelTable?.append(label)
            try checkLinks(
                reader: reader, offset: listOffset, capacity: maxM0, count: count, what: "level-0 links of element \(id)")
            for level in 0..<Int(levels[id]) {
                let listOffset = upperOffsets[id] + level * listSize
                try checkLinks(
                    reader: reader, offset: listOffset, capacity: maxM, count: count,
                    what: "level-\(level + 1) links of element \(id)")
                // A link on level L must lead to an element that lives on level L (the search follows it there).
                let size = Int(base.loadUnaligned(fromByteOffset: listOffset, as: UInt32.self) & 0xFFFF)
                for slot in 0..<size {
                    let neighbor = Int(base.loadUnaligned(fromByteOffset: listOffset + 4 + slot * 4, as: UInt32.self))
                    guard Int(levels[neighbor]) >= level + 1 else {
                        throw reader.invalid(
                            "level-\(level + 1) links of element \(id)",
                            "element \(neighbor) lives only up to level \(levels[neighbor])", at: listOffset + 4 + slot * 4)
                    }
                }
            }
        }
        // Float rows only for float storage: 1-byte components (Voyager's Float8 and E4M3) leave an empty table that
        // marks where the vectors start, its stride a float row's so that a wide vector cannot fail the table's check.
        let vectors = VectorTable(
            file: file, byteOffset: blockStart + offsetData, count: elementBytes == 4 ? count : 0, dim: dim,
            rowStride: elementBytes == 4 ? sizePerElement : nil)
        return HNSWLibIndex(
            file: file, space: space, dim: dim, count: count, maxElements: maxElements, m: m, maxM: maxM,
            maxM0: maxM0, levelMultiplier: mult, efConstruction: efConstruction, maxLevel: count == 0 ? -1 : maxLevel,
            entryPoint: entryPoint, elementLevels: levels, upperLinkOffsets: upperOffsets, deletedCount: deleted,
            labelTable: labelTable, vectors: vectors, level0Offset: blockStart + level0Offset, sizePerElement: sizePerElement,
            labelOffset: labelOffset)
    }

    private static func checkLinks(
        reader: ByteReader, offset: Int, capacity: Int, count: Int, what: @autoclosure () -> String
    ) throws {
        let base = reader.file.baseAddress
        let size = Int(base.loadUnaligned(fromByteOffset: offset, as: UInt32.self) & 0xFFFF)
        guard size <= capacity else {
            throw reader.invalid(what(), "\(size) links in a list of \(capacity) slots", at: offset)
        }
        for slot in 0..<size {
            let neighbor = base.loadUnaligned(fromByteOffset: offset + 4 + slot * 4, as: UInt32.self)
            guard Int(neighbor) < count else {
                throw reader.invalid(what(), "neighbour id \(neighbor) is outside 0..<\(count)", at: offset + 4 + slot * 4)
            }
        }
    }
}
