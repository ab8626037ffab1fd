/// A pgvector IVFFlat index read page by page (pgvector-format.md §5): the metapage, the list pages (each list's
/// centre and first entry page, in list order) and every list's entries (heap TID and value) in chain and offset
/// order, the order the scan reads them.
public struct PGVectorIVFFlat: Sendable {
    static let format = "pgvector IVFFlat"
    static let magic: UInt32 = 0x014F_F1A7
    static let pageID: UInt16 = 0xFF84

    public let relation: String
    public let opclass: PGVectorOpclass
    public let dimensions: Int
    /// Lists, in list-page order (the order the scan compares centres in).
    public var lists: Int { listStart.count - 1 }
    /// List centres, one row each.
    public let centers: PGVectorValues
    /// Entries of list `l`: rows `listStart[l] ..< listStart[l + 1]` of `values` and `heapTIDs`.
    public let listStart: [Int32]
    public let heapTIDs: [PGTupleID]
    public let values: PGVectorValues

    public init(pages: PGRelationPages, opclass: PGVectorOpclass, checksums: Bool) throws {
        relation = pages.relation
        self.opclass = opclass
        let format = Self.format
        let meta = try pages.metapage(
            format: format, pageID: Self.pageID, magic: Self.magic, kind: "IVFFlat", second: "list page", versions: "pgvector 0.4 to 0.8",
            checksums: checksums)
        dimensions = Int(meta.u16(32))
        let listCount = Int(meta.u16(34))
        guard dimensions > 0 else { throw meta.invalid("dimensions", at: 32, "\(dimensions)") }
        guard listCount >= 1, listCount <= 32768 else { throw meta.invalid("lists", at: 34, "\(listCount) (pgvector allows 1 to 32768)") }

        let centers = PGVectorValues(type: opclass.type, dimensions: dimensions)
        let values = PGVectorValues(type: opclass.type, dimensions: dimensions)
        let stride = centers.stride
        var starts: [Int] = []
        var seen = Set<Int>()
        var block: Int? = 1
        while let current = block {
            guard seen.insert(current).inserted else {
                throw FederIndexError.invalid(
                    path: "\(pages.relation), block \(current)", format: format, field: "next page", offset: PGPageLayout.specialOffset,
                    detail: "the list pages' chain returns to block \(current) (a loop)")
            }
            let page = try pages.page(current, format: format, pageID: Self.pageID, checksums: checksums)
            for item in 1...max(page.itemCount, 1) where item <= page.itemCount {
                let (offset, length) = page.item(item)
                guard length >= 8 + 8 + stride else {
                    throw page.invalid(
                        "list \(starts.count)", at: offset, "\(length) bytes cannot hold a \(opclass.type.rawValue)(\(dimensions)) centre")
                }
                try Self.checkValue(
                    page, at: offset + 8, header: 4, type: opclass.type, dimensions: dimensions, what: "list \(starts.count) centre")
                starts.append(Int(page.u32(offset)))
                centers.append(page.bytes.baseAddress.map { $0 + offset + 16 })
            }
            block = page.nextBlock
        }
        guard starts.count == listCount else {
            throw FederIndexError.invalid(
                path: "\(pages.relation), block 0", format: format, field: "lists", offset: 34,
                detail: "the metapage says \(listCount) lists, the list pages hold \(starts.count)")
        }

        var listStart: [Int32] = [0]
        var heapTIDs: [PGTupleID] = []
        for (list, start) in starts.enumerated() {
            var block: Int? = start == Int(PGPageLayout.invalidBlock) ? nil : start
            while let current = block {
                guard seen.insert(current).inserted else {
                    throw FederIndexError.invalid(
                        path: "\(pages.relation), block \(current)", format: format, field: "list \(list) pages",
                        offset: PGPageLayout.specialOffset,
                        detail: "block \(current) is reached twice (a loop, or two lists sharing a page)")
                }
                let page = try pages.page(current, format: format, pageID: Self.pageID, checksums: checksums)
                for item in 1...max(page.itemCount, 1) where item <= page.itemCount {
                    let (offset, length) = page.item(item)
                    guard let tid = PGTupleID(page, at: offset) else {
                        throw page.invalid("entry \(item)", at: offset, "its heap TID is invalid")
                    }
                    let info = page.u16(offset + 6)
                    guard info & 0x8000 == 0, Int(info & 0x1FFF) == length, length >= 9 else {
                        throw page.invalid(
                            "entry \(item)", at: offset + 6, "tuple info 0x\(String(info, radix: 16)) for a \(length)-byte item")
                    }
                    // A value fits a 1-byte header (unaligned, right after the tuple header) or has a 4-byte one.
                    let first = page.u8(offset + 8)
                    let header = first & 1 == 1 ? 1 : 4
                    guard length >= 8 + header + 4 + stride else {
                        throw page.invalid(
                            "entry \(item)", at: offset + 8, "\(length) bytes cannot hold a \(opclass.type.rawValue)(\(dimensions)) value")
                    }
                    try Self.checkValue(
                        page, at: offset + 8, header: header, type: opclass.type, dimensions: dimensions, what: "entry \(item) value")
                    heapTIDs.append(tid)
                    values.append(page.bytes.baseAddress.map { $0 + offset + 8 + header + 4 })
                }
                block = page.nextBlock
            }
            listStart.append(Int32(heapTIDs.count))
        }
        (self.centers, self.values, self.listStart, self.heapTIDs) = (centers, values, listStart, heapTIDs)
    }

    /// Checks the varlena at `offset`: its header form and size, and the dimensions it says.
    static func checkValue(_ page: PGPage, at offset: Int, header: Int, type: PGVectorType, dimensions: Int, what: String) throws {
        let size = 4 + type.stride(dimensions: dimensions)
        if header == 1 {
            let byte = page.u8(offset)
            guard byte != 1, Int(byte >> 1) == 1 + size else {
                throw page.invalid(
                    what, at: offset,
                    "1-byte header 0x\(String(byte, radix: 16)) where \(type.rawValue)(\(dimensions)) takes \(1 + size) bytes")
            }
        } else {
            let word = page.u32(offset)
            guard word & 3 == 0 else {
                throw FederIndexError.unsupported(
                    path: "\(page.relation), block \(page.block)", format: page.format, offset: offset,
                    detail: "\(what) is compressed or external (header 0x\(String(word, radix: 16)))")
            }
            guard Int(word >> 2) == 4 + size else {
                throw page.invalid(
                    what, at: offset, "a \(Int(word >> 2))-byte value where \(type.rawValue)(\(dimensions)) takes \(4 + size)")
            }
        }
        let stored = type == .bit ? Int(page.i32(offset + header)) : Int(page.i16(offset + header))
        guard stored == dimensions else {
            throw page.invalid(what, at: offset + header, "\(stored) dimensions in a \(dimensions)-dimension index")
        }
    }
}
