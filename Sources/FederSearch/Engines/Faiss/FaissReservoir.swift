import Foundation

/// faiss's reservoir result handler (`ReservoirTopN` in `impl/ResultHandler.h`), which a single-query flat
/// search uses instead of the k-heap when k ≥ `distance_compute_min_k_reservoir` (100).
///
/// Every candidate strictly better than the threshold is appended to a buffer of `capacity` = 2k rounded up to
/// 16; when the buffer is full it is shrunk to between k and (capacity + k) / 2 entries by
/// `partition_fuzzy_median3` (`utils/partitioning.cpp`), which also sets the new threshold. At the end the
/// first k entries are heaped, the rest offered to the heap, and the heap sorted (`to_result`). Which of
/// several tied candidates survive depends on these steps, not on a total order, so they are ported move for
/// move: the threshold sampling, the count, the compression and faiss's fix-up when too many values tie.
struct FaissReservoir {
    /// faiss's default `distance_compute_min_k_reservoir`.
    static let minimumK = 100

    let order: FaissResultHeap.Order
    let k: Int
    let capacity: Int
    private var values: [Float]
    private var ids: [Int64]
    private(set) var count = 0
    private(set) var threshold: Float

    init(k: Int, order: FaissResultHeap.Order) {
        self.k = k
        self.order = order
        capacity = (2 * k + 15) & ~15
        values = Array(repeating: 0, count: capacity)
        ids = Array(repeating: 0, count: capacity)
        threshold = Self.neutral(order)
    }

    /// `C::neutral()`: FLT_MAX for L2 (CMax), the lowest float for inner product (CMin).
    static func neutral(_ order: FaissResultHeap.Order) -> Float {
        order == .keepSmallest ? .greatestFiniteMagnitude : -.greatestFiniteMagnitude
    }

    /// `C::cmp(a, b)`: a is worse than b (CMax: a > b; CMin: a < b).
    @inline(__always)
    private func cmp(_ a: Float, _ b: Float) -> Bool { order == .keepSmallest ? a > b : a < b }

    /// `add_result`: keeps `value` when it beats the threshold, shrinking a full buffer first.
    /// - Returns: whether it was kept.
    @discardableResult
    mutating func add(_ value: Float, id: Int64) -> Bool {
        guard cmp(threshold, value) else { return false }
        if count == capacity { threshold = partitionFuzzy(qMin: k, qMax: (capacity + k) / 2) }
        values[count] = value
        ids[count] = id
        count += 1
        return true
    }

    /// faiss's scalar `add_results` (`reservoir_add_results_none`, a block of rows at a time): keeps `value` when
    /// it beats the threshold and shrinks the buffer as soon as it is full, so the next candidate meets the new
    /// threshold (`add` shrinks only when a candidate finds it full, and keeps that candidate anyway).
    mutating func addThenShrink(_ value: Float, id: Int64) {
        guard cmp(threshold, value) else { return }
        values[count] = value
        ids[count] = id
        count += 1
        if count >= capacity { threshold = partitionFuzzy(qMin: k, qMax: (capacity + k) / 2) }
    }

    /// faiss's AVX-512 `add_results` step (`reservoir_add_results_avx512`) for `block[from ..< from + 16]`, ids
    /// `firstID …`: with fewer than 16 free slots, `add` one by one; else every value beating the current
    /// threshold appended in order (the threshold does not move within the step), and a buffer that this
    /// fills shrunk at once rather than at the next candidate.
    mutating func addSixteen(_ block: [Float], from: Int, firstID: Int64) {
        if count + 16 > capacity {
            for lane in 0..<16 { add(block[from + lane], id: firstID + Int64(lane)) }
            return
        }
        let gate = threshold
        for lane in 0..<16 where cmp(gate, block[from + lane]) {
            values[count] = block[from + lane]
            ids[count] = firstID + Int64(lane)
            count += 1
        }
        if count >= capacity { threshold = partitionFuzzy(qMin: k, qMax: (capacity + k) / 2) }
    }

    /// `to_result`: the first k entries heaped, the rest offered, then sorted best first (−1 pads).
    func results() -> [(distance: Float, id: Int64)] {
        var heap = FaissResultHeap(capacity: k, order: order)
        // heap_push of the first min(count, k) entries keeps exactly them, as replace-top on neutral slots does.
        for j in 0..<min(count, k) { heap.replaceTop(values[j], id: ids[j]) }
        if count > k { for j in k..<count { heap.offer(values[j], id: ids[j]) } }
        return heap.sortedResults()
    }

    // MARK: partition_fuzzy_median3

    private static func median3(_ a0: Float, _ b0: Float, _ c: Float) -> Float {
        var a = a0
        var b = b0
        if a > b { swap(&a, &b) }
        if c > b { return b }
        if c > a { return c }
        return a
    }

    /// `sample_threshold_median3`: the median of the first three values strictly between the bounds, visiting
    /// the buffer in the order i · 6700417 mod n.
    private func sampleThreshold(_ n: Int, inf: Float, sup: Float) -> Float {
        var sample: [Float] = []
        for i in 0..<n {
            let v = values[(i &* 6_700_417) % n]
            if cmp(v, inf) && cmp(sup, v) {
                sample.append(v)
                if sample.count == 3 { break }
            }
        }
        if sample.count == 3 { return Self.median3(sample[0], sample[1], sample[2]) }
        return sample.first ?? inf
    }

    /// Shrinks the full buffer to q ∈ [qMin, qMax] entries and returns the new threshold.
    private mutating func partitionFuzzy(qMin: Int, qMax: Int) -> Float {
        let n = count
        let reverseNeutral = order == .keepSmallest ? -Float.greatestFiniteMagnitude : Float.greatestFiniteMagnitude
        var thresholdInf = reverseNeutral
        var thresholdSup = Self.neutral(order)
        var thresh = Self.median3(values[0], values[n / 2], values[n - 1])
        var lessCount = 0
        var equalCount = 0
        var q = 0
        for _ in 0..<200 {
            lessCount = 0
            equalCount = 0
            for i in 0..<n {
                if cmp(thresh, values[i]) {
                    lessCount += 1
                } else if values[i] == thresh {
                    equalCount += 1
                }
            }
            if lessCount <= qMin {
                if lessCount + equalCount >= qMin {
                    q = qMin
                    break
                }
                thresholdInf = thresh
            } else if lessCount <= qMax {
                q = lessCount
                break
            } else {
                thresholdSup = thresh
            }
            let next = sampleThreshold(n, inf: thresholdInf, sup: thresholdSup)
            if next == thresholdInf { break }
            thresh = next
        }
        var equalToKeep = q - lessCount
        if equalToKeep < 0 {
            // More than q values at the lower bound: faiss moves the threshold one ulp towards worse.
            q = qMin
            thresh = order == .keepSmallest ? nextafterf(thresh, -.infinity) : nextafterf(thresh, .infinity)
            equalToKeep = q
        }
        // compress_array: keep, in place and in order, the values beating thresh and the first ties.
        var write = 0
        for i in 0..<n {
            if cmp(thresh, values[i]) {
                values[write] = values[i]
                ids[write] = ids[i]
                write += 1
            } else if equalToKeep > 0, values[i] == thresh {
                values[write] = values[i]
                ids[write] = ids[i]
                write += 1
                equalToKeep -= 1
            }
        }
        count = q
        return thresh
    }
}
