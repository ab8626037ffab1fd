/// The vectors codes stand for (faiss `sa_decode` / `reconstruct`), for drawing: a product quantizer's
/// codewords side by side, a scalar quantizer's components decoded, plus the list's centroid for residual
/// encodings. The arithmetic is the plain one (not any SIMD level's): these vectors are placed on a plane, never
/// compared bit for bit.
extension FaissProductQuantizer {
    /// Sub-quantizer m's code in `code` (nbits-bit fields, little-endian bit stream).
    public func subCode(_ code: UnsafeRawPointer, _ m: Int) -> Int {
        let bits = bitsPerCode
        if bits == 8 { return Int(code.load(fromByteOffset: m, as: UInt8.self)) }
        var value = 0
        var got = 0
        let first = m * bits
        while got < bits {
            let bit = first + got
            let byte = Int(code.load(fromByteOffset: bit >> 3, as: UInt8.self))
            let offset = bit & 7
            let take = min(8 - offset, bits - got)
            value |= ((byte >> offset) & ((1 << take) - 1)) << got
            got += take
        }
        return value
    }

    /// Adds the codewords of `code` to `out` (d floats).
    public func decode(_ code: (Int) -> Int, adding out: inout [Float]) {
        let dsub = subDim
        let ksub = centroidsPerSubquantizer
        for m in 0..<subquantizers {
            let base = (m * ksub + code(m)) * dsub
            for j in 0..<dsub { out[m * dsub + j] += centroids[base + j] }
        }
    }
}

extension FaissScalarQuantizer {
    /// The components of `code` (plus nothing else), as `ScalarQuantizer::decode` computes them.
    public func decode(_ code: UnsafeRawPointer, adding out: inout [Float]) {
        let levels: Float = quantizerType == 1 || quantizerType == 3 ? 15 : quantizerType == 6 ? 63 : 255
        let uniform = quantizerType == 2 || quantizerType == 3
        func byte(_ i: Int) -> Int { Int(code.load(fromByteOffset: i, as: UInt8.self)) }
        func word(_ i: Int) -> UInt16 { UInt16(byte(2 * i)) | UInt16(byte(2 * i + 1)) << 8 }
        for i in 0..<dim {
            let value: Float
            switch quantizerType {
            case 4: value = Self.half(word(i))
            case 7: value = Float(bitPattern: UInt32(word(i)) << 16)
            case 5: value = Float(byte(i))
            case 8: value = Float(byte(i) - 128)
            default:
                let c: Int
                switch quantizerType {
                case 1, 3: c = (byte(i / 2) >> ((i & 1) * 4)) & 15
                case 6:
                    let group = i / 4 * 3
                    switch i & 3 {
                    case 0: c = byte(group) & 63
                    case 1: c = (byte(group) >> 6) | ((byte(group + 1) & 15) << 2)
                    case 2: c = (byte(group + 1) >> 4) | ((byte(group + 2) & 3) << 4)
                    default: c = byte(group + 2) >> 2
                    }
                default: c = byte(i)
                }
                let vmin = uniform ? trained[0] : trained[i]
                let vdiff = uniform ? trained[1] : trained[dim + i]
                value = vmin + (Float(c) + 0.5) / levels * vdiff
            }
            out[i] += value
        }
    }

    /// IEEE half to float.
    static func half(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = UInt32(h >> 10) & 0x1f
        var mantissa = UInt32(h) & 0x3ff
        if exponent == 0 {
            if mantissa == 0 { return Float(bitPattern: sign) }
            var shift: UInt32 = 0
            while mantissa & 0x400 == 0 {
                mantissa <<= 1
                shift += 1
            }
            mantissa &= 0x3ff
            return Float(bitPattern: sign | ((127 - 15 + 1 - shift) << 23) | (mantissa << 13))
        }
        if exponent == 31 { return Float(bitPattern: sign | 0x7f80_0000 | (mantissa << 13)) }
        return Float(bitPattern: sign | ((exponent + 127 - 15) << 23) | (mantissa << 13))
    }
}

extension FaissIVFIndex {
    /// The vector at `offset` of list `list` as the index stores it: the float vector itself (IVFFlat), or its
    /// code decoded (plus the list's centroid with residual encoding). nil out of range or for a quantizer
    /// without stored centroids.
    public func reconstruct(list: Int, offset: Int) -> [Float]? {
        guard list >= 0, list < invertedLists.lists.count else { return nil }
        let entry = invertedLists.lists[list]
        guard offset >= 0, offset < entry.size else { return nil }
        let dim = header.dim
        let file = entry.ids.file
        let codeSize = invertedLists.codeSize
        var out = [Float](repeating: 0, count: dim)
        var residual = false
        switch encoding {
        case .flat:
            let row = file.baseAddress + entry.codesOffset + offset * codeSize
            for i in 0..<dim { out[i] = row.loadUnaligned(fromByteOffset: i * 4, as: Float.self) }
            return out
        case .productQuantizer(let pq):
            let code = file.baseAddress + entry.codesOffset + offset * codeSize
            pq.decode({ pq.subCode(code, $0) }, adding: &out)
            residual = pq.byResidual
        case .scalarQuantizer(let sq):
            sq.decode(file.baseAddress + entry.codesOffset + offset * codeSize, adding: &out)
            residual = sq.byResidual
        case .productQuantizerFastScan(let pq, let layout):
            let packed = file.baseAddress + entry.codesOffset
            pq.decode(
                {
                    FaissPQFastScanIndex.packedCode(
                        packed, blockSize: layout.blockSize, padded: layout.paddedSubquantizers, vector: offset, m: $0)
                },
                adding: &out)
            residual = pq.byResidual
        }
        if residual {
            guard let centroids else { return nil }
            let centroid = centroids.rowPointer(list)
            for i in 0..<dim { out[i] += centroid.loadUnaligned(fromByteOffset: i * 4, as: Float.self) }
        }
        return out
    }
}

extension FaissPQFastScanIndex {
    /// Sub-quantizer m's 4-bit code of vector `vector` in packed blocks of `blockSize` vectors (pq4_pack_codes:
    /// per pair of sub-quantizers, 32 bytes per 32 vectors, low nibbles the first 16 in the order 0, 8, 1, 9, …).
    public static func packedCode(_ packed: UnsafeRawPointer, blockSize bbs: Int, padded: Int, vector: Int, m: Int) -> Int {
        let block = packed + (vector / bbs) * (bbs * padded / 2)
        let inBlock = vector % bbs
        let group = inBlock / 32 * 32
        let lane = inBlock % 32
        let vi = lane & 15
        let position = vi < 8 ? vi << 1 : ((vi - 8) << 1) + 1
        let address = (m >> 1) * bbs + group + position + (m & 1 == 1 ? 16 : 0)
        let byte = Int(block.load(fromByteOffset: address, as: UInt8.self))
        return lane > 15 ? byte >> 4 : byte & 15
    }
}

extension FaissIndex {
    /// Stored vector `row` (an internal id) as the index keeps it: float rows as they are, codes decoded;
    /// nil for kinds that do not keep vectors by row (IVF: see `FaissIVFIndex.reconstruct`).
    public func reconstruct(row: Int) -> [Float]? {
        guard row >= 0, row < header.count else { return nil }
        var out = [Float](repeating: 0, count: header.dim)
        switch self {
        case .flat(let flat): return flat.vectors.row(row)
        case .hnsw(let hnsw): return hnsw.storage.reconstruct(row: row)
        case .pq(let index):
            let code = index.codes.codePointer(row)
            index.pq.decode({ index.pq.subCode(code, $0) }, adding: &out)
            return out
        case .scalarQuantizer(let index):
            index.sq.decode(index.codes.codePointer(row), adding: &out)
            return out
        case .pqFastScan(let index):
            let packed = index.codes.file.baseAddress + index.codes.byteOffset
            index.pq.decode(
                {
                    FaissPQFastScanIndex.packedCode(
                        packed, blockSize: index.blockSize, padded: index.paddedSubquantizers, vector: row, m: $0)
                },
                adding: &out)
            return out
        case .idMap(let map): return map.inner.reconstruct(row: row)
        case .refine(let refine): return refine.refine.reconstruct(row: row)
        case .ivf, .preTransform: return nil
        }
    }
}
