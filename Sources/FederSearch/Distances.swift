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
        case .cosine, .hamming, .other: return nil
        }
    }

    /// Which results a search keeps: the largest inner products, the smallest distances.
    public var order: FaissResultHeap.Order { self == .innerProduct ? .keepLargest : .keepSmallest }

    /// Whether faiss's single-query search over a flat index picks its result handler by k (the k-heap below
    /// k = 100, the reservoir above), as for L2 and the inner product; other metrics always use the k-heap
    /// (`knn_extra_metrics`).
    var usesReservoir: Bool { self == .l2 || self == .innerProduct }

    /// The kernel at the selected level, chosen once (call it in hot loops instead of the kernel itself).
    public func resolved() -> DistanceFunction { DistanceFunction(feder_faiss_resolve(rawValue) ?? feder_l2sqr) }

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

/// A distance kernel chosen once for a search (the selected library build and the CPU's vector units), then
/// called per vector without choosing again: the same bits as the kernel it was resolved from.
public struct DistanceFunction: @unchecked Sendable {
    // Unchecked: a C function pointer to a pure kernel, safe to call from any thread.
    let function: feder_distance_fn

    init(_ function: feder_distance_fn) { self.function = function }

    /// hnswlib's L2Sqr or inner product (the dot, before 1 − dot) for `dim` floats, as the selected build sums.
    static func hnswlib(innerProduct: Bool, dim: Int) -> DistanceFunction {
        DistanceFunction(feder_hnswlib_resolve(innerProduct ? 1 : 0, dim) ?? feder_hnswlib_l2sqr)
    }

    @inline(__always)
    public func callAsFunction(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, dim: Int) -> Float { function(a, b, dim) }
}

/// Vectors gathered for one call of a batched kernel (a list's unvisited neighbours, a block of an inverted
/// list), and then their distances: computed several at a time, each summed in its own order, so with the bits
/// the one-by-one kernel gives.
struct DistanceBatch {
    private var pointers: [UnsafeRawPointer?]
    /// The distances of the vectors gathered, in gathering order (the first `count`).
    private(set) var distances: [Float]
    private(set) var count = 0

    init(capacity: Int) {
        pointers = Array(repeating: nil, count: max(capacity, 1))
        distances = Array(repeating: 0, count: max(capacity, 1))
    }

    /// Empties the batch.
    @inline(__always)
    mutating func removeAll() { count = 0 }

    /// Adds the vector at `pointer` (at most `capacity` per batch).
    @inline(__always)
    mutating func append(_ pointer: UnsafeRawPointer) {
        pointers[count] = pointer
        count += 1
    }

    /// Gathers `count` vectors `stride` bytes apart, starting at vector `first` of `base`.
    mutating func gather(_ base: UnsafeRawPointer, stride: Int, from first: Int, count: Int) {
        removeAll()
        for position in 0..<count { append(base + (first + position) * stride) }
    }

    /// Scores the gathered vectors against `query` with faiss's `kernel` at the selected level.
    mutating func score(faiss kernel: FaissKernel, query: UnsafeRawPointer, dim: Int) {
        let count = self.count
        pointers.withUnsafeBufferPointer { vectors in
            distances.withUnsafeMutableBufferPointer { out in
                feder_faiss_batch(kernel.rawValue, query, vectors.baseAddress, count, dim, out.baseAddress)
            }
        }
    }

    /// Scores the gathered vectors against `query` with hnswlib's L2Sqr or `1 − dot`, as the selected build.
    mutating func score(hnswlibInnerProduct innerProduct: Bool, query: UnsafeRawPointer, dim: Int) {
        let count = self.count
        pointers.withUnsafeBufferPointer { vectors in
            distances.withUnsafeMutableBufferPointer { out in
                feder_hnswlib_batch(innerProduct ? 1 : 0, query, vectors.baseAddress, count, dim, out.baseAddress)
            }
        }
        if innerProduct { for position in 0..<count { distances[position] = 1 - distances[position] } }
    }
}
