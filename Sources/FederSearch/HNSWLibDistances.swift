import CFederKernels

/// hnswlib's distance kernels (`space_l2.h`, `space_ip.h`), chosen by dimension as hnswlib chooses them:
/// 16-lane blocks when d % 16 == 0, 4-lane blocks when d % 4 == 0, otherwise 16- or 4-lane blocks plus a
/// plain tail. Lanes accumulate with a multiply then an add and are summed left to right, as hnswlib's
/// AVX-512 / SSE kernels do (C, `CFederKernels`). A build of hnswlib that fuses multiply-adds differs in the
/// last bits; tests compare exactly on integer-valued data and within 1e-5 on random data.
enum HNSWLibDistances {
    @inline(__always)
    static func l2(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, dim: Int) -> Float {
        feder_hnswlib_l2sqr(a, b, dim)
    }

    /// `1 − dot` (hnswlib `InnerProductDistance`).
    @inline(__always)
    static func innerProductDistance(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, dim: Int) -> Float {
        1 - feder_hnswlib_inner_product(a, b, dim)
    }

    /// hnswlib `normalize_vector`: x · 1 / (sqrt(Σx²) + 1e-30), sums in float, in order.
    static func normalized(_ vector: [Float]) -> [Float] {
        var norm: Float = 0
        for value in vector { norm += value * value }
        let inverse = 1 / (norm.squareRoot() + 1e-30)
        return vector.map { $0 * inverse }
    }
}
