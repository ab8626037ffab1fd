import CFederKernels
import FederIndex
import FederTestSupport
import Foundation
import XCTest

@testable import FederSearch

/// faiss searches one query through BLAS once nq · d reaches 128,000 (`distance_compute_blas_threshold`): the
/// inner products from its bundled OpenBLAS's sgemm, shared among the OpenMP threads, then the result handler k
/// picks, at faiss's SIMD level. The library, run here, is the oracle: first the whole path at a small d with
/// faiss's threshold lowered (three 1,024-row blocks, ties across SIMD lanes and blocks, every handler, every
/// level this CPU runs, 1 to 3 threads), then real searches on either side of d = 128,000.
final class FlatBLASAgainstLibrariesTests: XCTestCase {
    private var directory = URL(fileURLWithPath: "/nonexistent")
    private static let waitPolicy = OMPThreadsAgainstLibrariesTests.waitPolicy

    override func setUpWithError() throws {
        guard LibraryScript.isAvailable else { throw XCTSkip("no .venv with faiss") }
        let native = Kernels.OpenBLASCore.native
        guard native.isMirrored else { throw XCTSkip("OpenBLAS picks its \(native.name) core here, which the tool does not reproduce") }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-blas-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: directory)
        Kernels.select(.native)
    }

    struct Answer: Decodable {
        /// The handler test's data set ("float", "int").
        var data: String?
        var metric: String
        var threads: Int
        var k: Int
        var query: Int
        var ids: [Int64]
        var bits: [UInt32]
    }

    struct Answers: Decodable {
        var level: String
        var answers: [Answer]
    }

    /// faiss with every search sent through BLAS (threshold 1) over 2,600 rows of d = 301 in blocks of 1,024,
    /// at k 1 (top-1 handlers), 5 (heap), 100 and 150 (reservoir). Float rows, with 1, 2 and 3 OpenMP threads:
    /// rows 5, 17, 1030, 2100 and 2599 copy row 40, query 2: ties across lanes and blocks. Rows 100 and 2598 lie
    /// near query 0, 2598 nearer, past the last full SIMD step: L2's top-1 scan finds the winner in its scalar
    /// tail. Row 300 lies near query 3: the winner comes from the SIMD lanes' ‖y‖² − 2·ip + ‖x‖², and the later
    /// blocks re-offer it as (best − ‖x‖²) + ‖x‖². Row 2597 is 3 × query 1, its largest inner product. Integer
    /// rows (coordinates −1, 0, 1; exact sums) and 15 queries: hundreds of ties at the reservoir's thresholds,
    /// among which its scalar steps, its AVX-512 steps and the one-by-one `add_result` keep different rows.
    static let handlerScript = """
        import json, sys
        import numpy as np, faiss
        out = sys.argv[1]
        faiss.cvar.distance_compute_blas_threshold = 1
        rng = np.random.default_rng(23)
        n, d = 2600, 301
        xb = rng.standard_normal((n, d)).astype(np.float32)
        fresh = rng.standard_normal((3, d)).astype(np.float32)
        xb[[5, 17, 1030, 2100, 2599]] = xb[40]
        xb[100] = fresh[0] + 0.05 * rng.standard_normal(d).astype(np.float32)
        xb[2598] = fresh[0] + 0.01 * rng.standard_normal(d).astype(np.float32)
        xb[2597] = 3 * fresh[1]
        xb[300] = fresh[2] + 0.01 * rng.standard_normal(d).astype(np.float32)
        sets = {"float": (xb, np.concatenate([fresh[:2], xb[[40]], fresh[2:]]))}
        xi = rng.integers(-1, 2, size=(n, d)).astype(np.float32)
        sets["int"] = (xi, np.concatenate([rng.integers(-1, 2, size=(14, d)).astype(np.float32), xi[[7]]]))
        answers = []
        for name, (rows, queries) in sets.items():
            np.save(f"{out}/{name}.npy", rows)
            np.save(f"{out}/{name}.queries.npy", queries)
            for metric, cls in (("l2", faiss.IndexFlatL2), ("ip", faiss.IndexFlatIP)):
                index = cls(d)
                index.add(rows)
                # Integer sums are exact: the threads' share of sgemm cannot change them.
                for threads in (1, 2, 3) if name == "float" else (1,):
                    faiss.omp_set_num_threads(threads)
                    for k in (1, 5, 100, 150):
                        for q in range(len(queries)):
                            D, I = index.search(queries[q:q + 1], k)
                            answers.append({"data": name, "metric": metric, "threads": threads, "k": k, "query": q,
                                            "ids": I[0].tolist(), "bits": D[0].view(np.uint32).tolist()})
        print(json.dumps({"level": faiss.SIMDConfig.get_level_name(), "answers": answers}))
        """

    func testBLASPathMatchesFaissAtEveryLevelThisCPURuns() throws {
        var levels: [Kernels.FaissLevel] = [.none]
        if feder_cpu_faiss_level() >= Int32(FEDER_FAISS_AVX2) { levels.append(.avx2) }
        if feder_cpu_faiss_level() >= Int32(FEDER_FAISS_AVX512) { levels.append(.avx512) }
        var compared = 0
        for level in levels {
            let data = try LibraryScript.run(
                Self.handlerScript, arguments: [directory.path],
                environment: ["FAISS_SIMD_LEVEL": level.name, "OMP_WAIT_POLICY": Self.waitPolicy])
            let answers = try JSONDecoder().decode(Answers.self, from: data)
            XCTAssertEqual(answers.level, level.name, "faiss ran at the level it was told")
            var kernels = Kernels.native
            kernels.faiss = level
            Kernels.select(kernels)
            var sets: [String: (rows: VectorTable, queries: VectorTable)] = [:]
            for name in ["float", "int"] {
                sets[name] = (
                    try VectorFile.read(path: directory.appendingPathComponent("\(name).npy").path),
                    try VectorFile.read(path: directory.appendingPathComponent("\(name).queries.npy").path)
                )
            }
            for answer in answers.answers {
                guard let set = sets[answer.data ?? ""] else { return XCTFail("no data set \(answer.data ?? "-")") }
                let kernel: FaissKernel = answer.metric == "l2" ? .l2 : .innerProduct
                let results = FlatSearch.throughBLAS(
                    set.rows, query: set.queries.row(answer.query), k: answer.k, kernel: kernel, threads: answer.threads,
                    core: kernels.openBLAS, distances: nil)
                let label =
                    "\(level.name) \(answer.data ?? "-") \(answer.metric) threads \(answer.threads) k \(answer.k) query \(answer.query)"
                XCTAssertEqual(results.map(\.id), answer.ids, "\(label): ids")
                XCTAssertEqual(results.map(\.distance.bitPattern), answer.bits, "\(label): distance bits")
                compared += 1
            }
        }
        XCTAssertEqual(compared, levels.count * 2 * 4 * (3 * 4 + 15))
    }

    /// Flat L2 / IP indexes of 12 rows (row 7 copies row 2; query 2 is row 2) at d = 128,000, where one query
    /// goes through BLAS, and at 127,999, where it does not; faiss's answers with 1 and 2 threads at k 1 and 5.
    static let thresholdScript = """
        import json, sys
        import numpy as np, faiss
        out = sys.argv[1]
        rng = np.random.default_rng(5)
        answers = {}
        for d in (128000, 127999):
            xb = rng.standard_normal((12, d)).astype(np.float32)
            xb[7] = xb[2]
            queries = np.concatenate([rng.standard_normal((2, d)).astype(np.float32), xb[[2]]])
            for metric, cls in (("l2", faiss.IndexFlatL2), ("ip", faiss.IndexFlatIP)):
                index = cls(d)
                index.add(xb)
                name = f"{metric}_{d}"
                faiss.write_index(index, f"{out}/{name}.faiss")
                np.save(f"{out}/{name}.queries.npy", queries)
                rows = []
                for threads in (1, 2):
                    faiss.omp_set_num_threads(threads)
                    for k in (1, 5):
                        for q in range(len(queries)):
                            D, I = index.search(queries[q:q + 1], k)
                            rows.append({"metric": metric, "threads": threads, "k": k, "query": q,
                                         "ids": I[0].tolist(), "bits": D[0].view(np.uint32).tolist()})
                answers[name] = rows
        print(json.dumps(answers))
        """

    func testOneQueryGoesThroughBLASFrom128000Dimensions() throws {
        let data = try LibraryScript.run(
            Self.thresholdScript, arguments: [directory.path], environment: ["OMP_WAIT_POLICY": Self.waitPolicy])
        let answers = try JSONDecoder().decode([String: [Answer]].self, from: data)
        Kernels.select(.native)
        let core = Kernels.OpenBLASCore.native
        var compared = 0
        for (name, rows) in answers.sorted(by: { $0.key < $1.key }) {
            let index = try IndexFile.open(path: directory.appendingPathComponent("\(name).faiss").path)
            let queries = try VectorFile.read(path: directory.appendingPathComponent("\(name).queries.npy").path)
            let throughBLAS = name.hasSuffix("_128000")
            XCTAssertEqual(FlatSearch.goesThroughBLAS(dim: queries.dim, kernel: .l2), throughBLAS, name)
            for row in rows {
                let request = SearchRequest(k: row.k, ompThreads: row.threads)
                let (trace, _) = try Searcher.trace(index, query: queries.row(row.query), request: request)
                let label = "\(name) threads \(row.threads) k \(row.k) query \(row.query)"
                XCTAssertEqual(trace.results.map(\.id), row.ids, "\(label): ids")
                XCTAssertEqual(trace.results.map(\.distance.bitPattern), row.bits, "\(label): distance bits")
                XCTAssertEqual(trace.openBLAS, throughBLAS ? "\(core.name) sgemm" : nil, "\(label): the path taken")
                compared += 1
            }
        }
        XCTAssertEqual(compared, 4 * 2 * 2 * 3)
    }
}
