import CFederKernels
import Dispatch
import FederIndex
import Foundation

/// The library kernel exact search scores rows with, and the order of its top k.
struct ExactKernel: Sendable {
    let order: FaissResultHeap.Order
    let distance: @Sendable (UnsafeRawPointer, UnsafeRawPointer) -> Float
    /// How blocked search screens rows for this kernel (nil: L1 and L∞ are scanned row by row).
    let screen: Int32?
    let dim: Int
    /// hnswlib's cosine space normalises the query.
    let normalizes: Bool

    /// The kernel of a built-in engine's index; nil for a door engine's, which computes its exact truth itself
    /// (`TracedEngineIndex.exactNeighbors`).
    /// - Throws: `FederSearchError` for a faiss metric its float kernels do not cover.
    init?(_ index: IndexFile) throws {
        let dim = index.dim
        self.dim = dim
        normalizes = index.metric == .cosine
        switch index {
        case .hnswlib(let hnswlib):
            order = .keepSmallest
            if hnswlib.space == .l2 {
                distance = { HNSWLibDistances.l2($0, $1, dim: dim) }
                screen = Int32(FEDER_SCREEN_L2)
            } else {
                distance = { HNSWLibDistances.innerProductDistance($0, $1, dim: dim) }
                screen = Int32(FEDER_SCREEN_ONE_MINUS_IP)
            }
        case .faiss(let faiss):
            (order, distance, screen) = try Self.faiss(faiss.header.metric, dim: dim)
        case .engine:
            return nil
        }
    }

    /// faiss's kernel for `metric`.
    /// - Throws: `FederSearchError` for a metric faiss's float kernels do not cover.
    init(faissMetric metric: Metric, dim: Int) throws {
        self.dim = dim
        normalizes = false
        (order, distance, screen) = try Self.faiss(metric, dim: dim)
    }

    static func faiss(
        _ metric: Metric, dim: Int
    ) throws -> (FaissResultHeap.Order, @Sendable (UnsafeRawPointer, UnsafeRawPointer) -> Float, Int32?) {
        guard let kernel = FaissKernel(metric) else {
            throw FederSearchError.unsupported(
                "exact search with the \(metric) metric is not supported; L2, inner product, L1 and Linf are")
        }
        let function = kernel.resolved()
        let screen: Int32?
        switch kernel {
        case .l2: screen = Int32(FEDER_SCREEN_L2)
        case .innerProduct: screen = Int32(FEDER_SCREEN_IP)
        case .l1, .linf: screen = nil
        }
        return (kernel.order, { function($0, $1, dim: dim) }, screen)
    }

    /// The query as the library scores it.
    func prepare(_ query: [Float]) -> [Float] { normalizes ? HNSWLibDistances.normalized(query) : query }
}

/// Exact top-k for a set of queries at once, equal to `Measures.exactNeighbors` query by query (labels, order
/// and float32 distances), at a fraction of its cost.
///
/// Rows are split between cores; on each, blocks of 32 rows meet every query in an 8 × 32 register tile of
/// approximate dot products (`feder_screen_rows`). Each row's score gets an interval sure to hold the library
/// kernel's value; rows whose interval starts past the k-th smallest interval end cannot be among the top k (nor
/// tie with its k-th), and the rest — typically a few dozen a query — are re-scored with the library's own kernel
/// and offered, in storage order, to the same heap the row-by-row scan uses. Queries or rows with a NaN or an
/// infinity, L1 and L∞, and jobs too small to gain fall back to the row-by-row scan.
public enum BlockedExact {
    /// Query × row pairs below which each query scans on its own.
    public static let minimumPairs = 1 << 20

    /// - Parameter minimumPairs: query × row pairs below which each query scans on its own (0: always screen).
    public static func neighbors(
        _ index: IndexFile, queries: [[Float]], k: Int, minimumPairs: Int = minimumPairs
    ) throws -> [[Neighbor]] {
        try neighbors(index, queries: queries, ks: [k], minimumPairs: minimumPairs).first ?? []
    }

    /// The exact top-k for every k of `ks` from one pass over the rows (a sweep's k + 1 beside the report's k):
    /// element i answers `ks[i]`, each equal to its own row-by-row scan.
    /// - Throws: `FederSearchError` as `Measures.exactNeighbors(_:query:k:)` does.
    public static func neighbors(
        _ index: IndexFile, queries rawQueries: [[Float]], ks: [Int], minimumPairs: Int = minimumPairs
    ) throws -> [[[Neighbor]]] {
        if case .faiss(.preTransform(let pre)) = index {
            let transformed = try rawQueries.map { try VectorTransforms.transformed($0, by: pre.chain) }
            return try neighbors(.faiss(pre.inner), queries: transformed, ks: ks, minimumPairs: minimumPairs)
        }
        guard let kernel = try ExactKernel(index) else {
            return index.traced?.exactNeighbors(queries: rawQueries, ks: ks) ?? ks.map { _ in [] }
        }
        return run(
            segments: index.storedSegments(), kernel: kernel, queries: rawQueries, ks: ks, minimumPairs: minimumPairs
        ) { query, k in
            Measures.scan(index, kernel: kernel, query: query, k: k)
        }
    }

    /// Exact top-k of each query over every row of `table` (faiss's kernel for `metric`), labelled by `labels` (row
    /// numbers when nil), for every k of `ks`: `Measures.exactNeighbors(in:labels:metric:query:k:)` for each.
    /// - Throws: `FederSearchError` for a metric faiss's float kernels do not cover.
    public static func neighbors(
        in table: VectorTable, labels: MappedArray<Int64>?, metric: Metric, queries: [[Float]], ks: [Int],
        minimumPairs: Int = minimumPairs
    ) throws -> [[[Neighbor]]] {
        let segments =
            table.count == 0
            ? []
            : [
                StoredSegment(
                    file: table.file, byteOffset: table.byteOffset, stride: table.rowStride, count: table.count,
                    labels: labels.map { .mapped($0, offset: 0) } ?? .counting(start: 0))
            ]
        let kernel = try ExactKernel(faissMetric: metric, dim: table.dim)
        return run(segments: segments, kernel: kernel, queries: queries, ks: ks, minimumPairs: minimumPairs) { query, k in
            Measures.scan(table, labels: labels, kernel: kernel, query: query, k: k)
        }
    }

    /// One k of `neighbors(in:labels:metric:queries:ks:)`.
    public static func neighbors(
        in table: VectorTable, labels: MappedArray<Int64>?, metric: Metric, queries: [[Float]], k: Int,
        minimumPairs: Int = minimumPairs
    ) throws -> [[Neighbor]] {
        try neighbors(in: table, labels: labels, metric: metric, queries: queries, ks: [k], minimumPairs: minimumPairs).first ?? []
    }

    /// The library kernel's distance from each query to each label listed for it (a ground-truth file's ids), by
    /// one pass over the stored vectors; nil for a label the index does not store as a vector (or at all).
    /// - Throws: `FederSearchError` as `Measures.exactNeighbors(_:query:k:)` does.
    public static func distances(_ index: IndexFile, queries: [[Float]], labels: [[Int64]]) throws -> [[Float?]] {
        if case .faiss(.preTransform(let pre)) = index {
            let transformed = try queries.map { try VectorTransforms.transformed($0, by: pre.chain) }
            return try distances(.faiss(pre.inner), queries: transformed, labels: labels)
        }
        guard let kernel = try ExactKernel(index) else {
            return index.traced?.distances(queries: queries, labels: labels) ?? labels.map { $0.map { _ in nil } }
        }
        let wanted = Set(labels.joined())
        var rows: [Int64: UnsafeRawPointer] = [:]
        for segment in index.storedSegments() {
            for i in 0..<segment.count {
                let label = segment.label(i)
                if wanted.contains(label), rows[label] == nil { rows[label] = segment.row(i) }
            }
            if rows.count == wanted.count { break }
        }
        return zip(queries, labels).map { query, row in
            guard query.count == kernel.dim else { return row.map { _ in nil } }
            let prepared = kernel.prepare(query)
            return withQueryPointer(prepared) { q in row.map { label in rows[label].map { kernel.distance(q, $0) } } }
        }
    }

    /// Screens what it can; `scan` answers the rest one query (and one k) at a time.
    static func run(
        segments: [StoredSegment], kernel: ExactKernel, queries rawQueries: [[Float]], ks: [Int], minimumPairs: Int,
        scan: @Sendable ([Float], Int) -> [Neighbor]
    ) -> [[[Neighbor]]] {
        let queries = rawQueries.map(kernel.prepare)
        let rows = segments.reduce(0) { $0 + $1.count }
        let finite = queries.indices.filter { queries[$0].allSatisfy(\.isFinite) && queries[$0].count == kernel.dim }
        var answers = [[[Neighbor]]?](repeating: nil, count: queries.count)
        if let screen = kernel.screen, let smallest = ks.min(), smallest > 0, finite.count * rows >= minimumPairs,
            let screened = screened(
                segments: segments, rows: rows, queries: finite.map { queries[$0] }, ks: ks, kind: screen, kernel: kernel)
        {
            for (slot, position) in finite.enumerated() { answers[position] = screened[slot] }
        }
        let rest = answers.indices.filter { answers[$0] == nil }
        let slots = DisjointBuffer<[[Neighbor]]>(repeating: [], count: rest.count)
        DispatchQueue.concurrentPerform(iterations: rest.count) { slot in
            slots[slot] = ks.map { scan(rawQueries[rest[slot]], $0) }
        }
        for (slot, position) in rest.enumerated() { answers[position] = slots.elements[slot] }
        // Per query and k → per k and query.
        return ks.indices.map { which in answers.map { $0?[which] ?? [] } }
    }

    /// The screened answer for every query (one list per k), or nil when a row is not finite or memory ran out
    /// (then the caller scans row by row).
    static func screened(
        segments: [StoredSegment], rows: Int, queries: [[Float]], ks: [Int], kind: Int32, kernel: ExactKernel
    ) -> [[[Neighbor]]]? {
        let dim = kernel.dim
        let deepest = ks.max() ?? 1
        let flat = queries.flatMap { $0 }
        let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, rows / 4096))
        // First global row of each segment, for the re-scoring lookup and the split.
        var offsets: [Int] = []
        var total = 0
        for segment in segments {
            offsets.append(total)
            total += segment.count
        }
        let starts = offsets
        let screens = DisjointBuffer<Screen?>(repeating: nil, count: parts)
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let low = rows * part / parts
            let high = rows * (part + 1) / parts
            guard
                let made = flat.withUnsafeBufferPointer({ feder_screen_create(kind, $0.baseAddress, queries.count, dim, deepest) })
            else {
                return
            }
            let screen = Screen(made)
            for (position, segment) in segments.enumerated() {
                let first = max(low, starts[position])
                let last = min(high, starts[position] + segment.count)
                guard first < last else { continue }
                feder_screen_rows(screen.pointer, segment.row(first - starts[position]), segment.stride, last - first, Int64(first))
            }
            screens[part] = screen
        }
        let ready = screens.elements.compactMap { $0 }
        guard ready.count == parts,
            !ready.contains(where: { feder_screen_failed($0.pointer) != 0 || feder_screen_nonfinite($0.pointer) != 0 })
        else {
            return nil
        }
        let answers = DisjointBuffer<[[Neighbor]]>(repeating: [], count: queries.count)
        DispatchQueue.concurrentPerform(iterations: queries.count) { query in
            // The bound: the deepest k-th smallest interval end over every part (its candidates serve every k).
            var uppers: [Float] = []
            var buffer = [Float](repeating: 0, count: deepest)
            for screen in ready {
                let count = buffer.withUnsafeMutableBufferPointer { feder_screen_uppers(screen.pointer, query, $0.baseAddress) }
                uppers += buffer.prefix(count)
            }
            uppers.sort()
            let tau = uppers.count >= deepest ? uppers[deepest - 1] : .infinity
            var scored: [(distance: Float, label: Int64)] = []
            withQueryPointer(queries[query]) { q in
                var segment = 0
                for screen in ready {
                    let count = feder_screen_candidates(screen.pointer, query, tau, nil)
                    var candidates = [Int64](repeating: 0, count: count)
                    _ = candidates.withUnsafeMutableBufferPointer { feder_screen_candidates(screen.pointer, query, tau, $0.baseAddress) }
                    // Parts and candidates both run in storage order, so the segment only moves forward.
                    for row in candidates.map(Int.init) {
                        while segment + 1 < starts.count && starts[segment + 1] <= row { segment += 1 }
                        let local = row - starts[segment]
                        scored.append((kernel.distance(q, segments[segment].row(local)), segments[segment].label(local)))
                    }
                }
            }
            // Every k's heap sees the same candidates in storage order: a superset of its own is still exact.
            answers[query] = ks.map { k in
                var heap = FaissResultHeap(capacity: k, order: kernel.order)
                for candidate in scored { heap.offer(candidate.distance, id: candidate.label) }
                return heap.sortedResults().filter { $0.id >= 0 }.map { Neighbor(id: $0.id, distance: $0.distance, internalID: -1) }
            }
        }
        return answers.elements
    }
}

/// One part's screen: written by one thread, then only read (from several).
private final class Screen: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { feder_screen_free(pointer) }
}
