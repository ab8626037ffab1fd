/// Inverted-file indexes: `IwFl`, `IwPQ`, `IwSq`/`IwSQ` and the legacy `IvFl`/`IvFL`
/// (faiss `read_ivf_header`, `read_direct_map`, `read_InvertedLists`, `read_ivfpq`, `read_ScalarQuantizer`).
extension FaissReader {
    /// The IVF header: common header · nlist u64 · nprobe u64 · quantizer index.
    mutating func readIVFHeader(depth: Int) throws -> (FaissHeader, nlist: Int, nprobe: Int, quantizer: FaissIndex) {
        let header = try readHeader()
        let nlistOffset = reader.offset
        let nlist = try reader.readSize("nlist", in: 1...Int.max)
        let nprobeOffset = reader.offset
        let nprobe = try reader.readSize("nprobe", in: 0...Int.max)
        let quantizerOffset = reader.offset
        let quantizer = try readIndex(depth: depth + 1)
        guard quantizer.header.count == nlist else {
            throw reader.invalid(
                "nlist", "\(nlist) lists but the coarse quantizer holds \(quantizer.header.count) centroids",
                at: nlistOffset)
        }
        guard quantizer.header.dim == header.dim else {
            throw reader.invalid(
                "quantizer", "dimension \(quantizer.header.dim) differs from the index's \(header.dim)",
                at: quantizerOffset)
        }
        guard nprobe >= 1 else { throw reader.invalid("nprobe", "must be at least 1", at: nprobeOffset) }
        return (header, nlist, nprobe, quantizer)
    }

    /// `read_direct_map`: type u8 (0 none, 1 array, 2 hashtable) · i64 array · for hashtable (id, lo) pairs.
    mutating func readDirectMap(count: Int) throws -> FaissDirectMap {
        let typeOffset = reader.offset
        let type = try reader.read(UInt8.self, "direct map type")
        let arrayOffset = reader.offset
        let array = try reader.readMappedArray("direct map array", of: Int64.self)
        switch type {
        case 0:
            guard array.count == 0 else {
                throw reader.invalid("direct map array", "\(array.count) entries for a map of type none", at: arrayOffset)
            }
            return .none
        case 1:
            guard array.count == count else {
                throw reader.invalid("direct map array", "\(array.count) entries for \(count) vectors", at: arrayOffset)
            }
            return .array(array)
        case 2:
            let pairsOffset = reader.offset
            let region = try reader.readVectorRegion("direct map hashtable", elementSize: 16)
            guard region.count == count else {
                throw reader.invalid("direct map hashtable", "\(region.count) entries for \(count) vectors", at: pairsOffset)
            }
            return .hashtable(MappedArray(file: reader.file, byteOffset: region.offset, count: region.count * 2))
        default:
            throw reader.invalid("direct map type", "value \(type) (expected 0, 1 or 2)", at: typeOffset)
        }
    }

    /// `IwFl`, `IwPQ`, `IwSq`, `IwSQ`: IVF header, direct map, the encoder's fields, inverted lists.
    mutating func readIVF(code: String, depth: Int) throws -> FaissIVFIndex {
        let (header, nlist, nprobe, quantizer) = try readIVFHeader(depth: depth)
        let directMap = try readDirectMap(count: header.count)
        let encoding: FaissIVFEncoding
        let codeSize: Int
        switch code {
        case "IwPQ":
            let byResidual = try readBool("by_residual")
            let sizeOffset = reader.offset
            codeSize = try reader.readSize("code_size", in: 1...(1 << 16))
            let pq = try readProductQuantizer(byResidual: byResidual, indexDim: header.dim)
            let expected = (pq.subquantizers * pq.bitsPerCode + 7) / 8
            guard codeSize == expected else {
                throw reader.invalid("code_size", "\(codeSize) bytes, the quantizer needs \(expected)", at: sizeOffset)
            }
            encoding = .productQuantizer(pq)
        case "IwPf":
            let byResidual = try readBool("by_residual")
            let sizeOffset = reader.offset
            codeSize = try reader.readSize("code_size", in: 1...(1 << 16))
            var layout = try readFastScanFields(pq: nil, order: .ivfPQFastScan)
            let pq = try readProductQuantizer(byResidual: byResidual, indexDim: header.dim)
            guard pq.bitsPerCode == 4 else {
                throw reader.invalid("pq nbits", "fast-scan codes are 4-bit, this quantizer has \(pq.bitsPerCode) bits")
            }
            guard codeSize == pq.codeSize else {
                throw reader.invalid("code_size", "\(codeSize) bytes, the quantizer needs \(pq.codeSize)", at: sizeOffset)
            }
            guard layout.paddedSubquantizers == (pq.subquantizers + 1) / 2 * 2 else {
                throw reader.invalid("M2", "\(layout.paddedSubquantizers), M = \(pq.subquantizers) rounded up to even expected")
            }
            layout.paddedSubquantizers = (pq.subquantizers + 1) / 2 * 2
            encoding = .productQuantizerFastScan(pq, layout)
        case "IwSq", "IwSQ":
            var sq = try readScalarQuantizer(indexDim: header.dim)
            let sizeOffset = reader.offset
            codeSize = try reader.readSize("code_size", in: 1...(1 << 20))
            guard codeSize == sq.codeSize else {
                throw reader.invalid("code_size", "\(codeSize) differs from the quantizer's \(sq.codeSize)", at: sizeOffset)
            }
            sq.byResidual = code == "IwSQ" ? true : try readBool("by_residual")
            encoding = .scalarQuantizer(sq)
        default:
            codeSize = header.dim * 4
            encoding = .flat
        }
        let blocks: (perBlock: Int, blockBytes: Int)?
        if case .productQuantizerFastScan(_, let layout) = encoding {
            blocks = (layout.blockSize, layout.blockSize * layout.paddedSubquantizers / 2)
        } else {
            blocks = nil
        }
        let lists = try readInvertedLists(nlist: nlist, codeSize: codeSize, total: header.count, blocks: blocks)
        return FaissIVFIndex(
            code: code, header: header, nlist: nlist, nprobe: nprobe, quantizer: quantizer, directMap: directMap,
            encoding: encoding, invertedLists: lists)
    }

    /// Legacy `IvFl` / `IvFL`: per-list id vectors right after the quantizer, the direct map, then per-list
    /// code vectors (float counts in `IvFl`, byte counts in `IvFL`).
    mutating func readLegacyIVFFlat(code: String, depth: Int) throws -> FaissIVFIndex {
        let (header, nlist, nprobe, quantizer) = try readIVFHeader(depth: depth)
        // Every list costs at least 16 bytes (two counts): bound nlist before sizing from it.
        guard let minimum = checkedProduct(nlist, 16), minimum <= reader.remaining else {
            throw reader.truncated("\(nlist) legacy inverted lists", needed: checkedProduct(nlist, 16) ?? Int.max)
        }
        var idViews: [MappedArray<Int64>] = []
        idViews.reserveCapacity(nlist)
        for list in 0..<nlist {
            idViews.append(try reader.readMappedArray("ids of list \(list)", of: Int64.self))
        }
        let directMap = try readDirectMap(count: header.count)
        let codeSize = header.dim * 4
        var lists: [FaissInvertedList] = []
        lists.reserveCapacity(nlist)
        for list in 0..<nlist {
            let countOffset = reader.offset
            let elementSize = code == "IvFl" ? 4 : 1
            let region = try reader.readVectorRegion("codes of list \(list)", elementSize: elementSize)
            let bytes = region.count * elementSize
            guard let expected = checkedProduct(idViews[list].count, codeSize), bytes == expected else {
                throw reader.invalid(
                    "codes of list \(list)", "\(bytes) bytes for \(idViews[list].count) vectors of \(codeSize) bytes",
                    at: countOffset)
            }
            lists.append(FaissInvertedList(size: idViews[list].count, codesOffset: region.offset, ids: idViews[list]))
        }
        let total = checkedSum(lists.map(\.size))
        guard total == header.count else {
            throw reader.invalid(
                "inverted lists", "list sizes add up to \(total.map(String.init) ?? "more than Int.max"), ntotal is \(header.count)")
        }
        return FaissIVFIndex(
            code: code, header: header, nlist: nlist, nprobe: nprobe, quantizer: quantizer, directMap: directMap,
            encoding: .flat, invertedLists: FaissInvertedLists(layout: .legacy, codeSize: codeSize, lists: lists))
    }

    /// `read_InvertedLists` for `ilar`: nlist u64 · code_size u64 · `full` (nlist sizes) or `sprs`
    /// ((list, size) pairs for non-empty lists) · then per non-empty list in ascending order its codes and ids.
    mutating func readInvertedLists(
        nlist: Int, codeSize: Int, total: Int, blocks: (perBlock: Int, blockBytes: Int)? = nil
    ) throws -> FaissInvertedLists {
        let codeOffset = reader.offset
        let raw = try reader.readCode("inverted lists code")
        let code = String(decoding: raw, as: UTF8.self)
        if let blocks {
            guard code == "ilbl" else {
                throw reader.invalid(
                    "inverted lists code", "\(describeCode(raw)) (a fast-scan index keeps 'ilbl' block lists)", at: codeOffset)
            }
            return try readBlockInvertedLists(nlist: nlist, codeSize: codeSize, total: total, blocks: blocks)
        }
        switch code {
        case "ilar":
            break
        case "il00":
            guard total == 0 else {
                throw reader.invalid("inverted lists", "no lists stored ('il00') for \(total) vectors", at: codeOffset)
            }
            let empty = MappedArray<Int64>(file: reader.file, byteOffset: 0, count: 0)
            return FaissInvertedLists(
                layout: .none, codeSize: codeSize,
                lists: Array(repeating: FaissInvertedList(size: 0, codesOffset: 0, ids: empty), count: nlist))
        case "ilod", "ilbl", "ilp2", "ilpn", "ilsb":
            throw FederIndexError.unsupported(
                path: reader.file.path, format: reader.format, offset: codeOffset,
                detail: "inverted lists of kind '\(code)' (on-disk or packed); re-save with array inverted lists")
        default:
            throw reader.invalid("inverted lists code", "\(describeCode(raw)) (expected 'ilar')", at: codeOffset)
        }
        let nlistOffset = reader.offset
        let storedLists = try reader.readSize("inverted lists nlist")
        guard storedLists == nlist else {
            throw reader.invalid("inverted lists nlist", "\(storedLists), the index has \(nlist)", at: nlistOffset)
        }
        let sizeOffset = reader.offset
        let storedCodeSize = try reader.readSize("code_size")
        guard storedCodeSize == codeSize else {
            throw reader.invalid("code_size", "\(storedCodeSize) bytes, expected \(codeSize)", at: sizeOffset)
        }
        let typeOffset = reader.offset
        let listType = String(decoding: try reader.readCode("list layout"), as: UTF8.self)
        var sizes: [Int]
        let layout: FaissInvertedLists.Layout
        switch listType {
        case "full":
            layout = .full
            let countOffset = reader.offset
            let stored = try reader.readMappedArray("list sizes", of: UInt64.self)
            guard stored.count == nlist else {
                throw reader.invalid("list sizes", "\(stored.count) sizes for \(nlist) lists", at: countOffset)
            }
            sizes = []
            sizes.reserveCapacity(nlist)
            for (list, size) in stored.enumerated() {
                guard size <= UInt64(total) else {
                    throw reader.invalid(
                        "size of list \(list)", "\(size) exceeds ntotal \(total)", at: stored.byteOffset + list * 8)
                }
                sizes.append(Int(size))
            }
        case "sprs":
            layout = .sparse
            let countOffset = reader.offset
            let pairs = try reader.readMappedArray("sparse list sizes", of: UInt64.self)
            guard pairs.count % 2 == 0 else {
                throw reader.invalid("sparse list sizes", "odd element count \(pairs.count)", at: countOffset)
            }
            sizes = Array(repeating: 0, count: nlist)
            for pair in stride(from: 0, to: pairs.count, by: 2) {
                let list = pairs[pair]
                let size = pairs[pair + 1]
                guard list < UInt64(nlist) else {
                    throw reader.invalid(
                        "sparse list number", "\(list) ≥ nlist \(nlist)", at: pairs.byteOffset + pair * 8)
                }
                guard size <= UInt64(total) else {
                    throw reader.invalid(
                        "size of list \(list)", "\(size) exceeds ntotal \(total)", at: pairs.byteOffset + pair * 8 + 8)
                }
                sizes[Int(list)] = Int(size)
            }
        default:
            throw reader.invalid("list layout", "'\(listType)' (expected 'full' or 'sprs')", at: typeOffset)
        }
        let sum = checkedSum(sizes)
        guard sum == total else {
            throw reader.invalid(
                "inverted lists", "list sizes add up to \(sum.map(String.init) ?? "more than Int.max"), ntotal is \(total)", at: typeOffset)
        }
        var lists: [FaissInvertedList] = []
        lists.reserveCapacity(nlist)
        let noIDs = MappedArray<Int64>(file: reader.file, byteOffset: 0, count: 0)
        for (list, size) in sizes.enumerated() {
            guard size > 0 else {
                lists.append(FaissInvertedList(size: 0, codesOffset: reader.offset, ids: noIDs))
                continue
            }
            let codeBytes = checkedProduct(size, codeSize) ?? Int.max
            let codesOffset = try reader.skip(codeBytes, "codes of list \(list)")
            let idsOffset = try reader.skip(size * 8, "ids of list \(list)")
            lists.append(
                FaissInvertedList(
                    size: size, codesOffset: codesOffset,
                    ids: MappedArray(file: reader.file, byteOffset: idsOffset, count: size)))
        }
        return FaissInvertedLists(layout: layout, codeSize: codeSize, lists: lists)
    }

    /// `ilbl` (BlockInvertedLists, `BlockInvertedListsIOHook::read`): nlist u64 · code_size u64 (−1) · n_per_block
    /// u64 · block_size u64 · per list: ids (u64 count, i64) · codes (u64 count, bytes: ⌈n / n_per_block⌉ blocks).
    mutating func readBlockInvertedLists(
        nlist: Int, codeSize: Int, total: Int, blocks: (perBlock: Int, blockBytes: Int)
    ) throws -> FaissInvertedLists {
        let nlistOffset = reader.offset
        let storedLists = try reader.readSize("inverted lists nlist")
        guard storedLists == nlist else {
            throw reader.invalid("inverted lists nlist", "\(storedLists), the index has \(nlist)", at: nlistOffset)
        }
        // BlockInvertedLists keeps InvertedLists::INVALID_CODE_SIZE (size_t −1) here: its codes are packed.
        let sizeOffset = reader.offset
        let storedCodeSize = try reader.read(UInt64.self, "code_size")
        guard storedCodeSize == UInt64.max || storedCodeSize == UInt64(codeSize) else {
            throw reader.invalid("code_size", "\(storedCodeSize), expected \(codeSize) or −1 (packed)", at: sizeOffset)
        }
        let perBlockOffset = reader.offset
        let perBlock = try reader.readSize("n_per_block")
        let blockBytes = try reader.readSize("block_size")
        guard perBlock == blocks.perBlock, blockBytes == blocks.blockBytes else {
            throw reader.invalid(
                "n_per_block / block_size", "\(perBlock) / \(blockBytes), the index packs \(blocks.perBlock) / \(blocks.blockBytes)",
                at: perBlockOffset)
        }
        // Every list costs at least 16 bytes (two counts): bound nlist before sizing from it.
        guard let minimum = checkedProduct(nlist, 16), minimum <= reader.remaining else {
            throw reader.truncated("\(nlist) block inverted lists", needed: checkedProduct(nlist, 16) ?? Int.max)
        }
        var lists: [FaissInvertedList] = []
        lists.reserveCapacity(nlist)
        var sum = 0
        for list in 0..<nlist {
            let ids = try reader.readMappedArray("ids of list \(list)", of: Int64.self)
            let codesCountOffset = reader.offset
            let codes = try reader.readVectorRegion("codes of list \(list)", elementSize: 1)
            let blockCount = (ids.count + perBlock - 1) / perBlock
            guard let expected = checkedProduct(blockCount, blockBytes), codes.count == expected else {
                throw reader.invalid(
                    "codes of list \(list)", "\(codes.count) bytes for \(ids.count) vectors in blocks of \(perBlock)",
                    at: codesCountOffset)
            }
            sum += ids.count
            guard sum <= total else {
                throw reader.invalid("inverted lists", "list sizes add up to more than ntotal \(total)", at: codesCountOffset)
            }
            lists.append(FaissInvertedList(size: ids.count, codesOffset: codes.offset, ids: ids))
        }
        guard sum == total else {
            throw reader.invalid("inverted lists", "list sizes add up to \(sum), ntotal is \(total)", at: nlistOffset)
        }
        return FaissInvertedLists(layout: .blocks, codeSize: codeSize, lists: lists)
    }

    /// faiss `read_ProductQuantizer`: d u64 · M u64 · nbits u64 · centroids (d · 2^nbits floats).
    mutating func readProductQuantizer(byResidual: Bool, indexDim: Int) throws -> FaissProductQuantizer {
        let dimOffset = reader.offset
        let dim = try reader.readSize("pq d", in: 1...Self.maxDim)
        guard dim == indexDim else {
            throw reader.invalid("pq d", "\(dim) differs from the index dimension \(indexDim)", at: dimOffset)
        }
        let mOffset = reader.offset
        let m = try reader.readSize("pq M", in: 1...dim)
        guard dim % m == 0 else { throw reader.invalid("pq M", "\(m) does not divide d = \(dim)", at: mOffset) }
        let bits = try reader.readSize("pq nbits", in: 1...16)
        let centroidsOffset = reader.offset
        let centroids = try reader.readMappedArray("pq centroids", of: Float.self)
        guard centroids.count == dim << bits else {
            throw reader.invalid(
                "pq centroids", "\(centroids.count) floats, d × 2^nbits = \(dim << bits) expected", at: centroidsOffset)
        }
        return FaissProductQuantizer(
            dim: dim, subquantizers: m, bitsPerCode: bits, centroids: centroids, byResidual: byResidual)
    }

    /// faiss `read_ScalarQuantizer`: qtype i32 · rangestat i32 · rangestat_arg f32 · d u64 · code_size u64 ·
    /// trained floats.
    mutating func readScalarQuantizer(indexDim: Int) throws -> FaissScalarQuantizer {
        let type = try reader.readInt32("sq qtype", in: 0...8)
        let rangeStat = try reader.readInt32("sq rangestat", in: 0...3)
        let rangeArg = try reader.readFloat("sq rangestat_arg")
        let dimOffset = reader.offset
        let dim = try reader.readSize("sq d", in: 1...Self.maxDim)
        guard dim == indexDim else {
            throw reader.invalid("sq d", "\(dim) differs from the index dimension \(indexDim)", at: dimOffset)
        }
        let codeSizeOffset = reader.offset
        let codeSize = try reader.readSize("sq code_size", in: 1...(dim * 4))
        if let derived = FaissScalarQuantizer.codeSize(type: type, dim: dim), derived != codeSize {
            throw reader.invalid(
                "sq code_size", "\(codeSize) bytes, but a \(dim)-d quantizer of type \(type) has codes of \(derived) bytes",
                at: codeSizeOffset)
        }
        let trainedOffset = reader.offset
        let trained = try reader.readMappedArray("sq trained", of: Float.self)
        let needed = FaissScalarQuantizer.trainedCount(type: type, dim: dim)
        guard trained.count >= needed else {
            throw reader.invalid(
                "sq trained", "\(trained.count) floats, but a \(dim)-d quantizer of type \(type) needs \(needed)", at: trainedOffset)
        }
        return FaissScalarQuantizer(
            quantizerType: type, rangeStat: rangeStat, rangeStatArg: rangeArg, dim: dim, codeSize: codeSize,
            trained: trained, byResidual: false)
    }

    /// A one-byte C++ bool.
    mutating func readBool(_ field: String) throws -> Bool {
        let position = reader.offset
        let value = try reader.read(UInt8.self, field)
        guard value <= 1 else { throw reader.invalid(field, "value \(value) is not a boolean", at: position) }
        return value == 1
    }
}
