/// Decodes faiss index files (faiss `impl/index_read.cpp`, v1.7 – v1.15), one function per format code.
///
/// Each function decodes its fields, validates them, and only then builds the model. Vector and id data
/// stay in the mapped file. Limits: nested indexes at most `maxDepth` deep; every count is checked against
/// the bytes left before it is used.
struct FaissReader {
    static let maxDepth = 8
    /// The largest dimension accepted (faiss has no limit; anything larger is surely corrupt).
    static let maxDim = 1 << 20

    var reader: ByteReader

    init(file: MappedFile) {
        reader = ByteReader(file: file, format: "faiss")
    }

    /// Reads the whole file as one index and checks that nothing follows it.
    mutating func readFile() throws -> FaissIndex { try readWhole { try $0.readIndex(depth: 0) } }

    /// Reads the whole file with `read` and checks that nothing follows what it read.
    mutating func readWhole<T>(_ read: (inout FaissReader) throws -> T) throws -> T {
        let index = try read(&self)
        guard reader.remaining == 0 else {
            throw reader.invalid("end of file", "\(reader.remaining) unexpected bytes after the index")
        }
        return index
    }

    /// Reads an index's four-byte code (nested at most `maxDepth` deep) and decodes the rest with `body`, every
    /// message naming the index by its path: `IwFl/IxF2` is the flat quantizer inside an IVF index.
    mutating func readCoded<T>(
        depth: Int, _ body: (inout FaissReader, _ code: String, _ raw: [UInt8], _ start: Int, _ outer: String) throws -> T
    ) throws -> T {
        let start = reader.offset
        guard depth < Self.maxDepth else {
            throw reader.invalid("nested index", "indexes nested more than \(Self.maxDepth) deep")
        }
        let raw = try reader.readCode("format code")
        let code = String(decoding: raw, as: UTF8.self)
        let outer = reader.format
        let shown = raw.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) ? code : describeCode(raw)
        reader.format = depth == 0 ? shown : "\(outer)/\(shown)"
        defer { reader.format = outer }
        return try body(&self, code, raw, start, outer)
    }

    /// Reads one index, dispatching on its four-byte code.
    mutating func readIndex(depth: Int) throws -> FaissIndex {
        try readCoded(depth: depth) { reader, code, raw, start, outer in
            try reader.readIndex(code: code, raw: raw, start: start, outer: outer, depth: depth)
        }
    }

    private mutating func readIndex(code: String, raw: [UInt8], start: Int, outer: String, depth: Int) throws -> FaissIndex {
        switch code {
        case "IxF2", "IxFI", "IxFl":
            return .flat(try readFlat(code: code))
        case "IwFl":
            return .ivf(try readIVF(code: code, depth: depth))
        case "IvFl", "IvFL":
            return .ivf(try readLegacyIVFFlat(code: code, depth: depth))
        case "IwPQ":
            return .ivf(try readIVF(code: code, depth: depth))
        case "IwSq", "IwSQ":
            return .ivf(try readIVF(code: code, depth: depth))
        case "IHNf", "IHNp", "IHNs":
            return .hnsw(try readHNSW(code: code, depth: depth))
        case "IxPq", "IxPQ", "IxPo":
            return .pq(try readPQIndex(code: code))
        case "IxSQ":
            return .scalarQuantizer(try readSQIndex(code: code))
        case "IPfs":
            return .pqFastScan(try readPQFastScan(code: code))
        case "IwPf":
            return .ivf(try readIVF(code: code, depth: depth))
        case "IxRF":
            return .refine(try readRefine(code: code, depth: depth))
        case "IxPT":
            return .preTransform(try readPreTransform(code: code, depth: depth))
        case "IxMp", "IxM2":
            return .idMap(try readIDMap(code: code, depth: depth))
        case "null":
            throw FederIndexError.unsupported(
                path: reader.file.path, format: outer, offset: start, detail: "an empty ('null') index")
        default:
            if let name = FaissReader.knownButUnsupported[code] {
                throw FederIndexError.unsupported(
                    path: reader.file.path, format: code, offset: start,
                    detail: "faiss \(name.isEmpty ? "index type" : name) (\(code)) is known but not read by this version yet "
                        + "(supported: \(FaissReader.supportedCodes.joined(separator: ", ")))")
            }
            throw FederIndexError.unknownCode(path: reader.file.path, code: describeCode(raw), offset: start)
        }
    }

    /// Every label an IDMap's inner index can return must be a row of the id map.
    func checkInnerLabels(_ inner: FaissIndex, count: Int) throws {
        func check(_ labels: MappedArray<Int64>, _ what: String) throws {
            for position in 0..<labels.count where labels[position] < 0 || labels[position] >= Int64(count) {
                throw reader.invalid(
                    what, "label \(labels[position]) has no entry in the id map of \(count) ids",
                    at: labels.byteOffset + position * 8)
            }
        }
        switch inner {
        case .flat, .hnsw, .pq, .scalarQuantizer, .pqFastScan:
            return
        case .refine(let refine):
            try checkInnerLabels(refine.base, count: count)
        case .preTransform(let transform):
            try checkInnerLabels(transform.inner, count: count)
        case .ivf(let ivf):
            for (list, entry) in ivf.invertedLists.lists.enumerated() where entry.size > 0 {
                try check(entry.ids, "ids of list \(list) inside the id map")
            }
        case .idMap(let map):
            try check(map.ids, "inner id_map")
        }
    }

    /// The index codes this reader decodes.
    static let supportedCodes = [
        "IxF2", "IxFI", "IxFl", "IwFl", "IvFl", "IvFL", "IwPQ", "IwSq", "IwSQ", "IwPf", "IHNf", "IHNp", "IHNs", "IxMp",
        "IxM2", "IxPq", "IxPQ", "IxPo", "IxSQ", "IPfs", "IxRF", "IxPT",
    ]

    /// Index codes faiss writes that this tool does not read yet, with the class each stands for where the
    /// code names one class ("" where several share it).
    static let knownButUnsupported: [String: String] = {
        let named: [String: String] = [
            "IHN2": "IndexHNSW2Level",
            "IwQR": "IndexIVFPQR", "IwSh": "IndexIVFSpectralHash", "IxHe": "IndexLSH",
            "INSf": "IndexNSGFlat", "INSp": "IndexNSGPQ", "INSs": "IndexNSGSQ", "INNf": "IndexNNDescentFlat",
            "IxLa": "IndexLattice", "IxRq": "IndexResidualQuantizer", "IwRQ": "IndexIVFResidualQuantizer",
            "ImRQ": "ResidualCoarseQuantizer", "Imiq": "MultiIndexQuantizer", "IwFd": "IndexIVFFlatDedup",
            "IBxF": "IndexBinaryFlat", "IBwF": "IndexBinaryIVF", "IBFf": "IndexBinaryFromFloat", "IBHf": "IndexBinaryHNSW",
            "IBHh": "IndexBinaryHash", "IBHm": "IndexBinaryMultiHash", "IBMp": "IndexBinaryIDMap", "IBM2": "IndexBinaryIDMap2",
        ]
        let others = [
            "IxHE", "IHNc", "IHc2", "IHfP", "IH00", "IvPQ", "IvQR", "IwPR", "IxLS", "IwLS", "IxRQ", "IxPR",
            "IxPL", "IwIQ", "IvSQ", "IwP2", "IwPL", "IwPn", "Ix2L", "IxRP", "IRMf", "IRMh", "IxFp", "IxFP", "IxEe", "IxEd",
            "IwEe", "IwEd", "Irfs", "IRfs", "Irfn", "Ixrq", "Ixrr", "Iwrf", "Iwrn", "Iwrq", "Iwrr", "ILVQ", "ILfs", "IVLf",
            "IVRf", "IPLf", "IPRf", "NPLf", "NPRf", "ISVD", "ISVF", "ISVL", "ISV2", "ISID", "ISIL", "ISIQ", "IBHc", "IxMR",
            "IxLR", "IxOp", "IwXF", "IwFt", "IxMI", "IvFR", "IRFl",
        ]
        return named.merging(others.map { ($0, "") }) { first, _ in first }
    }()

    // MARK: header

    /// faiss `read_index_header`: d i32 · ntotal i64 · two dummy i64 · is_trained u8 · metric_type i32 ·
    /// metric_arg f32 when metric_type > 1.
    mutating func readHeader() throws -> FaissHeader {
        let dim = try reader.readInt32("d (dimension)", in: 1...Int32(Self.maxDim))
        let countOffset = reader.offset
        let count = try reader.read(Int64.self, "ntotal")
        guard count >= 0 else { throw reader.invalid("ntotal", "negative count \(count)", at: countOffset) }
        _ = try reader.read(Int64.self, "header dummy 1")
        _ = try reader.read(Int64.self, "header dummy 2")
        let trainedOffset = reader.offset
        let trained = try reader.read(UInt8.self, "is_trained")
        guard trained <= 1 else {
            throw reader.invalid("is_trained", "value \(trained) is not a boolean", at: trainedOffset)
        }
        let metricOffset = reader.offset
        let metricType = try reader.read(Int32.self, "metric_type")
        guard (0...4).contains(metricType) || (20...30).contains(metricType) else {
            throw reader.invalid("metric_type", "unknown metric \(metricType)", at: metricOffset)
        }
        let metricArg: Float? = metricType > 1 ? try reader.readFloat("metric_arg") : nil
        return FaissHeader(
            dim: Int(dim), count: Int(count), isTrained: trained == 1,
            metric: Metric(faissMetricType: metricType), metricArg: metricArg)
    }

    // MARK: flat

    /// `IxF2` / `IxFI` / `IxFl`: header, then a vector of ntotal·d floats.
    mutating func readFlat(code: String) throws -> FaissFlatIndex {
        let header = try readHeader()
        if code == "IxF2", header.metric != .l2 {
            throw reader.invalid("metric_type", "IxF2 must be L2, found \(header.metric)")
        }
        if code == "IxFI", header.metric != .innerProduct {
            throw reader.invalid("metric_type", "IxFI must be inner product, found \(header.metric)")
        }
        let countOffset = reader.offset
        let region = try reader.readVectorRegion("vectors", elementSize: 4)
        guard let expected = checkedProduct(header.count, header.dim), region.count == expected else {
            throw reader.invalid(
                "vectors count", "\(region.count) floats stored, ntotal × d = \(header.count) × \(header.dim) expected",
                at: countOffset)
        }
        let table = VectorTable(file: reader.file, byteOffset: region.offset, count: header.count, dim: header.dim)
        return FaissFlatIndex(code: code, header: header, vectors: table)
    }

    // MARK: IDMap

    /// `IxMp` / `IxM2`: header, the inner index, then the id map (ntotal i64).
    mutating func readIDMap(code: String, depth: Int) throws -> FaissIDMapIndex {
        let header = try readHeader()
        let innerOffset = reader.offset
        let inner = try readIndex(depth: depth + 1)
        guard inner.header.count == header.count, inner.header.dim == header.dim else {
            throw reader.invalid(
                "inner index", "holds \(inner.header.count)×\(inner.header.dim), the map \(header.count)×\(header.dim)",
                at: innerOffset)
        }
        let mapOffset = reader.offset
        let ids = try reader.readMappedArray("id_map", of: Int64.self)
        guard ids.count == header.count else {
            throw reader.invalid("id_map", "\(ids.count) ids for \(header.count) vectors", at: mapOffset)
        }
        // The inner index must label its vectors 0..<ntotal, or the map has nothing to translate them with.
        try checkInnerLabels(inner, count: header.count)
        return FaissIDMapIndex(code: code, header: header, inner: inner, ids: ids)
    }
}
