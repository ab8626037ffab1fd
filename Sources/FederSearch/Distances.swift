import CFederKernels
import FederIndex

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

/// One of faiss's float kernels, chosen by the index's metric: squared L2, the inner product (larger is
/// closer), L1 or L∞ (`METRIC_L1`, `METRIC_Linf`), at the selected SIMD level.
public enum FaissKernel: Int32, Sendable {
    case l2 = 0
    case innerProduct = 1
    case l1 = 2
    case linf = 3

    /// The kernel for `metric`; nil for metrics faiss searches that this tool does not mirror.
    public init?(_ metric: Metric) {
        switch metric {
        case .l2: self = .l2
        case .innerProduct: self = .innerProduct
        case .l1: self = .l1
        case .linf: self = .linf
        case .cosine, .other: return nil
        }
    }

    /// Which results a search keeps: the largest inner products, the smallest distances.
    public var order: FaissResultHeap.Order { self == .innerProduct ? .keepLargest : .keepSmallest }

    /// Whether faiss's single-query search over a flat index picks its result handler by k (the k-heap below
    /// k = 100, the reservoir above), as for L2 and the inner product; other metrics always use the k-heap
    /// (`knn_extra_metrics`).
    var usesReservoir: Bool { self == .l2 || self == .innerProduct }

    /// The distance between `dim` floats at `a` and at `b`.
    @inline(__always)
    public func callAsFunction(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, dim: Int) -> Float {
        switch self {
        case .l2: feder_l2sqr(a, b, dim)
        case .innerProduct: feder_inner_product(a, b, dim)
        case .l1, .linf: feder_faiss_kernel(feder_kernels_faiss(), rawValue, a, b, dim)
        }
    }
}
