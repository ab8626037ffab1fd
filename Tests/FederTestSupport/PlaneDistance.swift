extension SIMD2 where Scalar == Double {
    /// The Euclidean distance between two projected points.
    public func distance(to other: SIMD2<Double>) -> Double { ((self - other) * (self - other)).sum().squareRoot() }
}
