import Foundation

/// A small seeded random number generator (SplitMix64) for layouts that must repeat exactly.
///
/// The same seed gives the same sequence on every run and platform: `next()` is pure integer arithmetic,
/// `unit()` takes the top 53 bits, and `normal()` consumes exactly two `unit()` draws (Box–Muller, the
/// cosine branch only, no cached spare).
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Starts the sequence at `seed`; every seed, including 0, is fine.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform value in [0, 1) with 53 random bits.
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A standard normal value (mean 0, variance 1) by the Box–Muller transform.
    public mutating func normal() -> Double {
        let u1 = 1 - unit()  // (0, 1]: the logarithm stays finite
        let u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
