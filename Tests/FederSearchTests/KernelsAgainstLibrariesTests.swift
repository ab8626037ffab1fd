import CFederKernels
import FederTestSupport
import Foundation
import XCTest

@testable import FederSearch

/// The distance kernels give the installed libraries' float bits at every dimension from 1 to 150 and at
/// 255–257, 1001 and 1024 (every residue each kernel branches on): faiss's `fvec_L2sqr` / `fvec_inner_product`
/// (and `fvec_L1` / `fvec_Linf`) at each SIMD level this CPU runs (faiss started with `FAISS_SIMD_LEVEL`), and hnswlib's L2, inner product
/// and cosine normalisation as pip built it here. The portable instantiation of every kernel (what a CPU
/// without AVX2 runs) must give the same bits.
final class KernelsAgainstLibrariesTests: XCTestCase {
    static let dims = Array(1...150) + [255, 256, 257, 1001, 1024]
    static let rows = 24

    /// Writes the data once (q then `rows` vectors per dimension, float32) and prints the library's bits for it.
    static let script = """
        import json, os, sys
        import numpy as np
        out, which = sys.argv[1], sys.argv[2]
        dims = [int(x) for x in sys.argv[3].split(",")]
        rows = int(sys.argv[4])
        path = os.path.join(out, "data.f32")
        rng = np.random.default_rng(20261201)
        blocks = []
        for d in dims:
            scale = np.float32(10.0 ** rng.uniform(-2, 2))
            blocks.append((rng.standard_normal((rows + 1, d)) * scale).astype(np.float32))
        if not os.path.exists(path):
            with open(path, "wb") as fh:
                for block in blocks:
                    fh.write(block.tobytes())
        answer = {}
        if which == "faiss":
            import faiss
            answer["level"] = faiss.SIMDConfig.get_level_name()
            for name, fn in (("l2", faiss.fvec_L2sqr), ("ip", faiss.fvec_inner_product), ("l1", faiss.fvec_L1),
                             ("linf", faiss.fvec_Linf)):
                answer[name] = [[int(np.float32(fn(faiss.swig_ptr(b[0]), faiss.swig_ptr(b[i]), b.shape[1])).view(np.uint32))
                                 for i in range(1, rows + 1)] for b in blocks]
        else:
            import hnswlib
            for space in ("l2", "ip", "cosine"):
                bits = []
                for b in blocks:
                    # BFIndex does not normalise cosine queries; an HNSW index of 24 vectors with M 48 links every
                    # vector to every other, so its search scores them all.
                    index = hnswlib.Index(space=space, dim=b.shape[1])
                    index.init_index(max_elements=rows, M=48, ef_construction=100, random_seed=1)
                    index.add_items(b[1:], np.arange(rows), num_threads=1)
                    index.set_ef(100)
                    labels, distances = index.knn_query(b[:1], k=rows, num_threads=1)
                    ordered = np.empty(rows, dtype=np.float32)
                    ordered[labels[0].astype(np.int64)] = distances[0]
                    bits.append(ordered.view(np.uint32).tolist())
                answer[space] = bits
        print(json.dumps(answer))
        """

    struct Answer: Decodable {
        var level: String?
        var l2: [[UInt32]]
        var ip: [[UInt32]]
        var cosine: [[UInt32]]?
        var l1: [[UInt32]]?
        var linf: [[UInt32]]?
    }

    private var directory = URL(fileURLWithPath: "/nonexistent")

    override func setUpWithError() throws {
        guard LibraryScript.isAvailable else { throw XCTSkip("no .venv with faiss and hnswlib") }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-kernels-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: directory)
        feder_kernels_portable(0)
    }

    private func ask(_ library: String, environment: [String: String] = [:]) throws -> Answer {
        let arguments = [directory.path, library, Self.dims.map(String.init).joined(separator: ","), "\(Self.rows)"]
        let data = try LibraryScript.run(Self.script, arguments: arguments, environment: environment)
        return try JSONDecoder().decode(Answer.self, from: data)
    }

    /// Calls `body(d, query, vector i)` for every dimension and row of the data file.
    private func forEachPair(_ body: (Int, Int, UnsafeRawPointer, UnsafeRawPointer) -> Void) throws {
        let data = try Data(contentsOf: directory.appendingPathComponent("data.f32"))
        data.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var offset = 0
            for (block, d) in Self.dims.enumerated() {
                let query = base + offset
                for row in 0..<Self.rows { body(block, row, query, query + 4 * d * (row + 1)) }
                offset += 4 * d * (Self.rows + 1)
            }
        }
    }

    private static func floats(_ pointer: UnsafeRawPointer, _ count: Int) -> [Float] {
        (0..<count).map { pointer.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) }
    }

    func testFaissKernelsMatchEverySIMDLevelThisCPURuns() throws {
        let cpu = feder_cpu_faiss_level()
        for level in Kernels.FaissLevel.allCases where level.rawValue <= cpu {
            let answer = try ask("faiss", environment: ["FAISS_SIMD_LEVEL": level.name])
            XCTAssertEqual(answer.level, level.name, "faiss honoured FAISS_SIMD_LEVEL")
            let l1Answer = try XCTUnwrap(answer.l1)
            let linfAnswer = try XCTUnwrap(answer.linf)
            for portable in [false, true] {
                feder_kernels_portable(portable ? 1 : 0)
                var mismatches: [String] = []
                try forEachPair { block, row, query, vector in
                    let d = Self.dims[block]
                    let l2 = feder_faiss_kernel(level.rawValue, 0, query, vector, d).bitPattern
                    let ip = feder_faiss_kernel(level.rawValue, 1, query, vector, d).bitPattern
                    if l2 != answer.l2[block][row] { mismatches.append("l2 d \(d) row \(row)") }
                    if ip != answer.ip[block][row] { mismatches.append("ip d \(d) row \(row)") }
                    let l1 = feder_faiss_kernel(level.rawValue, Int32(FEDER_FAISS_L1), query, vector, d).bitPattern
                    let linf = feder_faiss_kernel(level.rawValue, Int32(FEDER_FAISS_LINF), query, vector, d).bitPattern
                    if l1 != l1Answer[block][row] { mismatches.append("l1 d \(d) row \(row)") }
                    if linf != linfAnswer[block][row] { mismatches.append("linf d \(d) row \(row)") }
                }
                XCTAssertEqual(mismatches.count, 0, "faiss \(level.name)\(portable ? " (portable)" : ""): \(mismatches.prefix(12))")
            }
        }
    }

    func testHNSWLibKernelsMatchTheBuildPipMadeHere() throws {
        let answer = try ask("hnswlib")
        let cosine = try XCTUnwrap(answer.cosine)
        for portable in [false, true] {
            feder_kernels_portable(portable ? 1 : 0)
            var mismatches: [String] = []
            try forEachPair { block, row, query, vector in
                let d = Self.dims[block]
                let l2 = feder_hnswlib_l2sqr(query, vector, d).bitPattern
                let ip = (1 - feder_hnswlib_inner_product(query, vector, d)).bitPattern
                let q = HNSWLibDistances.normalized(Self.floats(query, d))
                let x = HNSWLibDistances.normalized(Self.floats(vector, d))
                let cos = withQueryPointer(q) { qp in withQueryPointer(x) { xp in 1 - feder_hnswlib_inner_product(qp, xp, d) } }
                if l2 != answer.l2[block][row] { mismatches.append("l2 d \(d) row \(row)") }
                if ip != answer.ip[block][row] { mismatches.append("ip d \(d) row \(row)") }
                if cos.bitPattern != cosine[block][row] { mismatches.append("cosine d \(d) row \(row)") }
            }
            XCTAssertEqual(
                mismatches.count, 0, "hnswlib \(Kernels.active.hnswlib.name)\(portable ? " (portable)" : ""): \(mismatches.prefix(12))")
        }
    }
}
