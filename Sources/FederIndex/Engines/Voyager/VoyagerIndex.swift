/// A Voyager index file (Spotify's `voyager`, `Index.save`): a 19-byte `VOYA` header (`Metadata.h`: version, the
/// user's dimensions, the space, the storage type, the inner product's max norm, the order-preserving flag), then
/// an hnswlib graph whose vectors are float32, 8-bit fixed point (Float8: code / 127) or E4M3 bytes, and whose
/// inner-product vectors carry one extra dimension (the order-preserving transform). `ef` is not stored: 10 after
/// loading.
public struct VoyagerIndex: Sendable {
    public enum Space: UInt8, Sendable {
        case euclidean = 0
        case innerProduct = 1
        case cosine = 2

        var name: String {
            switch self {
            case .euclidean: return "euclidean"
            case .innerProduct: return "inner product"
            case .cosine: return "cosine"
            }
        }
    }

    public enum Storage: UInt8, Sendable {
        case float8 = 0x10
        case float32 = 0x20
        case e4m3 = 0x30

        /// Bytes per stored component.
        var bytes: Int { self == .float32 ? 4 : 1 }

        var name: String {
            switch self {
            case .float8: return "Float8"
            case .float32: return "Float32"
            case .e4m3: return "E4M3"
            }
        }

        /// The index as people know it, by its storage.
        var typeName: String {
            switch self {
            case .float32: return "Index, float32 vectors"
            case .float8: return "Index, 8-bit vectors: code / 127"
            case .e4m3: return "Index, 8-bit E4M3 vectors"
            }
        }
    }

    public static let headerSize = 19
    /// `ef_` after loading (not stored in the file).
    public static let defaultEf = 10

    public var version: Int
    /// The dimensions queries give.
    public var dim: Int
    public var space: Space
    public var storage: Storage
    public var maxNorm: Float
    /// Whether inner-product vectors carry the extra dimension (always, for indexes made from Python).
    public var orderPreserving: Bool
    /// The graph, its level-0 block holding `storedDim` components a vector.
    public var graph: HNSWLibIndex

    /// Components stored per vector: the user's dimensions, plus one for the order-preserving transform.
    public var storedDim: Int { graph.dim }

    /// The stored vector of element `id` as floats (Float8 codes as code / 127, E4M3 decoded), the extra
    /// dimension included.
    public func decodedVector(_ id: Int) -> [Float] {
        let pointer = graph.vectorPointer(id)
        switch storage {
        case .float32:
            return (0..<storedDim).map { pointer.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) }
        case .float8:
            return (0..<storedDim).map { Float(pointer.load(fromByteOffset: $0, as: Int8.self)) / 127 }
        case .e4m3:
            return (0..<storedDim).map { E4M3.value(pointer.load(fromByteOffset: $0, as: UInt8.self)) }
        }
    }
}

/// Voyager's 8-bit float (`E4M3.h`) in its bit-field layout: sign bit 0, exponent bits 1–4, mantissa bits 5–7.
public enum E4M3 {
    /// The value of a stored byte: (1 + m/8)·2^(e − 7), m·2^−10 when e = 0, NaN for e = 15 and m = 7.
    public static func value(_ byte: UInt8) -> Float {
        let sign: Float = byte & 1 == 0 ? 1 : -1
        let exponent = Int((byte >> 1) & 0x0F)
        let mantissa = Int(byte >> 5)
        if exponent == 15 && mantissa == 7 { return .nan }
        if exponent == 0 { return sign * Float(mantissa) * Float(sign: .plus, exponent: -10, significand: 1) }
        return sign * (1 + Float(mantissa) / 8) * Float(sign: .plus, exponent: exponent - 7, significand: 1)
    }
}

extension IndexEngine {
    /// Voyager index files: `VOYA` first.
    public static let voyager = IndexEngine(
        name: VoyagerIndex.engineName,
        recognises: { file in
            guard let code = ByteReader(file: file, format: "index").peekCode() else { return false }
            return code == Array("VOYA".utf8)
        },
        open: { file, _ in .engine(try VoyagerIndex.read(file)) })
}

extension VoyagerIndex {
    public static let engineName = "voyager"

    /// Reads the header, then the graph through hnswlib's reader (every check it makes, offsets from the file's start).
    static func read(_ file: MappedFile) throws -> VoyagerIndex {
        var reader = ByteReader(file: file, format: engineName)
        _ = try reader.readCode("magic")
        let versionOffset = reader.offset
        let version = try reader.read(Int32.self, "version")
        guard version == 1 else {
            throw reader.invalid("version", "\(version) (this reader knows Voyager's version 1 header)", at: versionOffset)
        }
        let dim = Int(try reader.readInt32("numDimensions", in: 1...Int32(FaissReader.maxDim)))
        let spaceOffset = reader.offset
        let rawSpace = try reader.read(UInt8.self, "space")
        guard let space = Space(rawValue: rawSpace) else {
            throw reader.invalid("space", "\(rawSpace) (0 Euclidean, 1 InnerProduct, 2 Cosine)", at: spaceOffset)
        }
        let storageOffset = reader.offset
        let rawStorage = try reader.read(UInt8.self, "storageDataType")
        guard let storage = Storage(rawValue: rawStorage) else {
            throw reader.invalid(
                "storageDataType", "0x\(String(rawStorage, radix: 16)) (0x10 Float8, 0x20 Float32, 0x30 E4M3)", at: storageOffset)
        }
        let maxNorm = try reader.readFloat("maxNorm")
        let flagOffset = reader.offset
        let flag = try reader.read(UInt8.self, "useOrderPreservingTransform")
        guard flag <= 1 else { throw reader.invalid("useOrderPreservingTransform", "\(flag) is not a boolean", at: flagOffset) }
        let metric: Metric = space == .euclidean ? .l2 : space == .innerProduct ? .innerProduct : .cosine
        let graph = try HNSWLibReader.read(
            file: file, space: metric, start: headerSize, elementBytes: storage.bytes, format: engineName)
        let extra = space == .innerProduct && flag == 1 ? 1 : 0
        guard graph.count == 0 || graph.dim == dim + extra else {
            throw FederIndexError.invalid(
                path: file.path, format: engineName, field: "size_data_per_element", offset: headerSize + 24,
                detail: "vectors of \(graph.dim) components, the header says \(dim)\(extra == 1 ? " + 1" : "")")
        }
        return VoyagerIndex(
            version: Int(version), dim: dim, space: space, storage: storage, maxNorm: maxNorm, orderPreserving: flag == 1,
            graph: graph)
    }
}

extension VoyagerIndex: EngineIndex {
    public var model: IndexModel {
        let unit: DistanceConvention.Unit
        switch space {
        case .euclidean: unit = .squaredL2
        case .innerProduct: unit = .oneMinusInnerProduct
        case .cosine: unit = .oneMinusCosine
        }
        return IndexModel(
            engine: Self.engineName, type: storage.name, dim: dim, count: graph.count, metric: graph.space,
            distance: DistanceConvention(unit), labels: .unsigned, storesVectors: storage == .float32,
            structures: storage == .float32 ? [.layeredGraph] : [.layeredGraph, .codes], parameters: [.ef],
            typeName: storage.typeName)
    }

    public var summary: IndexSummary {
        var summary = IndexSummary(
            format: Self.engineName, type: model.type, dim: dim, count: graph.count, metric: graph.space.name)
        summary.describeGraph(graph, efSearch: Self.defaultEf)
        summary.deleted = graph.deletedCount
        summary.maxElements = graph.maxElements
        summary.codeSize = storedDim * storage.bytes
        summary.typeName = model.typeName
        if storage != .float32 { summary.vectorType = storage.name }
        return summary
    }

    /// The element holding `label` that a query may return (not deleted).
    public func element(label: Int64) -> Int? {
        (0..<graph.count).first { graph.label($0) == UInt64(bitPattern: label) && !graph.isDeleted($0) }
    }

    /// The stored vector in the user's dimensions (the extra dimension dropped; Float8 and E4M3 decoded).
    public func storedVector(label: Int64) -> [Float]? {
        element(label: label).map { Array(decodedVector($0).prefix(dim)) }
    }

    public func storedSegments() -> [StoredSegment] { [] }

    public var rows: Int { graph.count }

    public func label(ofRow row: Int) -> Int64 { Int64(bitPattern: graph.label(row)) }

    public var layeredGraph: LayeredGraph? {
        let index = self
        return graph.layeredGraph(engine: Self.engineName, dim: dim) {
            let (count, dim) = (index.graph.count, index.dim)
            guard count > 0, let floats = checkedProduct(count, dim), floats <= 1 << 26 else { return nil }
            var rows: [Float] = []
            rows.reserveCapacity(floats)
            for id in 0..<count { rows += index.decodedVector(id).prefix(dim) }
            return VectorTable(name: "voyager vectors", rows: rows, dim: dim)
        }
    }
}
