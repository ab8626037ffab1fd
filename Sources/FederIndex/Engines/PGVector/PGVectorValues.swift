/// The element type of an indexed column (pgvector-format.md §2.3).
public enum PGVectorType: String, Sendable, Hashable, Codable {
    /// float4 components.
    case vector
    /// IEEE binary16 components.
    case halfvec
    /// Bits, most significant first in each byte.
    case bit

    /// Bytes one stored value's components take.
    public func stride(dimensions: Int) -> Int {
        switch self {
        case .vector: return 4 * dimensions
        case .halfvec: return 2 * dimensions
        case .bit: return (dimensions + 7) / 8
        }
    }
}

/// The distance an operator class orders by and the operator a query names (pgvector-format.md §4.4, §6).
public enum PGVectorOperator: String, Sendable, Hashable, Codable, CaseIterable {
    case l2 = "<->"
    case innerProduct = "<#>"
    case cosine = "<=>"
    case l1 = "<+>"
    case hamming = "<~>"
    case jaccard = "<%>"

    /// The operator class word (`vector_l2_ops` → `l2`).
    var classWord: String {
        switch self {
        case .l2: return "l2"
        case .innerProduct: return "ip"
        case .cosine: return "cosine"
        case .l1: return "l1"
        case .hamming: return "hamming"
        case .jaccard: return "jaccard"
        }
    }

    /// What the operator's value is, in words.
    public var distanceName: String {
        switch self {
        case .l2: return "L2 distance"
        case .innerProduct: return "negative inner product"
        case .cosine: return "cosine distance"
        case .l1: return "L1 distance"
        case .hamming: return "Hamming distance"
        case .jaccard: return "Jaccard distance"
        }
    }
}

/// An index's operator class: the column type and the operator it serves.
public struct PGVectorOpclass: Sendable, Hashable, Codable, CustomStringConvertible {
    public var type: PGVectorType
    public var op: PGVectorOperator

    public init(type: PGVectorType, op: PGVectorOperator) { (self.type, self.op) = (type, op) }

    /// The class named `name` (`vector_cosine_ops`, `halfvec_l1_ops`, `bit_hamming_ops`, …); nil for any other.
    public init?(name: String) {
        for type in [PGVectorType.vector, .halfvec, .bit] {
            for op in PGVectorOperator.allCases where "\(type.rawValue)_\(op.classWord)_ops" == name {
                let bitOperator = op == .hamming || op == .jaccard
                guard bitOperator == (type == .bit) else { return nil }
                self.init(type: type, op: op)
                return
            }
        }
        return nil
    }

    public var description: String { "\(type.rawValue)_\(op.classWord)_ops" }

    /// Whether stored values and queries are normalised to unit length (the class has a norm support function).
    public var normalises: Bool { op == .cosine }
}

/// Stored values, one fixed-size row each, in the column type's own encoding (float4, binary16 or bytes of bits).
/// Unchecked `Sendable`: written once while the index is read, never after.
public final class PGVectorValues: @unchecked Sendable {
    public let type: PGVectorType
    public let dimensions: Int
    /// Bytes per row.
    public let stride: Int
    public private(set) var count: Int
    private var storage: UnsafeMutableRawPointer
    private var capacity: Int

    init(type: PGVectorType, dimensions: Int) {
        (self.type, self.dimensions, self.stride) = (type, dimensions, type.stride(dimensions: dimensions))
        count = 0
        capacity = 16
        storage = UnsafeMutableRawPointer.allocate(byteCount: max(capacity * stride, 64), alignment: 64)
    }

    deinit { storage.deallocate() }

    /// Appends a row copied from `source` (`stride` bytes), or zeros when `source` is nil (a deleted element's).
    func append(_ source: UnsafeRawPointer?) {
        if count == capacity {
            let grown = capacity * 2
            let bigger = UnsafeMutableRawPointer.allocate(byteCount: max(grown * stride, 64), alignment: 64)
            bigger.copyMemory(from: storage, byteCount: count * stride)
            storage.deallocate()
            (storage, capacity) = (bigger, grown)
        }
        let destination = storage + count * stride
        if let source {
            destination.copyMemory(from: source, byteCount: stride)
        } else {
            destination.initializeMemory(as: UInt8.self, repeating: 0, count: stride)
        }
        count += 1
    }

    /// Row `row`'s bytes.
    @inlinable public func row(_ row: Int) -> UnsafeRawPointer { UnsafeRawPointer(base + row * stride) }

    @usableFromInline var base: UnsafeRawPointer { UnsafeRawPointer(storage) }

    /// Row `row` as floats (binary16 widened exactly; bits as 0 / 1, most significant first).
    public func floats(_ row: Int) -> [Float] {
        let pointer = self.row(row)
        switch type {
        case .vector:
            return (0..<dimensions).map { pointer.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) }
        case .halfvec:
            return (0..<dimensions).map {
                Float(Float16(bitPattern: pointer.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)))
            }
        case .bit:
            return (0..<dimensions).map { pointer.load(fromByteOffset: $0 / 8, as: UInt8.self) & (0x80 >> UInt8($0 % 8)) != 0 ? 1 : 0 }
        }
    }
}
