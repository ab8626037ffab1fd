import CFederKernels

/// Distance kernels over rows read in place (unaligned float32).
///
/// The faiss-side kernels (`l2Squared`, `dot`) use AVX2 + FMA when the CPU has them, like faiss's own build;
/// faiss reassociates its sums, so its exact summation order is not reproducible and none is promised here.
/// Integer-valued data (every partial sum below 2^24) gives identical results in any order.
public enum Distances {
    /// Squared L2 distance between `dim` floats at `a` and at `b`.
    @inline(__always)
    public static func l2Squared(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, dim: Int) -> Float {
        feder_l2sqr(a, b, dim)
    }

    /// Dot product of `dim` floats at `a` and at `b`.
    @inline(__always)
    public static func dot(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, dim: Int) -> Float {
        feder_inner_product(a, b, dim)
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
