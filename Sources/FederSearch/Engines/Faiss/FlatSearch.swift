import CFederKernels
import FederIndex

/// Exact search over a flat index, as faiss `IndexFlat::search` runs it for one query: every row scored in
/// ascending order and offered to the k-heap (strict gate, ties kept by the earlier row).
///
/// Also the ground truth for every other index: `exactNeighbors` scores an index's own stored vectors.
/// - Complexity: O(n·d + n·log k).
public enum FlatSearch {
    public static func trace(
        _ index: FaissFlatIndex, kernel: FaissKernel, query: [Float], k: Int, ompThreads: Int = 1
    ) throws -> SearchTrace {
        let ranking = try scan(index.vectors, query: query, k: k, kernel: kernel, ompThreads: ompThreads)
        var counts = SearchCounts(distanceComputations: index.vectors.count, visited: index.vectors.count)
        counts.scanned = index.vectors.count
        var trace = SearchTrace(
            kind: .flat, metric: index.header.metric.name,
            parameters: SearchParameters(k: k, ompThreads: ompThreads > 1 ? ompThreads : nil),
            results: ranking.results.map { Neighbor(id: $0.id, distance: $0.distance, internalID: Int($0.id)) },
            counts: counts, distance: FaissIndex.distance(of: index.header.metric), labels: .signed)
        trace.openBLAS = ranking.openBLAS.map { "\($0.name) sgemm" }
        return trace
    }

    /// The k best rows of a flat scan, and the OpenBLAS core whose sgemm gave the distances when faiss's
    /// multi-threaded path was mirrored.
    public struct Ranking: Sendable {
        public var results: [(distance: Float, id: Int64)]
        public var openBLAS: Kernels.OpenBLASCore?
    }

    /// Whether faiss, with `threads` OpenMP threads, splits one query's flat search over `rows` vectors across
    /// the threads (`should_use_db_parallel`: fewer queries than threads, at least max(10,000, threads × 1,024)
    /// rows, L2 or inner product).
    public static func splitsAcrossThreads(rows: Int, kernel: FaissKernel, threads: Int) -> Bool {
        threads > 1 && (kernel == .l2 || kernel == .innerProduct) && rows >= max(10_000, threads * blockRows)
    }

    /// faiss's `distance_compute_blas_database_bs`: rows per sgemm call.
    static let blockRows = 1024

    /// The k best rows of `table` for `query` in faiss order (ids are row numbers; −1 pads). As faiss's
    /// single-query search chooses: with more OpenMP threads than queries over enough rows, the database split
    /// across the threads (`knn_db_parallel_impl`); from d = 128,000 on, BLAS (`throughBLAS`); otherwise
    /// `dispatch_knn_ResultHandler`'s choice, the k-heap below k = 100 (k = 1's top-1 handler keeps the same
    /// row) and the reservoir from there on; L1 and L∞ always take the k-heap (`knn_extra_metrics`).
    /// `distances`, when given, receives every row's distance.
    /// - Throws: when the split or BLAS path needs an OpenBLAS core whose sgemm the tool does not reproduce.
    public static func scan(
        _ table: VectorTable, query: [Float], k: Int, kernel: FaissKernel, ompThreads: Int = 1,
        distances: UnsafeMutableBufferPointer<Float>? = nil
    ) throws -> Ranking {
        if splitsAcrossThreads(rows: table.count, kernel: kernel, threads: ompThreads) {
            let core = try mirroredCore(
                "with \(ompThreads) OpenMP threads faiss scores these \(table.count) vectors", otherwise: "or search with --omp-threads 1")
            return Ranking(
                results: splitAcrossThreads(
                    table, query: query, k: k, kernel: kernel, threads: ompThreads, core: core, distances: distances),
                openBLAS: core)
        }
        if goesThroughBLAS(dim: table.dim, kernel: kernel) {
            let core = try mirroredCore("faiss scores a query of \(table.dim) dimensions (from 128,000 on)", otherwise: nil)
            return Ranking(
                results: throughBLAS(
                    table, query: query, k: k, kernel: kernel, threads: ompThreads, core: core, distances: distances),
                openBLAS: core)
        }
        let order = kernel.order
        var block = DistanceBatch(capacity: blockRows)
        func score(_ body: (Float, Int64) -> Void) {
            guard table.count > 0 else { return }
            let base = table.rowPointer(0)
            withQueryPointer(query) { q in
                var start = 0
                while start < table.count {
                    let count = min(blockRows, table.count - start)
                    block.gather(base, stride: table.rowStride, from: start, count: count)
                    block.score(faiss: kernel, query: q, dim: table.dim)
                    for position in 0..<count {
                        let value = block.distances[position]
                        distances?[start + position] = value
                        body(value, Int64(start + position))
                    }
                    start += count
                }
            }
        }
        if kernel.usesReservoir, k >= FaissReservoir.minimumK {
            var reservoir = FaissReservoir(k: k, order: order)
            score { reservoir.add($0, id: $1) }
            return Ranking(results: reservoir.results(), openBLAS: nil)
        }
        var heap = FaissResultHeap(capacity: k, order: order)
        score { heap.offer($0, id: $1) }
        return Ranking(results: heap.sortedResults(), openBLAS: nil)
    }

    /// The OpenBLAS core a search through sgemm needs, when the tool reproduces it.
    /// - Throws: naming the cores it does reproduce.
    static func mirroredCore(_ what: String, otherwise: String?) throws -> Kernels.OpenBLASCore {
        let core = Kernels.active.openBLAS
        guard core.isMirrored else {
            let names = Kernels.OpenBLASCore.mirrored.map { "openblas-\($0.name.lowercased())" }.joined(separator: ", ")
            throw FederSearchError.unsupported(
                "\(what) with OpenBLAS's sgemm for its \(core.name) core, which this tool does not reproduce; name one it "
                    + "does with --kernels (\(names))" + (otherwise.map { " \($0)" } ?? ""))
        }
        return core
    }

    /// faiss's `knn_db_parallel_impl` for one query: thread t of `threads` takes rows [t·n/threads,
    /// (t+1)·n/threads) in blocks of 1,024, gets their inner products from OpenBLAS's sgemm, turns them into
    /// squared L2 distances as ‖x‖² + ‖y‖² − 2·ip (clamped at 0, norms by faiss's own kernel) and keeps its own
    /// k-heap; the heaps are then merged thread by thread, each in its storage order.
    static func splitAcrossThreads(
        _ table: VectorTable, query: [Float], k: Int, kernel: FaissKernel, threads: Int, core: Kernels.OpenBLASCore,
        distances: UnsafeMutableBufferPointer<Float>?
    ) -> [(distance: Float, id: Int64)] {
        precondition(table.rowStride == 4 * table.dim, "faiss stores flat rows back to back")
        let dim = table.dim
        let rows = table.count
        let isL2 = kernel == .l2
        let level = Kernels.active.faiss.floatLevel
        var products = [Float](repeating: 0, count: min(blockRows, rows))
        var merged = FaissResultHeap(capacity: k, order: kernel.order)
        withQueryPointer(query) { q in
            let queryNorm = isL2 ? feder_faiss_norm(level, q, dim) : 0
            var heaps: [FaissResultHeap] = []
            heaps.reserveCapacity(threads)
            for thread in 0..<threads {
                var heap = FaissResultHeap(capacity: k, order: kernel.order)
                let begin = thread * rows / threads
                let end = (thread + 1) * rows / threads
                var start = begin
                while start < end {
                    let count = min(blockRows, end - start)
                    products.withUnsafeMutableBufferPointer { out in
                        guard let base = out.baseAddress else { return }
                        // Inside faiss's parallel region OpenBLAS runs on one thread.
                        feder_openblas_dots(core.rawValue, 1, table.rowPointer(start), dim, count, q, base)
                    }
                    for offset in 0..<count {
                        let row = start + offset
                        var distance = products[offset]
                        if isL2 {
                            let rowNorm = feder_faiss_norm(level, table.rowPointer(row), dim)
                            distance = (queryNorm + rowNorm) - (distance + distance)
                            if distance < 0 { distance = 0 }
                        }
                        distances?[row] = distance
                        heap.offer(distance, id: Int64(row))
                    }
                    start += count
                }
                heaps.append(heap)
            }
            for heap in heaps {
                for slot in heap.slots where slot.id >= 0 { merged.offer(slot.distance, id: slot.id) }
            }
        }
        return merged.sortedResults()
    }
}
