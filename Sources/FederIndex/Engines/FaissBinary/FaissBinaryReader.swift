/// Decodes faiss binary index files (`impl/index_read.cpp` `read_index_binary`), with the checks the float reader
/// makes: every count against the bytes left, every nested index against its parent.
extension FaissReader {
    mutating func readBinaryFile() throws -> FaissBinaryIndex { try readWhole { try $0.readBinaryIndex(depth: 0) } }

    mutating func readBinaryIndex(depth: Int) throws -> FaissBinaryIndex {
        try readCoded(depth: depth) { reader, code, raw, start, _ in
            try reader.readBinaryIndex(code: code, raw: raw, start: start, depth: depth)
        }
    }

    private mutating func readBinaryIndex(code: String, raw: [UInt8], start: Int, depth: Int) throws -> FaissBinaryIndex {
        switch code {
        case "IBxF":
            return .flat(try readBinaryFlat(code: code))
        case "IBwF":
            return .ivf(try readBinaryIVF(code: code, depth: depth))
        case "IBHf":
            return .hnsw(try readBinaryHNSW(code: code, depth: depth))
        case "IBMp", "IBM2":
            return .idMap(try readBinaryIDMap(code: code, depth: depth))
        case "IBFf", "IBHh", "IBHm", "IBHc":
            let name = FaissReader.knownButUnsupported[code].flatMap { $0.isEmpty ? nil : $0 } ?? "binary index type"
            throw FederIndexError.unsupported(
                path: reader.file.path, format: code, offset: start,
                detail: "faiss \(name) (\(code)) is known but not read by this version yet (binary kinds read: IBxF, IBwF, IBHf, "
                    + "IBMp, IBM2)")
        default:
            if raw.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }), !code.hasPrefix("IB") {
                throw reader.invalid("format code", "\(code) is a float index inside a binary one", at: start)
            }
            throw FederIndexError.unknownCode(path: reader.file.path, code: describeCode(raw), offset: start)
        }
    }

    /// d i32 (a positive multiple of 8) · code_size i32 (d / 8) · ntotal i64 · is_trained u8 · metric_type i32.
    mutating func readBinaryHeader(code: String) throws -> FaissBinaryHeader {
        let dimOffset = reader.offset
        let dim = Int(try reader.readInt32("d (bits)", in: 1...Int32(Self.maxDim)))
        guard dim % 8 == 0 else { throw reader.invalid("d (bits)", "\(dim) is not a multiple of 8", at: dimOffset) }
        let sizeOffset = reader.offset
        let codeSize = Int(try reader.readInt32("code_size", in: 0...Int32(Self.maxDim)))
        guard codeSize == dim / 8 else {
            throw reader.invalid("code_size", "\(codeSize) bytes for \(dim) bits (d / 8 = \(dim / 8) expected)", at: sizeOffset)
        }
        let countOffset = reader.offset
        let count = try reader.read(Int64.self, "ntotal")
        guard count >= 0, count <= Int64(Int32.max) else {
            throw reader.invalid("ntotal", "count \(count) out of range", at: countOffset)
        }
        let trainedOffset = reader.offset
        let trained = try reader.read(UInt8.self, "is_trained")
        guard trained <= 1 else { throw reader.invalid("is_trained", "value \(trained) is not a boolean", at: trainedOffset) }
        let metricOffset = reader.offset
        let metric = try reader.read(Int32.self, "metric_type")
        guard metric == 0 || metric == 1 else { throw reader.invalid("metric_type", "unknown metric \(metric)", at: metricOffset) }
        return FaissBinaryHeader(
            code: code, dim: dim, codeSize: codeSize, count: Int(count), isTrained: trained == 1, metricType: metric)
    }

    /// `IBxF`: header, then ntotal · code_size bytes of codes (a u64 byte count first).
    mutating func readBinaryFlat(code: String) throws -> FaissBinaryFlatIndex {
        let header = try readBinaryHeader(code: code)
        let countOffset = reader.offset
        let region = try reader.readVectorRegion("codes", elementSize: 1)
        guard let expected = checkedProduct(header.count, header.codeSize), region.count == expected else {
            throw reader.invalid(
                "codes count", "\(region.count) bytes stored, ntotal × code_size = \(header.count) × \(header.codeSize) expected",
                at: countOffset)
        }
        let codes = CodeTable(file: reader.file, byteOffset: region.offset, count: header.count, codeSize: header.codeSize)
        return FaissBinaryFlatIndex(header: header, codes: codes)
    }

    /// `IBwF`: header · nlist u64 · nprobe u64 · the quantizer (a binary flat index of nlist centroids) · the direct
    /// map · the inverted lists (`ilar`, code_size = d / 8).
    mutating func readBinaryIVF(code: String, depth: Int) throws -> FaissBinaryIVFIndex {
        let header = try readBinaryHeader(code: code)
        let nlistOffset = reader.offset
        let nlist = try reader.readSize("nlist", in: 1...(1 << 24))
        let nprobe = try reader.readSize("nprobe", in: 0...(1 << 24))
        let quantizerOffset = reader.offset
        let quantizerIndex = try readBinaryIndex(depth: depth + 1)
        guard case .flat(let quantizer) = quantizerIndex else {
            throw FederIndexError.unsupported(
                path: reader.file.path, format: reader.format, offset: quantizerOffset,
                detail: "a binary IVF whose quantizer is \(quantizerIndex.header.code); a flat (IBxF) quantizer is read")
        }
        guard quantizer.header.count == nlist, quantizer.header.dim == header.dim else {
            throw reader.invalid(
                "quantizer", "holds \(quantizer.header.count) × \(quantizer.header.dim) bits, nlist × d is \(nlist) × \(header.dim)",
                at: nlistOffset)
        }
        let directMap = try readDirectMap(count: header.count)
        let lists = try readInvertedLists(nlist: nlist, codeSize: header.codeSize, total: header.count)
        return FaissBinaryIVFIndex(
            header: header, nlist: nlist, nprobe: nprobe, quantizer: quantizer, directMap: directMap, invertedLists: lists)
    }

    /// `IBHf`: header · the HNSW graph (as for float HNSW) · the storage (a binary flat index of the same codes).
    mutating func readBinaryHNSW(code: String, depth: Int) throws -> FaissBinaryHNSWIndex {
        let header = try readBinaryHeader(code: code)
        let graph = try readHNSWGraph(count: header.count)
        let storageOffset = reader.offset
        let storage = try readBinaryIndex(depth: depth + 1)
        guard case .flat(let flat) = storage else {
            throw reader.invalid("storage", "\(code) needs a flat (IBxF) storage, found \(storage.header.code)", at: storageOffset)
        }
        guard flat.header.count == header.count, flat.header.dim == header.dim else {
            throw reader.invalid(
                "storage", "holds \(flat.header.count) × \(flat.header.dim) bits, the graph \(header.count) × \(header.dim)",
                at: storageOffset)
        }
        return FaissBinaryHNSWIndex(header: header, graph: graph, storage: flat)
    }

    /// `IBMp` / `IBM2`: header · the inner index · the id map (ntotal i64).
    mutating func readBinaryIDMap(code: String, depth: Int) throws -> FaissBinaryIDMapIndex {
        let header = try readBinaryHeader(code: code)
        let innerOffset = reader.offset
        let inner = try readBinaryIndex(depth: depth + 1)
        guard inner.header.count == header.count, inner.header.dim == header.dim else {
            throw reader.invalid(
                "inner index", "holds \(inner.header.count) × \(inner.header.dim) bits, the map \(header.count) × \(header.dim)",
                at: innerOffset)
        }
        if case .idMap = inner { throw reader.invalid("inner index", "an id map inside an id map", at: innerOffset) }
        if case .ivf(let ivf) = inner {
            for (list, entry) in ivf.invertedLists.lists.enumerated() {
                for position in 0..<entry.size where entry.ids[position] < 0 || entry.ids[position] >= Int64(header.count) {
                    throw reader.invalid(
                        "ids of list \(list)", "id \(entry.ids[position]) is not a row of the id map (0..<\(header.count))",
                        at: entry.ids.byteOffset + position * 8)
                }
            }
        }
        let mapOffset = reader.offset
        let ids = try reader.readMappedArray("id_map", of: Int64.self)
        guard ids.count == header.count else {
            throw reader.invalid("id_map", "\(ids.count) ids for \(header.count) vectors", at: mapOffset)
        }
        return FaissBinaryIDMapIndex(header: header, inner: inner, ids: ids)
    }
}
