import CFederKernels

/// hnswlib's distance kernels (`space_l2.h`, `space_ip.h`), chosen by dimension as hnswlib chooses them:
/// 16-wide blocks when d % 16 == 0, 4-wide blocks when d % 4 == 0, otherwise 16- or 4-wide blocks plus a
/// plain tail, with the lane width, lane order and FMA use of the library's -march=native build on the
/// running CPU (C, `CFederKernels`). Tests compare every hnswlib fixture bit for bit.
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

    /// hnswlib `normalize_vector`: x · 1 / (sqrt(Σx²) + 1e-30), Σx² summed as the library's build sums it.
    static func normalized(_ vector: [Float]) -> [Float] {
        let norm = vector.withUnsafeBytes { feder_hnswlib_squared_norm($0.baseAddress, vector.count) }
        let inverse = 1 / (norm.squareRoot() + 1e-30)
        return vector.map { $0 * inverse }
    }
}
