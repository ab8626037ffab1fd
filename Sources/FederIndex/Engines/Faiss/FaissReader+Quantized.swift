/// Quantized and composite faiss indexes: `IxPq` / `IxPQ` / `IxPo` (IndexPQ), `IxSQ` (IndexScalarQuantizer),
/// `IPfs` (IndexPQFastScan), `IxRF` (IndexRefine), `IHNp` / `IHNs` storage (faiss `impl/index_read.cpp`,
/// v1.15: `read_ProductQuantizer`, `read_ScalarQuantizer`, the IxPq / IxSQ / IPfs / IxRF branches).
extension FaissReader {
    /// `IxPq` (IxPQ and IxPo are the older forms): header · product quantizer · codes (u64 count, bytes) ·
    /// for IxPq / IxPo: search_type i32 · encode_signs u8 · polysemous_ht i32. faiss reads IxPQ / IxPo as L2.
    mutating func readPQIndex(code: String) throws -> FaissPQIndex {
        var header = try readHeader()
        if code == "IxPQ" || code == "IxPo" { header.metric = .l2 }
        let pq = try readProductQuantizer(byResidual: false, indexDim: header.dim)
        let codeSize = pq.codeSize
        let codes = try readCodeTable("codes", count: header.count, codeSize: codeSize)
        var searchType: Int32 = 0
        var encodeSigns = false
        var polysemous: Int32 = 0
        if code != "IxPQ" {
            searchType = try reader.readInt32("search_type", in: 0...10)
            encodeSigns = try readBool("encode_signs")
            polysemous = try reader.read(Int32.self, "polysemous_ht")
        }
        return FaissPQIndex(
            code: code, header: header, pq: pq, codes: codes, searchType: searchType, encodeSigns: encodeSigns,
            polysemousThreshold: polysemous)
    }

    /// `IxSQ`: header · scalar quantizer · codes (u64 count, bytes).
    mutating func readSQIndex(code: String) throws -> FaissSQIndex {
        let header = try readHeader()
        let sq = try readScalarQuantizer(indexDim: header.dim)
        let codes = try readCodeTable("codes", count: header.count, codeSize: sq.codeSize)
        return FaissSQIndex(code: code, header: header, sq: sq, codes: codes)
    }

    /// `IPfs`: header · product quantizer · implem i32 · bbs i32 · qbs i32 · ntotal2 u64 · M2 u64 · codes
    /// (u64 count, bytes: ntotal2 / bbs blocks of bbs · M2 / 2 bytes).
    mutating func readPQFastScan(code: String) throws -> FaissPQFastScanIndex {
        let header = try readHeader()
        let pq = try readProductQuantizer(byResidual: false, indexDim: header.dim)
        let layout = try readFastScanFields(pq: pq, order: .pqFastScan)
        let paddedOffset = reader.offset
        let padded = try reader.readSize("ntotal2")
        guard padded % layout.blockSize == 0, padded >= header.count, padded - header.count < layout.blockSize else {
            throw reader.invalid(
                "ntotal2", "\(padded) is not ntotal \(header.count) rounded up to a multiple of bbs \(layout.blockSize)",
                at: paddedOffset)
        }
        let m2Offset = reader.offset
        let m2 = try reader.readSize("M2")
        guard m2 == (pq.subquantizers + 1) / 2 * 2 else {
            throw reader.invalid("M2", "\(m2), M = \(pq.subquantizers) rounded up to even expected", at: m2Offset)
        }
        var fields = layout
        fields.paddedSubquantizers = m2
        let blockBytes = layout.blockSize * m2 / 2
        let codes = try readCodeTable("packed codes", count: padded / layout.blockSize, codeSize: blockBytes)
        return FaissPQFastScanIndex(
            code: code, header: header, pq: pq, implementation: fields.implementation, blockSize: fields.blockSize,
            queryBatchSize: fields.queryBatchSize, paddedCount: padded, paddedSubquantizers: m2, codes: codes)
    }

    /// Where the fast-scan fields sit: `IPfs` writes implem, bbs, qbs; `IwPf` writes bbs, M2, implem, qbs2.
    enum FastScanFieldOrder { case pqFastScan, ivfPQFastScan }

    /// The fast-scan fields that follow the product quantizer (IPfs) or precede it (IwPf).
    mutating func readFastScanFields(pq: FaissProductQuantizer?, order: FastScanFieldOrder) throws -> FaissFastScanLayout {
        var implementation: Int32 = 0
        var blockSize = 0
        var queryBatch = 0
        var m2 = 0
        let blockOffset: Int
        switch order {
        case .pqFastScan:
            implementation = try reader.readInt32("implem", in: 0...15)
            blockOffset = reader.offset
            blockSize = Int(try reader.readInt32("bbs", in: 32...(1 << 16)))
            queryBatch = Int(try reader.readInt32("qbs", in: 0...Int32.max))
        case .ivfPQFastScan:
            blockOffset = reader.offset
            blockSize = Int(try reader.readInt32("bbs", in: 32...(1 << 16)))
            m2 = try reader.readSize("M2", in: 2...(1 << 16))
            implementation = try reader.readInt32("implem", in: 0...15)
            queryBatch = try reader.readSize("qbs2", in: 0...Int(Int32.max))
        }
        guard blockSize % 32 == 0 else {
            throw reader.invalid("bbs", "\(blockSize) is not a multiple of 32", at: blockOffset)
        }
        if let pq, pq.bitsPerCode != 4 {
            throw reader.invalid("pq nbits", "fast-scan codes are 4-bit, this quantizer has \(pq.bitsPerCode) bits")
        }
        return FaissFastScanLayout(
            blockSize: blockSize, paddedSubquantizers: m2, implementation: implementation, queryBatchSize: queryBatch)
    }

    /// `IxRF`: header · base index · refine index · k_factor f32 (faiss accepts 1…1000).
    mutating func readRefine(code: String, depth: Int) throws -> FaissRefineIndex {
        let header = try readHeader()
        let baseOffset = reader.offset
        let base = try readIndex(depth: depth + 1)
        let refineOffset = reader.offset
        let refine = try readIndex(depth: depth + 1)
        for (index, offset, role) in [(base, baseOffset, "base index"), (refine, refineOffset, "refine index")] {
            guard index.header.dim == header.dim, index.header.count == header.count else {
                throw reader.invalid(
                    role, "holds \(index.header.count)×\(index.header.dim), the refine wrapper \(header.count)×\(header.dim)",
                    at: offset)
            }
        }
        let factorOffset = reader.offset
        let kFactor = try reader.readFloat("k_factor")
        guard kFactor.isFinite, kFactor >= 1, kFactor <= 1000 else {
            throw reader.invalid("k_factor", "\(kFactor) is outside 1…1000", at: factorOffset)
        }
        return FaissRefineIndex(code: code, header: header, base: base, refine: refine, kFactor: kFactor)
    }

    /// A u64-counted byte vector holding exactly `count` codes of `codeSize` bytes.
    mutating func readCodeTable(_ field: String, count: Int, codeSize: Int) throws -> CodeTable {
        let countOffset = reader.offset
        let region = try reader.readVectorRegion(field, elementSize: 1)
        guard let expected = checkedProduct(count, codeSize), region.count == expected else {
            throw reader.invalid(
                field, "\(region.count) bytes, \(count) codes × \(codeSize) bytes expected", at: countOffset)
        }
        return CodeTable(file: reader.file, byteOffset: region.offset, count: count, codeSize: codeSize)
    }
}

extension FaissProductQuantizer {
    /// Bytes per code: M · nbits bits, rounded up (faiss `ProductQuantizer::code_size`).
    public var codeSize: Int { (subquantizers * bitsPerCode + 7) / 8 }
    /// Centroids per sub-quantizer (2^nbits).
    public var centroidsPerSubquantizer: Int { 1 << bitsPerCode }
    /// Dimensions per sub-quantizer.
    public var subDim: Int { dim / subquantizers }
}
