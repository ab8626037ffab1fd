/// PostgreSQL's page layout as pgvector's index pages use it (pgvector-format.md §1): 8 KiB blocks, a 24-byte
/// header, 4-byte line pointers, an 8-byte special area ending in the access method's page id.
public enum PGPageLayout {
    public static let blockSize = 8192
    /// Blocks per segment file (`RELSEG_SIZE`): segment `n` of a relation holds blocks `n·131072 ..< (n+1)·131072`.
    public static let blocksPerSegment = 131072
    static let headerSize = 24
    static let specialOffset = 8184
    static let pageSizeVersion: UInt16 = 0x2004
    static let invalidBlock: UInt32 = 0xFFFF_FFFF
}

/// The main fork of one relation, by absolute block number, from wherever its bytes came (segment files mapped
/// from a data directory, or read through the server): whole 8 KiB blocks in runs.
public struct PGRelationPages: Sendable {
    /// How the relation is named in every message: `index public.items_embedding_idx`.
    public let relation: String
    public let blockCount: Int
    /// Runs of whole blocks in block order; `starts[i]` is the first block of `runs[i]`.
    private let runs: [MappedFile]
    private let starts: [Int]

    /// Blocks from `runs`, each a whole number of blocks, in order.
    /// - Throws: `FederIndexError.invalid` when a run is not a whole number of blocks.
    public init(relation: String, runs: [MappedFile]) throws {
        var starts: [Int] = []
        var block = 0
        for run in runs {
            guard run.count % PGPageLayout.blockSize == 0 else {
                throw FederIndexError.invalid(
                    path: relation, format: "PostgreSQL relation", field: "size of \(run.path)", offset: run.count,
                    detail: "\(run.count) bytes is not a whole number of \(PGPageLayout.blockSize)-byte blocks")
            }
            starts.append(block)
            block += run.count / PGPageLayout.blockSize
        }
        (self.relation, self.runs, self.starts, self.blockCount) = (relation, runs, starts, block)
    }

    /// A copy of block `block`'s 8 KiB (which must be below `blockCount`).
    public func copy(ofBlock block: Int) -> [UInt8] { Array(bytes(ofBlock: block)) }

    /// The 8 KiB of block `block` (which must be below `blockCount`).
    func bytes(ofBlock block: Int) -> UnsafeRawBufferPointer {
        var low = 0
        var high = runs.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if starts[middle] <= block { low = middle } else { high = middle - 1 }
        }
        let offset = (block - starts[low]) * PGPageLayout.blockSize
        return UnsafeRawBufferPointer(rebasing: runs[low].bytes[offset..<offset + PGPageLayout.blockSize])
    }

    /// An index's metapage: the relation holds it and at least one more block (`second` names what), block 0 is
    /// checked, and its magic number and version (1) are the access method's (`kind` names it in messages).
    func metapage(format: String, pageID: UInt16, magic: UInt32, kind: String, second: String, versions: String, checksums: Bool)
        throws -> PGPage
    {
        guard blockCount >= 2 else {
            throw FederIndexError.invalid(
                path: relation, format: format, field: "size", offset: 0,
                detail: "\(blockCount) blocks (an \(kind) index has a metapage and at least one \(second))")
        }
        let meta = try page(0, format: format, pageID: pageID, checksums: checksums, metapage: true)
        guard meta.u32(24) == magic else {
            throw meta.invalid(
                "magic number", at: 24,
                "0x\(String(meta.u32(24), radix: 16)) (expected 0x\(String(magic, radix: 16)): not an \(kind) index)")
        }
        guard meta.u32(28) == 1 else {
            throw meta.invalid("version", at: 28, "\(meta.u32(28)) (this tool reads version 1, \(versions))")
        }
        return meta
    }

    /// Block `block` as already checked by `page(_:format:pageID:checksums:metapage:)` (no second check).
    func checkedBefore(_ block: Int, format: String) -> PGPage {
        PGPage(bytes: bytes(ofBlock: block), block: block, relation: relation, format: format)
    }

    /// Block `block`, its header, special area and line pointers checked.
    /// - Parameters:
    ///   - pageID: the access method's page id the special area must end in (`0xFF90` HNSW, `0xFF84` IVFFlat).
    ///   - checksums: whether the cluster has data checksums on; each page's is then verified.
    /// - Throws: `FederIndexError.invalid` naming the relation, the block and the byte within it.
    func page(_ block: Int, format: String, pageID: UInt16, checksums: Bool, metapage: Bool = false) throws -> PGPage {
        guard block >= 0, block < blockCount else {
            throw FederIndexError.invalid(
                path: relation, format: format, field: "block number", offset: 0,
                detail: "block \(block) is past the relation's end (\(blockCount) blocks)")
        }
        let page = PGPage(bytes: bytes(ofBlock: block), block: block, relation: relation, format: format)
        try page.check(pageID: pageID, checksums: checksums, metapage: metapage)
        return page
    }
}

/// One 8 KiB page (pgvector-format.md §1.2–1.5), read little-endian.
struct PGPage {
    let bytes: UnsafeRawBufferPointer
    let block: Int
    let relation: String
    let format: String

    func u8(_ offset: Int) -> UInt8 { bytes[offset] }
    func u16(_ offset: Int) -> UInt16 { bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self).littleEndian }
    func i16(_ offset: Int) -> Int16 { bytes.loadUnaligned(fromByteOffset: offset, as: Int16.self).littleEndian }
    func u32(_ offset: Int) -> UInt32 { bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian }
    func i32(_ offset: Int) -> Int32 { bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self).littleEndian }

    var lower: Int { Int(u16(12)) }
    var upper: Int { Int(u16(14)) }
    /// The next page of the chain this page is on (`nil` at the chain's end).
    var nextBlock: Int? {
        let next = u32(PGPageLayout.specialOffset)
        return next == PGPageLayout.invalidBlock ? nil : Int(next)
    }
    /// Line pointers on the page (`PageGetMaxOffsetNumber`); a metapage has none.
    var itemCount: Int { lower <= PGPageLayout.headerSize ? 0 : (lower - PGPageLayout.headerSize) / 4 }

    /// The error for `field` at byte `offset` of this page.
    func invalid(_ field: String, at offset: Int, _ detail: String) -> FederIndexError {
        .invalid(path: "\(relation), block \(block)", format: format, field: field, offset: offset, detail: detail)
    }

    func check(pageID: UInt16, checksums: Bool, metapage: Bool) throws {
        if upper == 0 && bytes.allSatisfy({ $0 == 0 }) {
            throw invalid("page", at: 0, "the page is all zeros (never initialised; the relation was extended and not written)")
        }
        guard u16(18) == PGPageLayout.pageSizeVersion else {
            throw invalid(
                "page size and layout version", at: 18,
                "0x\(String(u16(18), radix: 16)) (expected 0x2004: 8 KiB pages, layout version 4)")
        }
        let special = Int(u16(16))
        guard special == PGPageLayout.specialOffset else {
            throw invalid("special space offset", at: 16, "\(special) (pgvector pages keep 8 bytes at 8184)")
        }
        guard u16(PGPageLayout.specialOffset + 6) == pageID else {
            throw invalid(
                "page id", at: PGPageLayout.specialOffset + 6,
                "0x\(String(u16(PGPageLayout.specialOffset + 6), radix: 16, uppercase: true)) (expected 0x\(String(pageID, radix: 16, uppercase: true)): not a page of this index type)"
            )
        }
        guard lower >= PGPageLayout.headerSize, lower <= upper, upper <= special else {
            throw invalid("free space bounds", at: 12, "lower \(lower), upper \(upper), special \(special) are out of order")
        }
        if checksums {
            let stored = u16(8)
            let computed = PGChecksum.page(bytes, block: block)
            guard stored == computed else {
                throw invalid(
                    "checksum", at: 8,
                    "stored \(stored), computed \(computed): the page is torn or corrupt (or was read while being written)")
            }
        }
        guard !metapage else { return }
        for item in 1...max(itemCount, 1) where item <= itemCount {
            let raw = u32(PGPageLayout.headerSize + 4 * (item - 1))
            let (offset, flags, length) = (Int(raw & 0x7FFF), (raw >> 15) & 3, Int(raw >> 17))
            guard flags == 1 else {
                throw invalid(
                    "line pointer \(item)", at: PGPageLayout.headerSize + 4 * (item - 1),
                    "state \(flags) (pgvector index pages hold only normal items)")
            }
            guard offset >= upper, length > 0, offset + length <= special else {
                throw invalid(
                    "line pointer \(item)", at: PGPageLayout.headerSize + 4 * (item - 1),
                    "item of \(length) bytes at \(offset) lies outside the page's tuple space \(upper)..<\(special)")
            }
        }
    }

    /// The byte offset and length of item `item` (1-based; checked by `check`).
    func item(_ item: Int) -> (offset: Int, length: Int) {
        let raw = u32(PGPageLayout.headerSize + 4 * (item - 1))
        return (Int(raw & 0x7FFF), Int(raw >> 17))
    }
}

/// A heap or index tuple id: block and 1-based offset (`ItemPointerData`, 6 bytes: block high and low halves, offset).
public struct PGTupleID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var block: UInt32
    public var offset: UInt16

    public init(block: UInt32, offset: UInt16) { (self.block, self.offset) = (block, offset) }

    /// Reads a TID at `offset` of `page`; nil when invalid (`ip_posid == 0`, as `ItemPointerIsValid` tests).
    init?(_ page: PGPage, at offset: Int) {
        let position = page.u16(offset + 4)
        guard position != 0 else { return nil }
        block = UInt32(page.u16(offset)) << 16 | UInt32(page.u16(offset + 2))
        self.offset = position
    }

    /// One integer keeping the order (block, then offset).
    public var key: UInt64 { UInt64(block) << 16 | UInt64(offset) }

    /// PostgreSQL's text form, `(block,offset)`.
    public var description: String { "(\(block),\(offset))" }

    /// Parses `(block,offset)` from the bytes of its text.
    public init?(text bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= 5, bytes.first == UInt8(ascii: "("), bytes.last == UInt8(ascii: ")") else { return nil }
        var first: UInt64 = 0
        var second: UInt64 = 0
        var afterComma = false
        var digits = 0
        for byte in bytes.dropFirst().dropLast() {
            if byte == UInt8(ascii: ",") {
                guard !afterComma, digits > 0 else { return nil }
                (afterComma, digits) = (true, 0)
                continue
            }
            guard byte >= 48, byte <= 57, digits < 10 else { return nil }
            if afterComma { second = second * 10 + UInt64(byte - 48) } else { first = first * 10 + UInt64(byte - 48) }
            digits += 1
        }
        guard afterComma, digits > 0, first <= UInt64(UInt32.max), second <= UInt64(UInt16.max) else { return nil }
        (block, offset) = (UInt32(first), UInt16(second))
    }

    /// Parses `(block,offset)` as the server prints a `tid`.
    public init?(text: String) {
        var text = text
        guard let tid = text.withUTF8({ PGTupleID(text: UnsafeRawBufferPointer($0)) }) else { return nil }
        self = tid
    }

    public static func < (a: PGTupleID, b: PGTupleID) -> Bool { a.key < b.key }
}

/// PostgreSQL's data page checksum (`storage/checksum_impl.h:pg_checksum_page`): 32 FNV-1a-like lanes over the
/// page with the checksum field taken as 0, folded with the block number.
enum PGChecksum {
    private static let seeds: [UInt32] = [
        0x5B1F_36E9, 0xB852_5960, 0x02AB_50AA, 0x1DE6_6D2A, 0x79FF_467A, 0x9BB9_F8A3, 0x217E_7CD2, 0x83E1_3D2C,
        0xF8D4_474F, 0xE39E_B970, 0x42C6_AE16, 0x9932_16FA, 0x7B09_3B5D, 0x98DA_FF3C, 0xF718_902A, 0x0B1C_9CDB,
        0xE58F_764B, 0x1876_36BC, 0x5D7B_3BB1, 0xE73D_E7DE, 0x92BE_C979, 0xCCA6_C0B2, 0x304A_0979, 0x85AA_43D4,
        0x7831_25BB, 0x6CA8_EAA2, 0xE407_EAC6, 0x4B5C_FC3E, 0x9FBF_8C76, 0x15CA_20BE, 0xF2CA_9FD3, 0x959B_D756,
    ]

    static func page(_ bytes: UnsafeRawBufferPointer, block: Int) -> UInt16 {
        var sums = seeds
        @inline(__always) func mix(_ checksum: UInt32, _ value: UInt32) -> UInt32 {
            let t = checksum ^ value
            return (t &* 16_777_619) ^ (t >> 17)
        }
        for row in 0..<(PGPageLayout.blockSize / 128) {
            for lane in 0..<32 {
                let offset = row * 128 + lane * 4
                var value = bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
                if offset == 8 { value &= 0xFFFF_0000 }  // pd_checksum (bytes 8–9) counts as zero
                sums[lane] = mix(sums[lane], value)
            }
        }
        for _ in 0..<2 { for lane in 0..<32 { sums[lane] = mix(sums[lane], 0) } }
        var result: UInt32 = 0
        for sum in sums { result ^= sum }
        result ^= UInt32(truncatingIfNeeded: block)
        return UInt16(result % 65535 + 1)
    }
}
