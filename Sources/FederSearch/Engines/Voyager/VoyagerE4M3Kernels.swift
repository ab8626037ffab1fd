import FederIndex

/// Voyager's E4M3 kernels (`L2Sqr` / `InnerProduct<float, E4M3, K>` and their `AtLeast` variants) as the PyPI
/// wheel (2.2.3, x86-64) computes them. Each stored byte is decoded through the library's table, then the terms
/// t_i ((a_i − b_i)² for Euclidean, a_i · b_i for inner product and cosine) are added one float at a time in the
/// order GCC chose under `-fassociative-math`; that order was read off the wheel's machine code for every kernel
/// the spaces' constructors pick, and checked by calling those kernels on random codes for every stored dimension
/// from 1 to 299 and for 383 – 385, 511 – 513, 767 – 769, 1000, 1023 – 1025, 1536, 2048, 3072 and 4097.
enum VoyagerE4M3 {
    /// `ALL_E4M3_VALUES`, the table the library decodes with: both zero bytes are +0, 0xFE and 0xFF the quiet NaN.
    static let table: [Float] = (0...255).map { byte in
        let value = E4M3.value(UInt8(byte))
        return value == 0 ? 0 : value
    }

    /// How the constructors of `EuclideanSpace` / `InnerProductSpace<float, E4M3>` choose a kernel from the stored
    /// dimension n, and how the compiled kernel adds.
    enum Shape: Equatable {
        /// K = 1 (n < 4) and K = 32, 64, 128: one accumulator, every term added in order.
        case sequential
        /// K = 4, 8 or 16 (n a multiple of K and of no larger power of two up to 128): a tree per block, then
        /// added to the running sum.
        case blocks(Int)
        /// `AtLeast<K>` (n > K, not a multiple of 4): the first K terms (a tree for K ≤ 16, in order for larger
        /// K), then the other n − K in order from 0, combined.
        case atLeast(Int)
    }

    static func shape(storedDim n: Int) -> Shape {
        if n % 32 == 0 { return .sequential }
        for k in [16, 8, 4] where n % k == 0 { return .blocks(k) }
        for k in [128, 64, 32, 16, 8, 4] where n > k { return .atLeast(k) }
        return .sequential
    }

    /// Why a value cannot be encoded: outside [−448, 448], the library's constructor throws.
    static let range: ClosedRange<Float> = -448...448

    /// The `E4M3(float)` constructor for a finite value in `range`: the float's exponent rebased to 7, three
    /// mantissa bits kept, then rounded half to even on mantissa bit 19, with the library's special cases for
    /// exponent 0 (its "subnormals" are m · 2^−10). Zero encodes as 0 (the library leaves the sign bit unset; the
    /// byte decodes as +0 whatever that bit is). Nil outside `range` or when rounding would leave it (the library
    /// throws).
    static func encode(_ input: Float) -> UInt8? {
        guard input.isFinite else { return 0xFE }
        if input == 0 { return 0 }
        guard range.contains(input) else { return nil }
        let originalExponent = Int((input.bitPattern >> 23) & 0xFF)
        var originalMantissa = Int(input.bitPattern & 0x7F_FFFF)
        let sign: UInt8 = input < 0 ? 1 : 0
        var exponent: Int
        var mantissa: Int
        let rebased = originalExponent - 127 + 7
        if rebased < 0 {
            exponent = 0
            let shift = 127 - 7 - originalExponent
            if shift > 4 {
                mantissa = 0
                originalMantissa = 0
            } else {
                originalMantissa |= 1 << 23
                originalMantissa >>= shift
                mantissa = (originalMantissa >> 20) & 7
            }
        } else if rebased > 15 {
            return nil
        } else if rebased == 0 {
            exponent = 0
            mantissa = 7
            if originalMantissa >> 20 >= 4 {
                originalMantissa &= ~(1 << 19)
                exponent = 1
                mantissa = 0
            }
        } else {
            exponent = rebased
            mantissa = (originalMantissa >> 20) & 7
        }
        let shouldRound = originalMantissa & (1 << 19) != 0
        let mustRoundUp = shouldRound && (originalMantissa & ((1 << 19) - 1) != 0 || mantissa & 1 == 1)
        if mustRoundUp {
            if mantissa == 7 {
                guard exponent != 15 else { return nil }
                exponent += 1
                mantissa = 0
            } else {
                mantissa += 1
            }
        }
        return sign | UInt8(exponent << 1) | UInt8(mantissa << 5)
    }

    /// The distance between a query (already encoded and decoded back, `q.count` = the stored dimension) and a
    /// stored vector's bytes.
    static func distance(_ q: UnsafeBufferPointer<Float>, _ v: UnsafePointer<UInt8>, innerProduct: Bool) -> Float {
        let n = q.count
        return table.withUnsafeBufferPointer { table in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: max(n, 1)) { buffer in
                for i in 0..<n {
                    let stored = table[Int(v[i])]
                    if innerProduct {
                        buffer[i] = q[i] * stored
                    } else {
                        let difference = q[i] - stored
                        buffer[i] = difference * difference
                    }
                }
                let t = UnsafeBufferPointer(rebasing: buffer[0..<n])
                return innerProduct ? innerProductSum(t) : euclideanSum(t)
            }
        }
    }

    /// t[lower..<upper] added in order, from 0.
    static func inOrder(_ t: UnsafeBufferPointer<Float>, _ lower: Int, _ upper: Int) -> Float {
        var sum: Float = 0
        var i = lower
        while i < upper {
            sum += t[i]
            i += 1
        }
        return sum
    }

    static func euclideanSum(_ t: UnsafeBufferPointer<Float>) -> Float {
        let n = t.count
        switch shape(storedDim: n) {
        case .sequential:
            return inOrder(t, 0, n)
        case .blocks(let k):
            var sum: Float = 0
            var b = 0
            while b + k <= n {
                switch k {
                case 4:
                    sum += (t[b] + t[b + 1]) + (t[b + 2] + t[b + 3])
                case 8:
                    sum = (sum + t[b + 7]) + (((t[b] + t[b + 1]) + (t[b + 2] + t[b + 3])) + ((t[b + 4] + t[b + 5]) + t[b + 6]))
                default:
                    sum += euclideanBlock16(t, b)
                }
                b += k
            }
            return sum
        case .atLeast(let k):
            let tail = inOrder(t, k, n)
            switch k {
            case 4:
                return ((t[2] + t[3]) + (t[0] + t[1])) + tail
            case 8:
                return (((t[4] + t[5]) + (t[6] + t[7])) + ((t[2] + t[3]) + (t[0] + t[1]))) + tail
            case 16:
                let upper = (t[14] + t[15]) + (t[12] + t[13])
                let lower = ((t[10] + t[11]) + (t[8] + t[9])) + (((t[2] + t[3]) + (t[0] + t[1])) + ((t[6] + t[7]) + (t[4] + t[5])))
                return (upper + lower) + tail
            default:
                return inOrder(t, 0, k) + tail
            }
        }
    }

    /// `L2Sqr<float, E4M3, 16>`'s block: (15 + (13 + 14)) + ((12 + (10 + 11)) + ((9 + (7 + 8)) + ((6 + (4 + 5)) +
    /// ((2 + 3) + (0 + 1))))).
    static func euclideanBlock16(_ t: UnsafeBufferPointer<Float>, _ b: Int) -> Float {
        let low = (t[b + 6] + (t[b + 4] + t[b + 5])) + ((t[b + 2] + t[b + 3]) + (t[b] + t[b + 1]))
        let middle = (t[b + 9] + (t[b + 7] + t[b + 8])) + low
        let high = (t[b + 12] + (t[b + 10] + t[b + 11])) + middle
        return (t[b + 15] + (t[b + 13] + t[b + 14])) + high
    }

    static func innerProductSum(_ t: UnsafeBufferPointer<Float>) -> Float {
        let n = t.count
        switch shape(storedDim: n) {
        case .sequential:
            return 1 - inOrder(t, 0, n)
        case .blocks(let k):
            var sum: Float = 0
            var b = 0
            while b + k <= n {
                switch k {
                case 4:
                    sum += (t[b + 1] + t[b]) + (t[b + 2] + t[b + 3])
                case 8:
                    sum = (t[b + 7] + sum) + ((t[b + 6] + (t[b + 4] + t[b + 5])) + ((t[b + 2] + t[b + 3]) + (t[b + 1] + t[b])))
                default:
                    sum += innerProductBlock16(t, b)
                }
                b += k
            }
            return 1 - sum
        case .atLeast(let k):
            let tail = inOrder(t, k, n)
            switch k {
            case 4:
                return (1 - tail) - ((t[3] + t[2]) + (t[0] + t[1]))
            case 8:
                return ((1 - (t[5] + t[4])) - ((t[3] + t[2]) + (t[0] + t[1]))) - ((t[7] + t[6]) + tail)
            case 16:
                let first = (((t[7] + t[6]) + (t[5] + t[4])) + ((t[1] + t[0]) + (t[2] + t[3]))) + ((t[9] + t[8]) + (t[10] + t[11]))
                return (1 - tail) - (first + ((t[15] + t[14]) + (t[12] + t[13])))
            default:
                return (1 - inOrder(t, 0, k)) - tail
            }
        }
    }

    /// `InnerProduct<float, E4M3, 16>`'s block: (15 + (13 + 14)) + ((((((2 + 3) + (1 + 0)) + (6 + (4 + 5))) +
    /// (9 + (7 + 8))) + (12 + (10 + 11))).
    static func innerProductBlock16(_ t: UnsafeBufferPointer<Float>, _ b: Int) -> Float {
        let low = ((t[b + 2] + t[b + 3]) + (t[b + 1] + t[b])) + (t[b + 6] + (t[b + 4] + t[b + 5]))
        let middle = (low + (t[b + 9] + (t[b + 7] + t[b + 8]))) + (t[b + 12] + (t[b + 10] + t[b + 11]))
        return (t[b + 15] + (t[b + 13] + t[b + 14])) + middle
    }
}
