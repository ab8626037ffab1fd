import CFederKernels
import FederIndex
import FederProjection
import FederTestSupport
import Foundation
import XCTest

@testable import FederSearch

/// faiss with more than one OpenMP thread splits one query's flat search over enough vectors across the threads,
/// takes the inner products from its bundled OpenBLAS's sgemm and merges the threads' heaps. The tool mirrors
/// that for every OpenBLAS core it names; the library, run here, is the oracle: first OpenBLAS's sgemm itself,
/// forced to each core this CPU can run, then whole faiss searches (flat L2 and IP, integer data for ties and
/// float data for bits, and an IVF whose flat coarse quantizer has more than 10,000 centroids).
final class OMPThreadsAgainstLibrariesTests: XCTestCase {
    private var directory = URL(fileURLWithPath: "/nonexistent")

    override func setUpWithError() throws {
        guard LibraryScript.isAvailable else { throw XCTSkip("no .venv with faiss") }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-omp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: directory)
        Kernels.select(.native)
    }

    /// The cores OpenBLAS can be forced to on this CPU (their kernels need its instructions), by the name
    /// OPENBLAS_CORETYPE takes.
    static var forcibleCores: [Kernels.OpenBLASCore] {
        var cores: [Kernels.OpenBLASCore] = [.prescott, .nehalem, .barcelona]
        if feder_cpu_faiss_level() >= Int32(FEDER_FAISS_AVX2) { cores += [.sandybridge, .haswell, .zen] }
        if feder_cpu_faiss_level() >= Int32(FEDER_FAISS_AVX512) { cores.append(.skylakeX) }
        return cores
    }

    /// OpenMP threads that sleep between parallel regions instead of spinning: with more threads than cores the
    /// spinning would slow the oracle down severalfold (the answers do not change).
    static let waitPolicy = "PASSIVE"

    /// OpenMP thread counts the sgemm checks run with: 1 as inside faiss's parallel region, 2 and 3 as a
    /// call from outside one (faiss's BLAS path), where OpenBLAS shares the call among the threads.
    static let sgemmThreads = [1, 2, 3]

    /// Writes `cases` (rows then x, float32, with the shapes in shapes.json) and prints the bits
    /// sgemm_("T", "N", m, 1, d, …) gives for each with 1, 2 and 3 OpenMP threads, from the OpenBLAS faiss-cpu
    /// bundles, as the core it loaded as.
    static let sgemmScript = """
        import ctypes, glob, json, os, sys
        import numpy as np
        import faiss
        out = sys.argv[1]
        shapes = json.load(open(os.path.join(out, "shapes.json")))
        data = np.fromfile(os.path.join(out, "data.f32"), dtype=np.float32)
        libs = os.path.join(os.path.dirname(os.path.dirname(faiss.__file__)), "faiss_cpu.libs")
        blas = ctypes.CDLL(glob.glob(os.path.join(libs, "libopenblas*"))[0])
        blas.openblas_get_corename.restype = ctypes.c_char_p
        answer = {"core": blas.openblas_get_corename().decode(), "bits": []}
        for threads in json.loads(sys.argv[2]):
            faiss.omp_set_num_threads(threads)
            bits = []
            offset = 0
            for m, d in shapes:
                rows = np.ascontiguousarray(data[offset:offset + m * d]); offset += m * d
                x = np.ascontiguousarray(data[offset:offset + d]); offset += d
                c = np.zeros(m, dtype=np.float32)
                mi, ni, di = ctypes.c_int(m), ctypes.c_int(1), ctypes.c_int(d)
                one, zero = ctypes.c_float(1), ctypes.c_float(0)
                p = lambda a: a.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
                blas.sgemm_(b"T", b"N", ctypes.byref(mi), ctypes.byref(ni), ctypes.byref(di), ctypes.byref(one),
                            p(rows), ctypes.byref(di), p(x), ctypes.byref(di), ctypes.byref(zero), p(c), ctypes.byref(mi))
                bits.append(c.view(np.uint32).tolist())
            answer["bits"].append(bits)
        print(json.dumps(answer))
        """

    func testDotProductsMatchEveryOpenBLASCoreThisCPURuns() throws {
        // Shapes that reach every block shape (8-, 4-, 2-, 1-row remainders), every split of d into GEMM_Q
        // blocks (Q is 128 to 512 by core; d above 2Q splits unevenly, and otherwise with several threads),
        // and every way threads share rows (from m · d = 262,144 on, at least 2 · 4 rows: 13 rows go 5, 4, 4
        // over three threads, 9 rows stay on one).
        var generator = SeededRandom(seed: 20_261_202)
        var shapes: [[Int]] = [
            [1, 1], [3, 5], [7, 17], [1024, 48], [1021, 129], [515, 257], [342, 1001], [8, 1100], [6, 640], [1021, 300],
            [13, 30001], [9, 40000],
        ]
        for _ in 0..<15 { shapes.append([Int.random(in: 1...1024, using: &generator), Int.random(in: 1...1200, using: &generator)]) }
        var floats: [Float] = []
        for shape in shapes {
            for _ in 0..<(shape[0] * shape[1] + shape[1]) { floats.append(Float(generator.normal() * 3)) }
        }
        try JSONSerialization.data(withJSONObject: shapes).write(to: directory.appendingPathComponent("shapes.json"))
        try floats.withUnsafeBytes { try Data($0).write(to: directory.appendingPathComponent("data.f32")) }
        let threadList = String(decoding: try JSONSerialization.data(withJSONObject: Self.sgemmThreads), as: UTF8.self)

        for core in Self.forcibleCores {
            let data = try LibraryScript.run(
                Self.sgemmScript, arguments: [directory.path, threadList],
                environment: ["OPENBLAS_CORETYPE": core.name, "OMP_WAIT_POLICY": Self.waitPolicy])
            let answer = try JSONDecoder().decode(SgemmAnswer.self, from: data)
            XCTAssertEqual(answer.core, core.name, "OpenBLAS loaded as the core it was forced to")
            var mismatches: [String] = []
            for (run, threads) in Self.sgemmThreads.enumerated() {
                var offset = 0
                for (number, shape) in shapes.enumerated() {
                    let (m, d) = (shape[0], shape[1])
                    var out = [Float](repeating: 0, count: m)
                    floats.withUnsafeBufferPointer { all in
                        guard let base = all.baseAddress else { return }
                        out.withUnsafeMutableBufferPointer { result in
                            guard let target = result.baseAddress else { return }
                            feder_openblas_dots(core.rawValue, Int32(threads), base + offset, d, m, base + offset + m * d, target)
                        }
                    }
                    offset += m * d + d
                    for row in 0..<m where out[row].bitPattern != answer.bits[run][number][row] {
                        mismatches.append("threads \(threads) m \(m) d \(d) row \(row)")
                    }
                }
            }
            XCTAssertEqual(mismatches.count, 0, "OpenBLAS \(core.name): \(mismatches.prefix(10))")
        }
    }

    struct SgemmAnswer: Decodable {
        var core: String
        /// By thread count, shape and row.
        var bits: [[[UInt32]]]
    }

    /// Writes flat L2 / IP indexes (integer data: ties; float data: bits), a float IVF over 10,240 flat
    /// centroids, and prints faiss's answers with 2 and 3 OpenMP threads at k 10 and 100.
    static let searchScript = """
        import json, sys
        import numpy as np, faiss
        out = sys.argv[1]
        rng = np.random.default_rng(7)
        answers = {}
        def record(name, index, queries, ks, threads_list):
            np.save(f"{out}/{name}.queries.npy", queries)
            rows = []
            for threads in threads_list:
                faiss.omp_set_num_threads(threads)
                for k in ks:
                    for q in queries:
                        d, i = index.search(q[None, :], k)
                        rows.append({"threads": threads, "k": k, "ids": i[0].tolist(),
                                     "bits": d[0].view(np.uint32).tolist()})
            answers[name] = rows
        for metric in ("l2", "ip"):
            for kind, d in (("int", 6), ("float", 37)):
                n = 10241 if kind == "int" else 20483
                if kind == "int":
                    xb = rng.integers(-2, 3, size=(n, d)).astype(np.float32)
                    queries = rng.integers(-2, 3, size=(6, d)).astype(np.float32)
                else:
                    xb = rng.standard_normal((n, d)).astype(np.float32)
                    queries = rng.standard_normal((6, d)).astype(np.float32)
                index = faiss.IndexFlatL2(d) if metric == "l2" else faiss.IndexFlatIP(d)
                index.add(xb)
                name = f"flat_{metric}_{kind}"
                faiss.write_index(index, f"{out}/{name}.faiss")
                record(name, index, queries, (10, 100), (2, 3))
        d = 19
        quantizer = faiss.IndexFlatL2(d)
        quantizer.add(rng.standard_normal((10240, d)).astype(np.float32))
        ivf = faiss.IndexIVFFlat(quantizer, d, 10240)
        ivf.is_trained = True
        ivf.add(rng.standard_normal((30000, d)).astype(np.float32))
        ivf.nprobe = 16
        faiss.write_index(ivf, f"{out}/ivf.faiss")
        record("ivf", ivf, rng.standard_normal((6, d)).astype(np.float32), (10,), (2,))
        print(json.dumps(answers))
        """

    struct SearchAnswer: Decodable {
        var threads: Int
        var k: Int
        var ids: [Int64]
        var bits: [UInt32]
    }

    func testSearchesMatchFaissWithSeveralThreads() throws {
        try compareSearches(environment: [:], kernels: .native)
    }

    /// The same searches with faiss's OpenBLAS forced to another core, and the tool told so with --kernels.
    func testSearchesMatchFaissOnAnotherOpenBLASCore() throws {
        let other: Kernels.OpenBLASCore = Kernels.OpenBLASCore.native == .haswell ? .nehalem : .haswell
        guard Self.forcibleCores.contains(other) else { throw XCTSkip("this CPU cannot run OpenBLAS's \(other.name) kernels") }
        var kernels = Kernels.native
        kernels.openBLAS = other
        try compareSearches(environment: ["OPENBLAS_CORETYPE": other.name], kernels: kernels)
    }

    private func compareSearches(environment: [String: String], kernels: Kernels) throws {
        let native = Kernels.OpenBLASCore.native
        guard native.isMirrored || kernels.openBLAS != native else {
            throw XCTSkip("OpenBLAS picks its \(native.name) core here, which the tool does not reproduce")
        }
        let data = try LibraryScript.run(Self.searchScript, arguments: [directory.path], environment: environment)
        let answers = try JSONDecoder().decode([String: [SearchAnswer]].self, from: data)
        Kernels.select(kernels)
        var compared = 0
        for (name, rows) in answers.sorted(by: { $0.key < $1.key }) {
            let index = try IndexFile.open(path: directory.appendingPathComponent("\(name).faiss").path)
            let queries = try VectorFile.read(path: directory.appendingPathComponent("\(name).queries.npy").path)
            for (position, row) in rows.enumerated() {
                let query = queries.row(position % queries.count)
                let request = SearchRequest(k: row.k, ompThreads: row.threads)
                let (trace, _) = try Searcher.trace(index, query: query, request: request)
                let label = "\(name) threads \(row.threads) k \(row.k) query \(position % queries.count)"
                XCTAssertEqual(trace.results.map(\.id), row.ids, "\(label): ids")
                XCTAssertEqual(trace.results.map(\.distance.bitPattern), row.bits, "\(label): distance bits")
                XCTAssertEqual(trace.openBLAS, "\(kernels.openBLAS.name) sgemm", "\(label): the split path ran")
                compared += 1
            }
        }
        XCTAssertEqual(compared, 4 * 2 * 2 * 6 + 6)
    }

    /// Below the size faiss splits at, and for L1, threads change nothing: the single-thread path runs.
    func testSmallOrOtherMetricSearchesIgnoreThreads() {
        XCTAssertFalse(FlatSearch.splitsAcrossThreads(rows: 9_999, kernel: .l2, threads: 2))
        XCTAssertTrue(FlatSearch.splitsAcrossThreads(rows: 10_000, kernel: .l2, threads: 2))
        XCTAssertFalse(FlatSearch.splitsAcrossThreads(rows: 12_000, kernel: .innerProduct, threads: 12))
        XCTAssertTrue(FlatSearch.splitsAcrossThreads(rows: 12_288, kernel: .innerProduct, threads: 12))
        XCTAssertFalse(FlatSearch.splitsAcrossThreads(rows: 1_000_000, kernel: .l1, threads: 4))
        XCTAssertFalse(FlatSearch.splitsAcrossThreads(rows: 1_000_000, kernel: .l2, threads: 1))
    }
}
