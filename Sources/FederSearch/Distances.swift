/// Distance kernels over rows read in place (unaligned float32), 16 lanes at a time.
///
/// Faiss auto-vectorises with reassociation, so its summation order cannot be reproduced bit for bit;
/// integer-valued data (every partial sum below 2^24) gives identical results in any order.
public enum Distances {
    /// Squared L2 distance between `dim` floats at `a` and at `b`.
    @inline(__always)
    public static func l2Squared(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, dim: Int) -> Float {
        var acc = SIMD16<Float>()
        var lane = 0
        while lane + 16 <= dim {
            let x = a.loadUnaligned(fromByteOffset: lane * 4, as: SIMD16<Float>.self)
            let y = b.loadUnaligned(fromByteOffset: lane * 4, as: SIMD16<Float>.self)
            let d = x - y
            acc = acc.addingProduct(d, d)
            lane += 16
        }
        var tail = acc.sum()
        while lane < dim {
            let d = a.loadUnaligned(fromByteOffset: lane * 4, as: Float.self)
                - b.loadUnaligned(fromByteOffset: lane * 4, as: Float.self)
            tail += d * d
            lane += 1
        }
        return tail
    }

    /// Dot product of `dim` floats at `a` and at `b`.
    @inline(__always)
    public static func dot(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, dim: Int) -> Float {
        var acc = SIMD16<Float>()
        var lane = 0
        while lane + 16 <= dim {
            let x = a.loadUnaligned(fromByteOffset: lane * 4, as: SIMD16<Float>.self)
            let y = b.loadUnaligned(fromByteOffset: lane * 4, as: SIMD16<Float>.self)
            acc = acc.addingProduct(x, y)
            lane += 16
        }
        var tail = acc.sum()
        while lane < dim {
            tail += a.loadUnaligned(fromByteOffset: lane * 4, as: Float.self)
                * b.loadUnaligned(fromByteOffset: lane * 4, as: Float.self)
            lane += 1
        }
        return tail
    }
}

/// Runs `body` with the address of the query's first float. Queries are validated non-empty before a search.
@inline(__always)
func withQueryPointer<T>(_ query: [Float], _ body: (UnsafeRawPointer) throws -> T) rethrows -> T {
    try query.withUnsafeBytes { raw in
        guard let base = raw.baseAddress else { preconditionFailure("a query has at least one dimension") }
        return try body(base)
    }
}
