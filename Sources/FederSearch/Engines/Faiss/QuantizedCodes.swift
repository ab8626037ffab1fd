import CFederKernels
import FederIndex
import Synchronization

/// Product-quantizer distance tables for one query, as faiss 1.15 builds them.
enum PQTable {
    /// The table of squared L2 distances (or inner products) from each sub-vector of `query` to every codeword:
    /// `compute_distance_table` / `compute_inner_prod_table` (`batched` false: IVFPQ, HNSW's PQ distance
    /// computer), or the batched `compute_distance_tables` / `compute_inner_prod_tables` (`batched` true:
    /// IndexPQ and fast scan), which take other kernels for sub-vectors of 2 floats and of 16 floats and more.
    static func compute(_ pq: FaissProductQuantizer, query: UnsafePointer<Float>, innerProduct: Bool, batched: Bool) -> [Float] {
        var table = [Float](repeating: 0, count: pq.subquantizers * pq.centroidsPerSubquantizer)
        table.withUnsafeMutableBufferPointer { out in
            feder_pq_table(
                Kernels.active.faiss.floatLevel, Kernels.active.openBLAS.rawValue, innerProduct ? 1 : 0, batched ? 1 : 0, query,
                pq.codewords, pq.dim, pq.subquantizers, pq.bitsPerCode, out.baseAddress)
        }
        return table
    }

    /// The approximate distance of `count` codes of `codeSize` bytes at `codes` (plus `base` when given), summed
    /// as faiss sums them (`estimator`: FEDER_PQ_CODE_DISTANCE or FEDER_PQ_INDEX_PQ).
    static func scan(
        _ pq: FaissProductQuantizer, table: UnsafePointer<Float>, estimator: Int32, codes: UnsafeRawPointer, codeSize: Int,
        count: Int, base: Float?, into out: UnsafeMutablePointer<Float>
    ) {
        feder_pq_scan(
            Kernels.active.faiss.floatLevel, estimator, pq.subquantizers, pq.bitsPerCode, table,
            codes.assumingMemoryBound(to: UInt8.self), codeSize, count, base == nil ? 0 : 1, base ?? 0, out)
    }
}

extension FaissProductQuantizer {
    /// The codewords, M × 2^nbits × dsub floats (read unaligned by the kernels).
    var codewords: UnsafePointer<Float> {
        UnsafeRawPointer(centroids.file.baseAddress + centroids.byteOffset).assumingMemoryBound(to: Float.self)
    }

    /// "PQ 8 × 8 bits".
    public var summary: String { "PQ \(subquantizers) × \(bitsPerCode) bits" }
}

/// A scalar quantizer's distance computer for one query (faiss `ScalarQuantizer::get_distance_computer` at the
/// selected SIMD level; the scanners add their list's base for inner products).
final class SQDistanceComputer {
    private let computer: OpaquePointer
    /// Four code addresses handed to the batched kernel (allocated once).
    private let group = UnsafeMutablePointer<UnsafePointer<UInt8>?>.allocate(capacity: 4)
    let codeSize: Int
    /// The SQ code that runs ("AVX2", "AVX512_SPR VDPBF16PS").
    let kernels: String

    init(_ sq: FaissScalarQuantizer, innerProduct: Bool) throws {
        let level = Kernels.active.faiss.rawValue
        let trained = UnsafeRawPointer(sq.trained.file.baseAddress + sq.trained.byteOffset)
        guard
            feder_sq_code_size(sq.quantizerType, sq.dim) == sq.codeSize,
            sq.trained.count >= feder_sq_trained_count(sq.quantizerType, sq.dim),
            let computer = feder_sq_dc_create(level, sq.quantizerType, innerProduct ? 1 : 0, sq.dim, trained)
        else {
            throw FederSearchError.unsupported(
                "cannot build a distance computer for this \(sq.typeName) scalar quantizer (d \(sq.dim), code size \(sq.codeSize))")
        }
        self.computer = computer
        codeSize = sq.codeSize
        kernels = String(cString: feder_sq_describe(level, sq.quantizerType, sq.dim))
    }

    deinit {
        feder_sq_dc_destroy(computer)
        group.deallocate()
    }

    /// `set_query`.
    func setQuery(_ query: UnsafeRawPointer) { feder_sq_dc_set_query(computer, query) }

    /// `query_to_code`.
    @inline(__always)
    func distance(_ code: UnsafeRawPointer) -> Float {
        feder_sq_dc_distance(computer, code.assumingMemoryBound(to: UInt8.self))
    }

    /// What `query_to_codes_batch_4` gives for the same code.
    @inline(__always)
    func batchedDistance(_ code: UnsafeRawPointer) -> Float {
        feder_sq_dc_distance_batched(computer, code.assumingMemoryBound(to: UInt8.self))
    }

    /// What `query_to_codes_batch_4` gives for four codes, computed together.
    func batchedDistances(
        _ codes: (UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer), into out: UnsafeMutablePointer<Float>
    ) {
        group[0] = codes.0.assumingMemoryBound(to: UInt8.self)
        group[1] = codes.1.assumingMemoryBound(to: UInt8.self)
        group[2] = codes.2.assumingMemoryBound(to: UInt8.self)
        group[3] = codes.3.assumingMemoryBound(to: UInt8.self)
        feder_sq_dc_distance_batched4(computer, group, out)
    }

    /// A scanner over `count` codes: each `query_to_code`, plus `base` when given.
    func scan(_ codes: UnsafeRawPointer, count: Int, base: Float?, into out: UnsafeMutablePointer<Float>) {
        feder_sq_dc_scan(
            computer, codes.assumingMemoryBound(to: UInt8.self), codeSize, count, base == nil ? 0 : 1, base ?? 0, out)
    }
}

/// The distance computer of an HNSW index's storage (`storage->get_distance_computer()`): flat vectors, PQ
/// codes through the query's distance table, SQ codes through the quantizer's computer. Neighbours are scored
/// in groups: faiss hands full groups of four to `distances_batch_4` and the rest one by one, which gives other
/// bits only for the uniform SQ types at AVX2 / AVX512.
struct HNSWStorageDistance {
    private enum Storage {
        case flat(VectorTable, FaissKernel, DistanceFunction)
        case pq(FaissProductQuantizer, CodeTable, [Float])
        case sq(SQDistanceComputer, CodeTable)
        /// Binary codes, Hamming distance to the packed query (faiss `FlatHammingDis`, as a float).
        case hamming(CodeTable, [UInt8])
    }

    private let storage: Storage
    private let query: UnsafeRawPointer
    private let dim: Int
    private var batch: DistanceBatch
    private var nodes: [Int]
    private var scored: [Float]
    /// Nodes gathered since the last `score`.
    private(set) var count = 0
    /// "PQ 8 × 8 bits", "SQ QT_8bit (AVX2)" when the storage is quantized.
    let codesSummary: String?

    /// - Parameter query: valid for the whole search (the caller's pointer to the query's floats).
    init(_ index: FaissHNSWIndex, query: UnsafeRawPointer, capacity: Int) throws {
        dim = index.header.dim
        self.query = query
        batch = DistanceBatch(capacity: capacity)
        nodes = Array(repeating: 0, count: max(capacity, 1))
        scored = Array(repeating: 0, count: max(capacity, 1))
        switch index.storage {
        case .flat(let flat):
            guard let kernel = FaissKernel(flat.header.metric) else {
                throw FederSearchError.unsupportedMetric(flat.header.metric, role: "index")
            }
            storage = .flat(flat.vectors, kernel, kernel.resolved())
            codesSummary = nil
        case .pq(let pq):
            guard pq.header.metric == .l2 || pq.header.metric == .innerProduct else {
                throw FederSearchError.unsupportedMetric(pq.header.metric, role: "index")
            }
            let table = PQTable.compute(
                pq.pq, query: query.assumingMemoryBound(to: Float.self), innerProduct: pq.header.metric == .innerProduct,
                batched: false)
            storage = .pq(pq.pq, pq.codes, table)
            codesSummary = pq.pq.summary
        case .scalarQuantizer(let sq):
            guard sq.header.metric == .l2 || sq.header.metric == .innerProduct else {
                throw FederSearchError.unsupportedMetric(sq.header.metric, role: "index")
            }
            let computer = try SQDistanceComputer(sq.sq, innerProduct: sq.header.metric == .innerProduct)
            computer.setQuery(query)
            storage = .sq(computer, sq.codes)
            codesSummary = "SQ \(sq.sq.typeName) (\(computer.kernels))"
        default:
            throw FederSearchError.unsupported(
                "tracing an HNSW index whose storage is \(index.storage.code) is not supported; flat, PQ and SQ storage are")
        }
    }

    /// A binary HNSW's storage: Hamming distances from `packedQuery` (`query` is unused).
    init(hamming codes: CodeTable, packedQuery: [UInt8], query: UnsafeRawPointer, capacity: Int) {
        dim = codes.codeSize * 8
        self.query = query
        batch = DistanceBatch(capacity: 0)
        nodes = Array(repeating: 0, count: max(capacity, 1))
        scored = Array(repeating: 0, count: max(capacity, 1))
        storage = .hamming(codes, packedQuery)
        codesSummary = nil
    }

    /// Vectors (or codes) in the storage.
    var storedCount: Int {
        switch storage {
        case .flat(let table, _, _): return table.count
        case .pq(_, let codes, _), .sq(_, let codes), .hamming(let codes, _): return codes.count
        }
    }

    /// The distance of one node, as `qdis(node)` computes it.
    func single(_ node: Int) -> Float {
        switch storage {
        case .flat(let table, _, let function): return function(query, table.rowPointer(node), dim: dim)
        case .pq(let pq, let codes, let table):
            return table.withUnsafeBufferPointer { t in
                feder_pq_code_distance(
                    Kernels.active.faiss.floatLevel, Int32(FEDER_PQ_CODE_DISTANCE), pq.subquantizers, pq.bitsPerCode,
                    t.baseAddress, codes.codePointer(node).assumingMemoryBound(to: UInt8.self))
            }
        case .sq(let computer, let codes): return computer.distance(codes.codePointer(node))
        case .hamming(let codes, let packed):
            return packed.withUnsafeBytes { q in
                guard let base = q.baseAddress else { return 0 }
                return Float(Hamming.distance(base, codes.codePointer(node), bytes: codes.codeSize))
            }
        }
    }

    mutating func removeAll() {
        count = 0
        batch.removeAll()
    }

    /// Gathers a node for the next `score`.
    @inline(__always)
    mutating func append(_ node: Int) {
        switch storage {
        case .flat(let table, _, _): batch.append(table.rowPointer(node))
        case .pq, .sq, .hamming: nodes[count] = node
        }
        count += 1
    }

    /// Scores the gathered nodes as faiss does for one neighbour list: full groups of four through
    /// `distances_batch_4`, the rest one by one.
    mutating func score() {
        switch storage {
        case .flat(_, let kernel, _): batch.score(faiss: kernel, query: query, dim: dim)
        case .pq, .hamming:
            for position in 0..<count { scored[position] = single(nodes[position]) }
        case .sq(let computer, let codes):
            let grouped = count / 4 * 4
            var position = 0
            while position < grouped {
                // The next group's codes are asked for while this one is scored.
                if position + 4 < count {
                    for next in (position + 4)..<min(position + 8, count) {
                        feder_prefetch(codes.codePointer(nodes[next]), Int32(min((computer.codeSize + 63) / 64, 16)))
                    }
                }
                let group = (
                    codes.codePointer(nodes[position]), codes.codePointer(nodes[position + 1]), codes.codePointer(nodes[position + 2]),
                    codes.codePointer(nodes[position + 3])
                )
                scored.withUnsafeMutableBufferPointer { out in
                    guard let out = out.baseAddress else { return }
                    computer.batchedDistances(group, into: out + position)
                }
                position += 4
            }
            for position in grouped..<count { scored[position] = computer.distance(codes.codePointer(nodes[position])) }
        }
    }

    /// The distance of the `position`-th node gathered, after `score`.
    @inline(__always)
    func distance(at position: Int) -> Float {
        switch storage {
        case .flat: return batch.distances[position]
        case .pq, .sq, .hamming: return scored[position]
        }
    }
}

/// IndexIVFPQ's precomputed table (‖codeword‖² + 2·⟨centroid, codeword⟩ per list), which faiss builds once when
/// it reads the index: here each list's row is built the first time a search probes it and kept for the
/// following searches of the same index at the same level, up to a memory budget.
final class IVFPQPrecomputedTables: Sendable {
    static let shared = IVFPQPrecomputedTables()

    /// Floats kept across all indexes before the oldest index's rows are dropped (512 MiB).
    static let budget = 128 << 20

    private struct Key: Hashable {
        let file: ObjectIdentifier
        let codewords: Int
        let centroids: Int
        let level: Int32
    }

    private struct State {
        var rows: [Key: [Int: [Float]]] = [:]
        var files: [Key: MappedFile] = [:]
        var order: [Key] = []
        var floats = 0
    }

    private let state = Mutex(State())

    /// List `list`'s row for `index` (whose centroids are `centroids`), computed on first use.
    func row(_ index: FaissIVFIndex, pq: FaissProductQuantizer, centroids: VectorTable, list: Int, level: Int32) -> [Float] {
        let key = Key(
            file: ObjectIdentifier(pq.centroids.file), codewords: pq.centroids.byteOffset, centroids: centroids.byteOffset,
            level: level)
        if let row = state.withLock({ $0.rows[key]?[list] }) { return row }
        var row = [Float](repeating: 0, count: pq.subquantizers * pq.centroidsPerSubquantizer)
        row.withUnsafeMutableBufferPointer { out in
            feder_ivfpq_precomputed_row(
                level, centroids.rowPointer(list).assumingMemoryBound(to: Float.self), pq.codewords, pq.dim, pq.subquantizers,
                pq.bitsPerCode, out.baseAddress)
        }
        state.withLock { state in
            if state.rows[key] == nil {
                state.rows[key] = [:]
                state.files[key] = pq.centroids.file
                state.order.append(key)
            }
            if state.rows[key]?[list] == nil {
                state.rows[key]?[list] = row
                state.floats += row.count
            }
            while state.floats > Self.budget, state.order.count > 1 {
                let oldest = state.order.removeFirst()
                state.floats -= state.rows[oldest]?.values.reduce(0) { $0 + $1.count } ?? 0
                state.rows[oldest] = nil
                state.files[oldest] = nil
            }
        }
        return row
    }
}
