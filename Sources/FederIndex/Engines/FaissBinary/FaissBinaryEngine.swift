extension IndexEngine {
    /// faiss binary index files (`write_index_binary`): a four-character code starting `IB`.
    public static let faissBinary = IndexEngine(
        name: FaissBinaryIndex.engineName,
        recognises: { file in
            guard let code = ByteReader(file: file, format: "index").peekCode() else { return false }
            return code[0] == UInt8(ascii: "I") && code[1] == UInt8(ascii: "B")
        },
        open: { file, _ in
            var reader = FaissReader(file: file)
            return .engine(try reader.readBinaryFile())
        })
}

extension FaissBinaryIndex: EngineIndex {
    public static let engineName = "faiss-binary"

    public var model: IndexModel {
        let header = self.header
        return IndexModel(
            engine: Self.engineName, type: header.code, dim: header.dim, count: header.count, metric: .hamming,
            distance: DistanceConvention(.hamming), labels: .signed, storesVectors: true, structures: structures,
            parameters: parameters, vectors: .packedBits)
    }

    var structures: [StructureFamily] {
        switch self {
        case .flat: return [.flat]
        case .ivf: return [.partition]
        case .hnsw: return [.layeredGraph]
        case .idMap(let map): return map.inner.structures
        }
    }

    var parameters: [SearchParameter] {
        switch self {
        case .flat: return []
        case .ivf: return [.nprobe]
        case .hnsw: return [.ef]
        case .idMap(let map): return map.inner.parameters
        }
    }

    public var summary: IndexSummary {
        let header = self.header
        var summary = IndexSummary(
            format: Self.engineName, type: header.code, dim: header.dim, count: header.count, metric: Metric.hamming.name)
        summary.codeSize = header.codeSize
        summary.typeName = FaissIndex.typeName(code: header.code)
        summary.vectorType = "bits"
        switch self {
        case .flat:
            break
        case .ivf(let ivf):
            summary.nlist = ivf.nlist
            summary.nprobe = ivf.nprobe
            summary.quantizer = ivf.quantizer.header.code
            summary.quantizerTypeName = FaissIndex.typeName(code: ivf.quantizer.header.code)
            let sizes = ivf.invertedLists.sizes
            summary.listSizes = sizes
            summary.emptyLists = sizes.count { $0 == 0 }
            summary.invlistsLayout = ivf.invertedLists.layout.rawValue
            summary.directMap = ivf.directMap.name
        case .hnsw(let hnsw):
            summary.describeGraph(hnsw.graph, count: header.count)
        case .idMap(let map):
            let inner = map.inner.summary
            summary.inner = IndexSummary.Box(inner)
            if let internalID = inner.entryPointInternal, internalID < map.ids.count { summary.entryPoint = .signed(map.ids[internalID]) }
            if let low = map.ids.min(), let high = map.ids.max() { summary.idRange = [low, high] }
        }
        return summary
    }

    /// Where the code of `label` sits (a row of the flat storage, or a list and an offset).
    public func locate(label: Int64) -> (codes: CodeTable, row: Int)? {
        switch self {
        case .flat(let flat):
            guard label >= 0, label < Int64(flat.codes.count) else { return nil }
            return (flat.codes, Int(label))
        case .hnsw(let hnsw):
            guard label >= 0, label < Int64(hnsw.storage.codes.count) else { return nil }
            return (hnsw.storage.codes, Int(label))
        case .ivf(let ivf):
            for (list, entry) in ivf.invertedLists.lists.enumerated() {
                for position in 0..<entry.size where entry.ids[position] == label { return (ivf.codes(of: list), position) }
            }
            return nil
        case .idMap(let map):
            guard let row = map.ids.firstIndex(of: label) else { return nil }
            return map.inner.locate(label: Int64(row))
        }
    }

    public func storedVector(label: Int64) -> [Float]? {
        guard let (codes, row) = locate(label: label) else { return nil }
        return PackedBits.unpack(codes.codePointer(row), bytes: codes.codeSize)
    }

    /// Codes are not float rows: exact truth is computed over the codes by the search side.
    public func storedSegments() -> [StoredSegment] { [] }

    /// Every stored code in exact search's order, each with its label: flat rows, then list by list.
    public func forEachCode(_ body: (_ label: Int64, _ code: UnsafeRawPointer) -> Void) {
        switch self {
        case .flat(let flat):
            for row in 0..<flat.codes.count { body(Int64(row), flat.codes.codePointer(row)) }
        case .hnsw(let hnsw):
            for row in 0..<hnsw.storage.codes.count { body(Int64(row), hnsw.storage.codes.codePointer(row)) }
        case .ivf(let ivf):
            for (list, entry) in ivf.invertedLists.lists.enumerated() where entry.size > 0 {
                let codes = ivf.codes(of: list)
                for position in 0..<entry.size { body(entry.ids[position], codes.codePointer(position)) }
            }
        case .idMap(let map):
            let ids = map.ids
            map.inner.forEachCode { inner, code in body(inner >= 0 && inner < Int64(ids.count) ? ids[Int(inner)] : inner, code) }
        }
    }

    public var rows: Int { header.count }

    public func label(ofRow row: Int) -> Int64 {
        switch self {
        case .flat, .hnsw: return Int64(row)
        case .ivf(let ivf):
            var row = row
            for entry in ivf.invertedLists.lists {
                if row < entry.size { return entry.ids[row] }
                row -= entry.size
            }
            return -1
        case .idMap(let map):
            let inner = map.inner.label(ofRow: row)
            return inner >= 0 && inner < Int64(map.ids.count) ? map.ids[Int(inner)] : inner
        }
    }

    /// The most floats a graph's codes are unpacked into for placing its nodes.
    static let maximumUnpackedFloats = 1 << 26

    public var layeredGraph: LayeredGraph? {
        switch self {
        case .hnsw(let hnsw): return Self.graph(hnsw, labels: nil)
        case .idMap(let map):
            guard case .hnsw(let hnsw) = map.inner else { return nil }
            return Self.graph(hnsw, labels: map.ids)
        case .flat, .ivf: return nil
        }
    }

    static func graph(_ index: FaissBinaryHNSWIndex, labels: MappedArray<Int64>?) -> LayeredGraph {
        let codes = index.storage.codes
        let (count, dim, code) = (index.header.count, index.header.dim, index.header.code)
        return index.graph.layeredGraph(count: count, dim: dim, engine: "faiss binary", labels: labels) {
            guard count > 0, let floats = checkedProduct(count, dim), floats <= maximumUnpackedFloats else { return nil }
            var rows: [Float] = []
            rows.reserveCapacity(floats)
            for row in 0..<count { rows += PackedBits.unpack(codes.codePointer(row), bytes: codes.codeSize) }
            return VectorTable(name: "\(code) codes", rows: rows, dim: dim)
        }
    }
}

extension FaissBinaryIndex {
    public var listSizes: [Int]? {
        switch self {
        case .ivf(let ivf): return ivf.invertedLists.sizes
        case .idMap(let map): return map.inner.listSizes
        case .flat, .hnsw: return nil
        }
    }

    /// The most floats the codes of a binary IVF index are unpacked into for its views.
    static let maximumPartitionFloats = 1 << 26

    /// The IVF structure as the partition views draw it: the same lists, ids and list numbers, with the centroids'
    /// and every list's codes unpacked into floats 0 / 1 (in memory); nil for an index that is not one, or whose codes
    /// are too many to unpack (more than 2^26 bits).
    public var partitionView: FaissIVFIndex? {
        let ivf: FaissBinaryIVFIndex
        switch self {
        case .ivf(let index): ivf = index
        case .idMap(let map):
            guard case .ivf(let index) = map.inner else { return nil }
            ivf = index
        case .flat, .hnsw: return nil
        }
        let (centroids, bytes) = (ivf.quantizer.codes, ivf.header.codeSize)
        return FaissIVFIndex.unpacked(
            name: "\(ivf.header.code) codes as bits", code: ivf.header.code, quantizerCode: ivf.quantizer.header.code, dim: ivf.header.dim,
            metric: .hamming, nprobe: ivf.nprobe, layout: ivf.invertedLists.layout, listSizes: ivf.invertedLists.lists.map(\.size),
            maximumFloats: Self.maximumPartitionFloats,
            centroid: { PackedBits.unpack(centroids.codePointer($0), bytes: bytes) },
            vector: { PackedBits.unpack(ivf.codes(of: $0).codePointer($1), bytes: bytes) },
            id: { ivf.invertedLists.lists[$0].ids[$1] })
    }
}
