import CFederKernels
import FederIndex

/// faiss's BLAS path for one query (`exhaustive_L2sqr_blas`, `exhaustive_inner_product_blas` in
/// `utils/distances.cpp`): taken when nq · d reaches `distance_compute_blas_threshold` (128,000), so for a single
/// query from d = 128,000 on. The inner products come from OpenBLAS's sgemm in blocks of 1,024 rows (called
/// outside any parallel region, so OpenBLAS shares each call among the OpenMP threads), L2 distances are formed
/// as ‖x‖² + ‖y‖² − 2·ip (clamped at 0), and each block goes to the result handler k chooses, several of them
/// SIMD code at faiss's level that keeps other ids among ties than the one-by-one path.
extension FlatSearch {
    /// faiss's `distance_compute_blas_threshold`: nq · d from which a search goes through BLAS.
    static let blasThreshold = 128_000

    /// Whether faiss scores one query over a flat index through BLAS (L2 and inner product only; L1 and L∞
    /// always take the one-by-one kernels).
    public static func goesThroughBLAS(dim: Int, kernel: FaissKernel) -> Bool {
        (kernel == .l2 || kernel == .innerProduct) && dim >= blasThreshold
    }

    /// The k best rows for `query` as faiss's BLAS path ranks them, with `threads` OpenMP threads for OpenBLAS.
    static func throughBLAS(
        _ table: VectorTable, query: [Float], k: Int, kernel: FaissKernel, threads: Int, core: Kernels.OpenBLASCore,
        distances: UnsafeMutableBufferPointer<Float>?
    ) -> [(distance: Float, id: Int64)] {
        precondition(table.rowStride == 4 * table.dim, "faiss stores flat rows back to back")
        let dim = table.dim
        let rows = table.count
        let isL2 = kernel == .l2
        let level = Kernels.active.faiss.floatLevel
        var handler = BLASResultHandler(k: k, order: kernel.order, level: level, fusedL2: isL2 && level >= Int32(FEDER_FAISS_AVX2))
        guard rows > 0 else { return handler.results() }
        withQueryPointer(query) { q in
            // fvec_norms_L2sqr of the query and of every row, before the first block.
            let queryNorm = isL2 ? feder_faiss_norm(level, q, dim) : 0
            let rowNorms = isL2 ? (0..<rows).map { feder_faiss_norm(level, table.rowPointer($0), dim) } : []
            var products = [Float](repeating: 0, count: min(blockRows, rows))
            var start = 0
            while start < rows {
                let count = min(blockRows, rows - start)
                products.withUnsafeMutableBufferPointer { out in
                    guard let base = out.baseAddress else { return }
                    feder_openblas_dots(core.rawValue, Int32(threads), table.rowPointer(start), dim, count, q, base)
                }
                let norms = isL2 ? Array(rowNorms[start..<(start + count)]) : []
                handler.add(
                    products: products, count: count, firstRow: start, queryNorm: queryNorm, rowNorms: norms, isL2: isL2,
                    distances: distances)
                start += count
            }
        }
        return handler.results()
    }
}

/// The result handler faiss's `dispatch_knn_ResultHandler` picks for the BLAS path, fed one block of rows at a
/// time (`add_results`).
struct BLASResultHandler {
    enum Kind {
        /// k = 1: `Top1BlockResultHandler`, or for L2 at AVX2 and above `exhaustive_L2sqr_blas_cmax`.
        case top1
        /// k < 100: `HeapBlockResultHandler`, the k-heap offered every row in order.
        case heap
        /// k ≥ 100: `ReservoirBlockResultHandler`.
        case reservoir
    }

    let kind: Kind
    let order: FaissResultHeap.Order
    /// faiss's float level: the SIMD width of the top-1 scans and whether the reservoir takes 16 rows at a time.
    let level: Int32
    /// L2 with k = 1 at AVX2 or AVX512: exhaustive_L2sqr_blas_cmax instead of the default distances.
    let fusedL2: Bool
    private var best: Float
    private var bestID: Int64 = -1
    private var heap: FaissResultHeap
    private var reservoir: FaissReservoir

    init(k: Int, order: FaissResultHeap.Order, level: Int32, fusedL2: Bool) {
        kind = k == 1 ? .top1 : k < FaissReservoir.minimumK ? .heap : .reservoir
        self.order = order
        self.level = level
        self.fusedL2 = fusedL2 && kind == .top1
        best = FaissReservoir.neutral(order)
        heap = FaissResultHeap(capacity: max(k, 1), order: order)
        reservoir = FaissReservoir(k: kind == .reservoir ? k : 1, order: order)
    }

    /// SIMD lanes of faiss's top-1 code at this level (1: the scalar loop).
    private var lanes: Int {
        switch level {
        case Int32(FEDER_FAISS_AVX2): 8
        case Int32(FEDER_FAISS_AVX512): 16
        default: 1
        }
    }

    /// `C::cmp(a, b)`: b is strictly better than a.
    @inline(__always)
    private func improves(_ a: Float, _ b: Float) -> Bool { order == .keepSmallest ? a > b : a < b }

    /// One sgemm block: rows firstRow ..< firstRow + count, their inner products in `products`.
    mutating func add(
        products: [Float], count: Int, firstRow: Int, queryNorm: Float, rowNorms: [Float], isL2: Bool,
        distances: UnsafeMutableBufferPointer<Float>?
    ) {
        if fusedL2 {
            addFusedL2(products: products, count: count, firstRow: firstRow, queryNorm: queryNorm, rowNorms: rowNorms, distances: distances)
            return
        }
        var block = [Float](repeating: 0, count: count)
        for j in 0..<count {
            var value = products[j]
            if isL2 {
                // x_norms[i] + y_norms[j] − 2 · ip; negative values (round-off for identical vectors) become 0.
                value = (queryNorm + rowNorms[j]) - (value + value)
                if value < 0 { value = 0 }
            }
            block[j] = value
            distances?[firstRow + j] = value
        }
        switch kind {
        case .top1: addTop1(block, firstRow: firstRow)
        case .heap: for j in 0..<count { heap.offer(block[j], id: Int64(firstRow + j)) }
        case .reservoir: addReservoir(block, firstRow: firstRow)
        }
    }

    /// `top1_add_results`: at AVX2 / AVX512, 8 / 16 lanes each keeping its strictly better rows, folded lane by
    /// lane (so a tie goes to the lower lane, not the lower row), then the rows past the last full group.
    private mutating func addTop1(_ block: [Float], firstRow: Int) {
        let width = lanes
        var j = 0
        if width > 1 {
            var laneBest = [Float](repeating: best, count: width)
            var laneID = [Int32](repeating: Int32(truncatingIfNeeded: bestID), count: width)
            while j + width <= block.count {
                for lane in 0..<width {
                    let value = block[j + lane]
                    // _CMP_LT_OS / _CMP_GT_OS: false for NaN.
                    if order == .keepSmallest ? value < laneBest[lane] : value > laneBest[lane] {
                        laneBest[lane] = value
                        laneID[lane] = Int32(truncatingIfNeeded: firstRow + j + lane)
                    }
                }
                j += width
            }
            for lane in 0..<width where improves(best, laneBest[lane]) {
                best = laneBest[lane]
                bestID = Int64(laneID[lane])
            }
        }
        for position in j..<block.count where improves(best, block[position]) {
            best = block[position]
            bestID = Int64(firstRow + position)
        }
    }

    /// exhaustive_L2sqr_blas_cmax (AVX2: 8 lanes, AVX512: 16; two groups a step): starting from the best so far
    /// minus ‖x‖², each lane takes the row's ‖y‖² − 2·ip (one fused multiply-add) unless it holds a value ≤ it
    /// (so a NaN is taken); ‖x‖² is added back per lane, clamped at 0, and the lanes folded (ties to the lower
    /// row); the rows past the last full step take (‖x‖² + ‖y‖²) − 2·ip and a strict test. A lane no row
    /// improved offers (best − ‖x‖²) + ‖x‖² as row 0 of the block, which wins when it rounds below best.
    private mutating func addFusedL2(
        products: [Float], count: Int, firstRow: Int, queryNorm: Float, rowNorms: [Float],
        distances: UnsafeMutableBufferPointer<Float>?
    ) {
        let width = level == Int32(FEDER_FAISS_AVX512) ? 16 : 8
        let step = 2 * width
        var laneMin = [Float](repeating: best - queryNorm, count: width)
        var laneIndex = [UInt32](repeating: 0, count: width)
        var position = 0
        while position < count / step * step {
            for group in 0..<2 {
                for lane in 0..<width {
                    let j = position + group * width + lane
                    let value = rowNorms[j].addingProduct(products[j], -2)
                    if let distances {
                        var shown = value + queryNorm
                        if shown < 0 { shown = 0 }
                        distances[firstRow + j] = shown
                    }
                    // blendv on _CMP_LE_OS: the lane keeps its value only when it is ≤ the new one (not for NaN).
                    if !(laneMin[lane] <= value) {
                        laneMin[lane] = value
                        laneIndex[lane] = UInt32(truncatingIfNeeded: j)
                    }
                }
            }
            position += step
        }
        var current = best
        var currentIndex = UInt32(truncatingIfNeeded: bestID)
        for lane in 0..<width {
            var candidate = laneMin[lane] + queryNorm
            if candidate < 0 { candidate = 0 }
            let index = Int64(laneIndex[lane]) + Int64(firstRow)
            if current > candidate {
                current = candidate
                currentIndex = UInt32(truncatingIfNeeded: index)
            } else if current == candidate, Int64(currentIndex) > index {
                currentIndex = UInt32(truncatingIfNeeded: index)
            }
        }
        for j in position..<count {
            // x_norms[i] + y_norms[j] − 2 · ip, the subtraction fused in this build (alike unfused: 2·ip is exact).
            var value = (queryNorm + rowNorms[j]).addingProduct(products[j], -2)
            if value < 0 { value = 0 }
            distances?[firstRow + j] = value
            if current > value {
                current = value
                currentIndex = UInt32(truncatingIfNeeded: firstRow + j)
            }
        }
        // add_result: kept only when strictly better than the best so far.
        if best > current {
            best = current
            bestID = Int64(currentIndex)
        }
    }

    /// `reservoir_add_results`: below AVX512 one row at a time, the buffer shrunk as soon as it fills; at AVX512
    /// 16 rows a step against one threshold (shrunk as soon as a step fills it), and `add_result`'s one by one
    /// while fewer than 16 slots are free and for the rows past the last full step.
    private mutating func addReservoir(_ block: [Float], firstRow: Int) {
        guard level == Int32(FEDER_FAISS_AVX512) else {
            for j in 0..<block.count { reservoir.addThenShrink(block[j], id: Int64(firstRow + j)) }
            return
        }
        var j = 0
        while j + 16 <= block.count {
            reservoir.addSixteen(block, from: j, firstID: Int64(firstRow + j))
            j += 16
        }
        for position in j..<block.count { reservoir.add(block[position], id: Int64(firstRow + position)) }
    }

    /// The results best first, −1 padding.
    func results() -> [(distance: Float, id: Int64)] {
        switch kind {
        case .top1: [(best, bestID)]
        case .heap: heap.sortedResults()
        case .reservoir: reservoir.results()
        }
    }
}
