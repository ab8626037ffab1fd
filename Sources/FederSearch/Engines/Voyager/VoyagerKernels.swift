/// Voyager's distance kernels as the PyPI wheel (2.2.3) computes them: built for baseline x86-64 (SSE, 4 float
/// lanes, no FMA) with `-fassociative-math`, so the compiler chose the order of the additions; this is the order
/// read off its machine code, the same on every x86-64 CPU. t_i is (a_i − b_i)² for Euclidean, a_i · b_i for inner
/// product and cosine (which report 1 − the sum).
enum VoyagerKernels {
    /// `1 / 127` as float, squared: Float8 distances are integer sums times this.
    static let float8Scale = Float(bitPattern: 0x3882_0610)

    /// Four lanes over the first n / 4 · 4 terms, folded (L0 + L2) + (L1 + L3), then the rest one by one; fewer than
    /// four terms are summed in order.
    static func reduce4(_ t: UnsafeBufferPointer<Float>) -> Float {
        let n = t.count
        if n <= 3 {
            var sum: Float = 0
            for value in t { sum += value }
            return sum
        }
        var lanes: (Float, Float, Float, Float) = (0, 0, 0, 0)
        var i = 0
        while i + 4 <= n {
            lanes.0 += t[i]
            lanes.1 += t[i + 1]
            lanes.2 += t[i + 2]
            lanes.3 += t[i + 3]
            i += 4
        }
        var sum = (lanes.0 + lanes.2) + (lanes.1 + lanes.3)
        while i < n {
            sum += t[i]
            i += 1
        }
        return sum
    }

    /// Blocks of 16 added to four lanes as ((t8…11 + t12…15) + (t0…3 + t4…7)), then `fourBlocks` blocks of 4 added
    /// lane by lane; folded (A2 + A3) + (A0 + A1).
    static func lanes(_ t: UnsafeBufferPointer<Float>, sixteens: Int, fours: Int) -> Float {
        var a: (Float, Float, Float, Float) = (0, 0, 0, 0)
        var base = 0
        for _ in 0..<sixteens {
            a.0 += (t[base + 8] + t[base + 12]) + (t[base] + t[base + 4])
            a.1 += (t[base + 9] + t[base + 13]) + (t[base + 1] + t[base + 5])
            a.2 += (t[base + 10] + t[base + 14]) + (t[base + 2] + t[base + 6])
            a.3 += (t[base + 11] + t[base + 15]) + (t[base + 3] + t[base + 7])
            base += 16
        }
        for _ in 0..<fours {
            a.0 += t[base]
            a.1 += t[base + 1]
            a.2 += t[base + 2]
            a.3 += t[base + 3]
            base += 4
        }
        return (a.2 + a.3) + (a.0 + a.1)
    }

    /// The float32 kernel over `q.count` components (the stored dimension, the extra one included).
    static func float32(_ q: UnsafeBufferPointer<Float>, _ v: UnsafePointer<Float>, innerProduct: Bool) -> Float {
        let n = q.count
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: max(n, 1)) { buffer in
            for i in 0..<n {
                if innerProduct {
                    buffer[i] = q[i] * v[i]
                } else {
                    let difference = q[i] - v[i]
                    buffer[i] = difference * difference
                }
            }
            let t = UnsafeBufferPointer(rebasing: buffer[0..<n])
            let head: Float
            let tail: Float
            if n % 16 == 0 {
                let sum = lanes(t, sixteens: n / 16, fours: 0)
                return innerProduct ? 1 - sum : sum
            } else if n % 4 == 0 {
                // Euclidean adds every block of 4 to the lanes; inner product groups blocks of 16 first.
                let sum = innerProduct ? lanes(t, sixteens: n / 16, fours: n % 16 / 4) : lanes(t, sixteens: 0, fours: n / 4)
                return innerProduct ? 1 - sum : sum
            } else if n > 16 {
                let split = n / 16 * 16
                head = lanes(t, sixteens: n / 16, fours: 0)
                tail = reduce4(UnsafeBufferPointer(rebasing: t[split...]))
            } else if n > 4 {
                let split = n / 4 * 4
                head = lanes(t, sixteens: 0, fours: n / 4)
                tail = reduce4(UnsafeBufferPointer(rebasing: t[split...]))
            } else {
                var sum: Float = 0
                for value in t { sum += value }
                return innerProduct ? 1 - sum : sum
            }
            // The compiler folded the source's ((1 − H) + (1 − T)) − 1 into (1 − H) − T.
            return innerProduct ? (1 - head) - tail : head + tail
        }
    }

    /// The Float8 kernel: an integer sum (exact in float below 2^24, whatever order the wheel adds in) times
    /// (1/127)².
    static func float8(_ q: UnsafeBufferPointer<Int8>, _ v: UnsafePointer<Int8>, innerProduct: Bool) -> Float {
        var sum = 0
        for i in 0..<q.count {
            let (a, b) = (Int(q[i]), Int(v[i]))
            sum += innerProduct ? a * b : (a - b) * (a - b)
        }
        let scaled = Float(sum) * float8Scale
        return innerProduct ? 1 - scaled : scaled
    }

    /// Cosine's normalisation: x / (sqrt(reduce4(x²)) + 1e-30).
    static func normalized(_ x: [Float]) -> [Float] {
        let squares = x.map { $0 * $0 }
        let norm = squares.withUnsafeBufferPointer { reduce4($0) }
        let inverse = 1 / (norm.squareRoot() + 1e-30)
        return x.map { $0 * inverse }
    }

    /// Cosine over Float8: the norm of x / 127 (with (1/127) rounded to float), and each code trunc(x · inverse).
    static func float8Normalized(_ x: [Float]) -> [Int8] {
        let step = Float(1) / 127
        let squares = x.map { ($0 * step) * ($0 * step) }
        let norm = squares.withUnsafeBufferPointer { reduce4($0) }
        let inverse = 1 / (norm.squareRoot() + 1e-30)
        return x.map { Int8(clamping: Int(($0 * inverse).rounded(.towardZero))) }
    }
}
