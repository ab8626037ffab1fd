/// hnswlib's distance kernels (`space_l2.h`, `space_ip.h`), chosen by dimension as hnswlib chooses them:
/// 16-lane blocks when d % 16 == 0, 4-lane blocks when d % 4 == 0, otherwise 16- or 4-lane blocks plus a
/// plain tail. Lanes accumulate with a multiply then an add and are summed left to right, as the AVX-512 /
/// SSE kernels do. (A build that fuses multiply-adds differs in the last bits; tests compare with a
/// tolerance on random data and exactly on integer-valued data.)
enum HNSWLibDistances {
    @inline(__always)
    static func l2(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, dim: Int) -> Float {
        if dim % 16 == 0 { return l2Blocks16(a, b, count: dim) }
        if dim % 4 == 0 { return l2Blocks4(a, b, count: dim) }
        if dim > 16 {
            let head = dim / 16 * 16
            return l2Blocks16(a, b, count: head) + l2Plain(a, b, from: head, to: dim)
        }
        if dim > 4 {
            let head = dim / 4 * 4
            return l2Blocks4(a, b, count: head) + l2Plain(a, b, from: head, to: dim)
        }
        return l2Plain(a, b, from: 0, to: dim)
    }

    /// `1 − dot` (hnswlib `InnerProductDistance`).
    @inline(__always)
    static func innerProductDistance(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, dim: Int) -> Float {
        let dot: Float
        if dim % 16 == 0 {
            dot = dotBlocks16(a, b, count: dim)
        } else if dim % 4 == 0 {
            dot = dotBlocks4(a, b, count: dim)
        } else if dim > 16 {
            let head = dim / 16 * 16
            dot = dotBlocks16(a, b, count: head) + dotPlain(a, b, from: head, to: dim)
        } else if dim > 4 {
            let head = dim / 4 * 4
            dot = dotBlocks4(a, b, count: head) + dotPlain(a, b, from: head, to: dim)
        } else {
            dot = dotPlain(a, b, from: 0, to: dim)
        }
        return 1 - dot
    }

    /// hnswlib `normalize_vector`: x · 1 / (sqrt(Σx²) + 1e-30), sums in float, in order.
    static func normalized(_ vector: [Float]) -> [Float] {
        var norm: Float = 0
        for value in vector { norm += value * value }
        let inverse = 1 / (norm.squareRoot() + 1e-30)
        return vector.map { $0 * inverse }
    }

    @inline(__always)
    private static func l2Blocks16(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, count: Int) -> Float {
        var sum = SIMD16<Float>()
        var offset = 0
        while offset < count {
            let d = a.loadUnaligned(fromByteOffset: offset * 4, as: SIMD16<Float>.self)
                - b.loadUnaligned(fromByteOffset: offset * 4, as: SIMD16<Float>.self)
            sum = sum + d * d
            offset += 16
        }
        var total: Float = 0
        for lane in 0..<16 { total += sum[lane] }
        return total
    }

    @inline(__always)
    private static func l2Blocks4(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, count: Int) -> Float {
        var sum = SIMD4<Float>()
        var offset = 0
        while offset < count {
            let d = a.loadUnaligned(fromByteOffset: offset * 4, as: SIMD4<Float>.self)
                - b.loadUnaligned(fromByteOffset: offset * 4, as: SIMD4<Float>.self)
            sum = sum + d * d
            offset += 4
        }
        return sum[0] + sum[1] + sum[2] + sum[3]
    }

    @inline(__always)
    private static func l2Plain(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, from start: Int, to end: Int) -> Float {
        var total: Float = 0
        for lane in start..<end {
            let d = a.loadUnaligned(fromByteOffset: lane * 4, as: Float.self)
                - b.loadUnaligned(fromByteOffset: lane * 4, as: Float.self)
            total += d * d
        }
        return total
    }

    @inline(__always)
    private static func dotBlocks16(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, count: Int) -> Float {
        var sum = SIMD16<Float>()
        var offset = 0
        while offset < count {
            sum = sum + a.loadUnaligned(fromByteOffset: offset * 4, as: SIMD16<Float>.self)
                * b.loadUnaligned(fromByteOffset: offset * 4, as: SIMD16<Float>.self)
            offset += 16
        }
        var total: Float = 0
        for lane in 0..<16 { total += sum[lane] }
        return total
    }

    @inline(__always)
    private static func dotBlocks4(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, count: Int) -> Float {
        var sum = SIMD4<Float>()
        var offset = 0
        while offset < count {
            sum = sum + a.loadUnaligned(fromByteOffset: offset * 4, as: SIMD4<Float>.self)
                * b.loadUnaligned(fromByteOffset: offset * 4, as: SIMD4<Float>.self)
            offset += 4
        }
        return sum[0] + sum[1] + sum[2] + sum[3]
    }

    @inline(__always)
    private static func dotPlain(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, from start: Int, to end: Int) -> Float {
        var total: Float = 0
        for lane in start..<end {
            total += a.loadUnaligned(fromByteOffset: lane * 4, as: Float.self)
                * b.loadUnaligned(fromByteOffset: lane * 4, as: Float.self)
        }
        return total
    }
}
