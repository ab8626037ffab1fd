import FederIndex

/// How often each codeword of an index's product quantizer is used by its codes.
public enum PQCodebookUse {
    /// The product quantizer inside `index` (IVFPQ, IndexPQ, fast scan, HNSW over PQ; through id maps,
    /// pre-transforms and a refine index's base), with the counts (sub-quantizer × codeword) over all its codes.
    public static func count(_ index: FaissIndex) -> (pq: FaissProductQuantizer, counts: [[Int]], codes: Int)? {
        switch index {
        case .idMap(let map): return count(map.inner)
        case .preTransform(let pre): return count(pre.inner)
        case .refine(let refine): return count(refine.base)
        case .hnsw(let hnsw): return count(hnsw.storage)
        case .pq(let pq):
            var counts = empty(pq.pq)
            for row in 0..<pq.codes.count { add(pq.pq, pq.codes.codePointer(row), to: &counts) }
            return (pq.pq, counts, pq.codes.count)
        case .pqFastScan(let fast):
            var counts = empty(fast.pq)
            let packed = fast.codes.file.baseAddress + fast.codes.byteOffset
            for row in 0..<fast.header.count {
                for m in 0..<fast.pq.subquantizers {
                    counts[m][
                        FaissPQFastScanIndex.packedCode(
                            packed, blockSize: fast.blockSize, padded: fast.paddedSubquantizers, vector: row, m: m)] += 1
                }
            }
            return (fast.pq, counts, fast.header.count)
        case .ivf(let ivf):
            var total = 0
            switch ivf.encoding {
            case .productQuantizer(let pq):
                var counts = empty(pq)
                for list in ivf.invertedLists.lists where list.size > 0 {
                    let base = list.ids.file.baseAddress + list.codesOffset
                    for offset in 0..<list.size { add(pq, base + offset * ivf.invertedLists.codeSize, to: &counts) }
                    total += list.size
                }
                return (pq, counts, total)
            case .productQuantizerFastScan(let pq, let layout):
                var counts = empty(pq)
                for list in ivf.invertedLists.lists where list.size > 0 {
                    let packed = list.ids.file.baseAddress + list.codesOffset
                    for offset in 0..<list.size {
                        for m in 0..<pq.subquantizers {
                            counts[m][
                                FaissPQFastScanIndex.packedCode(
                                    packed, blockSize: layout.blockSize, padded: layout.paddedSubquantizers, vector: offset, m: m)] += 1
                        }
                    }
                    total += list.size
                }
                return (pq, counts, total)
            default: return nil
            }
        default: return nil
        }
    }

    static func empty(_ pq: FaissProductQuantizer) -> [[Int]] {
        Array(repeating: Array(repeating: 0, count: pq.centroidsPerSubquantizer), count: pq.subquantizers)
    }

    static func add(_ pq: FaissProductQuantizer, _ code: UnsafeRawPointer, to counts: inout [[Int]]) {
        for m in 0..<pq.subquantizers { counts[m][pq.subCode(code, m)] += 1 }
    }
}
