import CFederKernels
import FederIndex

/// 4-bit PQ fast scan as faiss 1.15 searches one query (`IndexPQFastScan`, `IndexIVFPQFastScan`): the float
/// distance table (`compute_distance_tables` / `compute_inner_prod_tables`), quantized to bytes; each vector's
/// approximate distance is the sum of its bytes modulo 2^16 (plus a per-list 16-bit bias for IVF); the k best
/// are kept in that integer domain — one best (k = 1), a heap (k ≤ 20) or a reservoir (k > 20) — and converted
/// back as b + v / a. Distances are faiss's approximations, never recomputed.
public enum FastScanSearch {
    /// The quantized table and its conversion back to floats.
    struct Quantized {
        var table: [UInt8]
        var bias: [UInt16]
        var a: Float
        var b: Float
    }

    /// The float table of one query: squared L2 or inner products, 16 entries per sub-quantizer.
    static func floatTable(_ pq: FaissProductQuantizer, query: UnsafePointer<Float>, innerProduct: Bool) -> [Float] {
        var table = [Float](repeating: 0, count: pq.subquantizers * 16)
        let centroids = (pq.centroids.file.baseAddress + pq.centroids.byteOffset).assumingMemoryBound(to: Float.self)
        table.withUnsafeMutableBufferPointer { out in
            feder_pq_table(
                Kernels.active.faiss.floatLevel, Kernels.active.openBLAS.rawValue, innerProduct ? 1 : 0, 1, query, centroids,
                pq.dim, pq.subquantizers, 4, out.baseAddress)
        }
        return table
    }

    /// `IndexPQFastScan::search` for one query.
    public static func trace(_ index: FaissPQFastScanIndex, query: [Float], k: Int) throws -> SearchTrace {
        guard let kernel = FaissKernel(index.header.metric), kernel == .l2 || kernel == .innerProduct else {
            throw FederSearchError.unsupportedMetric(index.header.metric, role: "index")
        }
        try requireOpenBLAS(index.pq)
        let pq = index.pq
        let padded = index.paddedSubquantizers
        let table = query.withUnsafeBufferPointer { q in
            q.baseAddress.map { floatTable(pq, query: $0, innerProduct: kernel == .innerProduct) } ?? []
        }
        var quantized = [UInt8](repeating: 0, count: padded * 16)
        var a: Float = 0
        var b: Float = 0
        table.withUnsafeBufferPointer { t in
            quantized.withUnsafeMutableBufferPointer { q in
                feder_fs_quantize_pq(t.baseAddress, pq.subquantizers, padded, q.baseAddress, &a, &b)
            }
        }
        let count = index.header.count
        var sums = [UInt16](repeating: 0, count: count)
        if count > 0 {
            let packed = (index.codes.file.baseAddress + index.codes.byteOffset).assumingMemoryBound(to: UInt8.self)
            quantized.withUnsafeBufferPointer { q in
                sums.withUnsafeMutableBufferPointer { out in
                    feder_fs_accumulate(q.baseAddress, pq.subquantizers, packed, count, index.blockSize, padded, 0, out.baseAddress)
                }
            }
        }
        let ids = (0..<count).map { Int64($0) }
        let (results, _) = try select(k: k, kernel: kernel, sums: sums, ids: ids, a: a, b: b)
        var counts = SearchCounts(distanceComputations: count, visited: count)
        counts.scanned = count
        var trace = SearchTrace(
            kind: .flat, metric: index.header.metric.name, parameters: SearchParameters(k: k), results: results, counts: counts,
            distance: FaissIndex.distance(of: index.header.metric), labels: .signed)
        var distances = [Float](repeating: 0, count: count)
        sums.withUnsafeBufferPointer { s in
            distances.withUnsafeMutableBufferPointer { out in
                feder_fs_to_floats(Kernels.active.faiss.floatLevel, s.baseAddress, s.count, a, b, out.baseAddress)
            }
        }
        trace.scoredRows = distances
        trace.codes = "PQ fast scan \(pq.subquantizers) × 4 bits"
        return trace
    }

    /// The k results from every candidate's sum in scan order, as faiss's handler for k keeps them.
    static func select(
        k: Int, kernel: FaissKernel, sums: [UInt16], ids: [Int64], a: Float, b: Float
    ) throws -> (results: [Neighbor], admitted: [UInt8]) {
        var distances = [Float](repeating: 0, count: k)
        var labels = [Int64](repeating: -1, count: k)
        var admitted = [UInt8](repeating: 0, count: sums.count)
        let status = sums.withUnsafeBufferPointer { s in
            ids.withUnsafeBufferPointer { i in
                admitted.withUnsafeMutableBufferPointer { flags in
                    distances.withUnsafeMutableBufferPointer { d in
                        labels.withUnsafeMutableBufferPointer { l in
                            feder_fs_select(
                                Kernels.active.faiss.floatLevel, kernel == .l2 ? 1 : 0, k, s.baseAddress, i.baseAddress, sums.count, a, b,
                                flags.baseAddress, d.baseAddress, l.baseAddress)
                        }
                    }
                }
            }
        }
        guard status == 0 else { throw FederSearchError.unsupported("not enough memory for \(sums.count) fast-scan candidates") }
        let results = zip(labels, distances).map { Neighbor(id: $0, distance: $1, internalID: Int($0)) }
        return (results, admitted)
    }

    /// faiss's dsub ≥ 16 tables go through OpenBLAS: a core the tool does not reproduce cannot be traced.
    static func requireOpenBLAS(_ pq: FaissProductQuantizer) throws {
        let core = Kernels.active.openBLAS
        guard pq.subDim < 16 || core.isMirrored else {
            throw FederSearchError.unsupported(
                "faiss builds this quantizer's tables (sub-vectors of \(pq.subDim) floats) with OpenBLAS's sgemm for its "
                    + "\(core.name) core, which this tool does not reproduce; name one it does with --kernels openblas-…")
        }
    }

    /// `IndexIVFFastScan::search` for one query over the coarse step's probes: the tables and biases by case
    /// (IndexIVFPQFastScan::compute_LUT), quantize_LUT_and_bias, then the probed lists in increasing list number,
    /// each vector's 16-bit sum plus its probe's bias, one handler across all lists.
    static func scanIVF(
        _ index: FaissIVFIndex, pq: FaissProductQuantizer, layout: FaissFastScanLayout, kernel: FaissKernel, query: [Float],
        k: Int, nprobe: Int, coarse: IVFSearch.Coarse, ompThreads: Int
    ) throws -> SearchTrace {
        guard kernel == .l2 || kernel == .innerProduct else {
            throw FederSearchError.unsupportedMetric(index.header.metric, role: "index")
        }
        try requireOpenBLAS(pq)
        let m = pq.subquantizers
        let padded = layout.paddedSubquantizers
        let level = Kernels.active.faiss.floatLevel
        let quantizerIsL2 = index.quantizer.header.metric == .l2
        let probes = coarse.ranked
        let isL2 = kernel == .l2
        // read_index's precompute_table: the table of norms + 2·⟨centroid, codeword⟩ when by_residual with an L2
        // quantizer and it fits faiss's 2 GiB.
        let tableBytes = index.nlist.multipliedReportingOverflow(by: m * 16 * 4)
        let precomputed = pq.byResidual && quantizerIsL2 && !tableBytes.overflow && tableBytes.partialValue <= 1 << 31
        let threeD = pq.byResidual && isL2
        guard !threeD || precomputed || pq.subDim < 16 else {
            throw FederSearchError.unsupported(
                "this IVF fast-scan index's residual tables go through a multi-column sgemm the tool does not reproduce")
        }
        guard let centroids = index.centroids else { throw FederSearchError.notTracedYet(.ivf(index)) }

        var table: [Float] = []
        var bias: [Float]?
        query.withUnsafeBufferPointer { qBuffer in
            guard let q = qBuffer.baseAddress else { return }
            if !pq.byResidual {
                table = floatTable(pq, query: q, innerProduct: !isL2)
            } else if !isL2 {
                table = floatTable(pq, query: q, innerProduct: true)
                bias = probes.map(\.distance)
            } else if precomputed {
                let innerProducts = floatTable(pq, query: q, innerProduct: true)
                bias = probes.map(\.distance)
                table = [Float](repeating: .nan, count: probes.count * m * 16)
                for (slot, probe) in probes.enumerated() where probe.id >= 0 {
                    let row = precomputedRow(pq, centroid: centroids.row(Int(probe.id)), level: level)
                    for entry in 0..<(m * 16) { table[slot * m * 16 + entry] = row[entry] + (-2 * innerProducts[entry]) }
                }
            } else {
                bias = [Float](repeating: 0, count: probes.count)
                table = [Float](repeating: 0, count: probes.count * m * 16)
                for (slot, probe) in probes.enumerated() {
                    let residual: [Float] =
                        probe.id >= 0
                        ? zip(query, centroids.row(Int(probe.id))).map { $0 - $1 } : [Float](repeating: .nan, count: query.count)
                    let rows = residual.withUnsafeBufferPointer { r in floatTable(pq, query: r.baseAddress ?? q, innerProduct: false) }
                    table.replaceSubrange((slot * m * 16)..<((slot + 1) * m * 16), with: rows)
                }
            }
        }
        let tables = threeD ? probes.count : 1
        var quantized = [UInt8](repeating: 0, count: tables * padded * 16)
        var biasQ = [UInt16](repeating: 0, count: max(probes.count, 1))
        var a: Float = 0
        var b: Float = 0
        table.withUnsafeBufferPointer { t in
            quantized.withUnsafeMutableBufferPointer { out in
                biasQ.withUnsafeMutableBufferPointer { bq in
                    if let bias {
                        bias.withUnsafeBufferPointer { bb in
                            feder_fs_quantize_lut_and_bias(
                                probes.count, m, threeD ? 1 : 0, t.baseAddress, bb.baseAddress, out.baseAddress, padded, bq.baseAddress,
                                &a, &b)
                        }
                    } else {
                        feder_fs_quantize_lut_and_bias(
                            probes.count, m, 0, t.baseAddress, nil, out.baseAddress, padded, bq.baseAddress, &a, &b)
                    }
                }
            }
        }

        // Lists in increasing list number, as IndexIVFFastScan sorts the probes before scanning.
        let order = probes.indices.filter { probes[$0].id >= 0 }.sorted { probes[$0].id < probes[$1].id }
        let total = order.reduce(0) { $0 + index.invertedLists.lists[Int(probes[$1].id)].size }
        var sums = [UInt16](repeating: 0, count: total)
        var ids = [Int64](repeating: 0, count: total)
        var probedLists = 0
        var filled = 0
        quantized.withUnsafeBufferPointer { qt in
            sums.withUnsafeMutableBufferPointer { sumsOut in
                ids.withUnsafeMutableBytes { idsOut in
                    for slot in order {
                        let list = Int(probes[slot].id)
                        let invertedList = index.invertedLists.lists[list]
                        let size = invertedList.size
                        guard size > 0, let out = sumsOut.baseAddress, let idBytes = idsOut.baseAddress else { continue }
                        probedLists += 1
                        let file = invertedList.ids.file
                        let packed = (file.baseAddress + invertedList.codesOffset).assumingMemoryBound(to: UInt8.self)
                        let offset = threeD ? slot * padded * 16 : 0
                        feder_fs_accumulate(
                            qt.baseAddress.map { $0 + offset }, m, packed, size, layout.blockSize, padded,
                            bias == nil ? 0 : biasQ[slot], out + filled)
                        (idBytes + filled * 8).copyMemory(from: file.baseAddress + invertedList.ids.byteOffset, byteCount: size * 8)
                        filled += size
                    }
                }
            }
        }
        let (results, admitted) = try select(k: k, kernel: kernel, sums: sums, ids: ids, a: a, b: b)
        var distances = [Float](repeating: 0, count: sums.count)
        sums.withUnsafeBufferPointer { s in
            distances.withUnsafeMutableBufferPointer { out in feder_fs_to_floats(level, s.baseAddress, s.count, a, b, out.baseAddress) }
        }
        let lists = order.map { Int(probes[$0].id) }
        let scanned = ids.withUnsafeBufferPointer { idBuffer in
            distances.withUnsafeBufferPointer { distanceBuffer in
                admitted.withUnsafeBufferPointer { admittedBuffer in
                    [IVFTrace.ScannedVector](unsafeUninitializedCapacity: total) { out, initialized in
                        var position = 0
                        initialized = 0
                        guard let base = out.baseAddress else { return }
                        for list in lists {
                            for _ in 0..<index.invertedLists.lists[list].size where position < total {
                                (base + position).initialize(
                                    to: IVFTrace.ScannedVector(
                                        id: idBuffer[position], list: list, distance: distanceBuffer[position],
                                        admitted: admittedBuffer[position] != 0))
                                position += 1
                            }
                        }
                        initialized = position
                    }
                }
            }
        }
        let probeTrace = probes.enumerated().compactMap { rank, probe -> IVFTrace.Probe? in
            guard probe.id >= 0 else { return nil }
            return IVFTrace.Probe(
                rank: rank, list: Int(probe.id), size: index.invertedLists.lists[Int(probe.id)].size, distance: probe.distance)
        }
        var trace = IVFSearch.assemble(
            index, k: k, nprobe: nprobe, coarse: coarse, ompThreads: ompThreads, results: results, probes: probeTrace,
            scanned: scanned, probedLists: probedLists)
        trace.codes = "PQ fast scan \(m) × 4 bits" + (pq.byResidual ? ", by residual" : "")
        return trace
    }

    /// One list's row of IVFPQ's precomputed table: ‖codeword‖² + 2·⟨centroid sub-vector, codeword⟩ per
    /// sub-quantizer and codeword (`initialize_IVFPQ_precomputed_table`, fvec_inner_products_ny's kernels).
    static func precomputedRow(_ pq: FaissProductQuantizer, centroid: [Float], level: Int32) -> [Float] {
        var row = [Float](repeating: 0, count: pq.subquantizers * pq.centroidsPerSubquantizer)
        let codewords = (pq.centroids.file.baseAddress + pq.centroids.byteOffset).assumingMemoryBound(to: Float.self)
        centroid.withUnsafeBufferPointer { c in
            row.withUnsafeMutableBufferPointer { out in
                feder_ivfpq_precomputed_row(
                    level, c.baseAddress, codewords, pq.dim, pq.subquantizers, pq.bitsPerCode, out.baseAddress)
            }
        }
        return row
    }
}
