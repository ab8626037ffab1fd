import CFederKernels
import FederIndex
import FederTestSupport
import Foundation
import XCTest

@testable import FederSearch

/// A pre-transform chain applied to one query gives faiss's float bits: linear transforms (PCA plain, whitened,
/// rotated; OPQ; random rotation; ITQ) through OpenBLAS's sgemv on every core this CPU can force, single- and
/// two-threaded; L2 normalisation (and ITQ's) at every faiss SIMD level this CPU runs; centering and remapping.
/// faiss, run here, applies each transform (`vt.apply` of one row) and is the oracle.
final class TransformsAgainstLibrariesTests: XCTestCase {
    private var directory = URL(fileURLWithPath: "/nonexistent")

    override func setUpWithError() throws {
        guard LibraryScript.isAvailable else { throw XCTSkip("no .venv with faiss") }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-transforms-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: directory)
        Kernels.select(.native)
    }

    /// First call (no `train` file yet): trains every transform, writes each wrapped in an IndexPreTransform,
    /// and the queries. Every call: prints each transform's output bits for every query, applied one row at a
    /// time as IndexPreTransform::search applies it.
    static let script = """
        import json, os, sys
        import numpy as np, faiss
        out, threads = sys.argv[1], int(sys.argv[2])
        faiss.omp_set_num_threads(threads)
        names = []
        if not os.path.exists(f"{out}/queries.npy"):
            rng = np.random.default_rng(5)
            def data(n, d):
                centres = rng.normal(size=(8, d)) * 3
                return (centres[rng.integers(0, 8, n)] + rng.normal(size=(n, d))).astype(np.float32)
            made = []
            x64, x100, x128 = data(2000, 64), data(2000, 100), data(1500, 128)
            for name, vt, x in (
                ("pca", faiss.PCAMatrix(64, 32), x64), ("pcaw", faiss.PCAMatrix(64, 24, -0.5), x64),
                ("pcar", faiss.PCAMatrix(100, 30, 0, True), x100), ("opq", faiss.OPQMatrix(64, 8), x64),
                ("rr", faiss.RandomRotationMatrix(100, 64), x100), ("rr_big", faiss.RandomRotationMatrix(128, 128), x128),
                ("itq", faiss.ITQTransform(64, 32, True), x64), ("itq_nopca", faiss.ITQTransform(40, 40, False), data(1000, 40)),
                ("l2norm", faiss.NormalizationTransform(37, 2.0), data(100, 37)), ("center", faiss.CenteringTransform(33), data(300, 33)),
                ("pad", faiss.RemapDimensionsTransform(20, 27, False), data(50, 20))):
                vt.train(x)
                index = faiss.IndexPreTransform(vt, faiss.IndexFlatL2(vt.d_out))
                faiss.write_index(index, f"{out}/{name}.faiss")
                made.append([name, vt.d_in])
            json.dump(made, open(f"{out}/names.json", "w"))
            queries = {str(d): data(12, d) for d in (20, 33, 37, 40, 64, 100, 128)}
            queries["33"][0] = 0
            np.save(f"{out}/queries.npy", np.concatenate([queries[k].ravel() for k in sorted(queries, key=int)]))
            json.dump(sorted(queries, key=int), open(f"{out}/query_dims.json", "w"))
        made = json.load(open(f"{out}/names.json"))
        dims = [int(k) for k in json.load(open(f"{out}/query_dims.json"))]
        flat = np.load(f"{out}/queries.npy")
        offsets, position = {}, 0
        for d in dims:
            offsets[d] = position
            position += 12 * d
        answer = {}
        for name, d_in in made:
            index = faiss.read_index(f"{out}/{name}.faiss")
            vt = faiss.downcast_VectorTransform(index.chain.at(0))
            rows = flat[offsets[d_in]:offsets[d_in] + 12 * d_in].reshape(12, d_in)
            answer[name] = [vt.apply(rows[i:i + 1])[0].view(np.uint32).tolist() for i in range(12)]
        answer["level"] = faiss.SIMDConfig.get_level_name()
        print(json.dumps(answer))
        """

    private func compare(environment: [String: String], threads: Int, kernels: Kernels, only: Set<String>?, label: String) throws {
        let data = try LibraryScript.run(Self.script, arguments: [directory.path, String(threads)], environment: environment)
        guard let answer = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { return XCTFail("no answer") }
        let dims = try JSONDecoder().decode([String].self, from: Data(contentsOf: directory.appendingPathComponent("query_dims.json")))
            .compactMap { Int($0) }
        let flat = try VectorFile.read(path: directory.appendingPathComponent("queries.npy").path).row(0)
        Kernels.select(kernels)
        var compared = 0
        var mismatches: [String] = []
        for (name, value) in answer where name != "level" && (only?.contains(name) ?? true) {
            guard let rows = value as? [[UInt32]] else { continue }
            let index = try IndexFile.open(path: directory.appendingPathComponent("\(name).faiss").path)
            guard case .faiss(.preTransform(let pre)) = index, let transform = pre.chain.first else { return XCTFail(name) }
            let d = transform.inputDim
            guard let start = dims.firstIndex(of: d).map({ dims.prefix($0).reduce(0) { $0 + 12 * $1 } }) else { continue }
            for (row, expected) in rows.enumerated() {
                let query = Array(flat[(start + row * d)..<(start + (row + 1) * d)])
                let ours = try VectorTransforms.apply(pre.chain, to: query, ompThreads: threads).last ?? []
                if ours.map(\.bitPattern) != expected { mismatches.append("\(name) row \(row)") }
                compared += 1
            }
        }
        XCTAssertGreaterThan(compared, 0, label)
        XCTAssertEqual(mismatches.count, 0, "\(label): \(mismatches.prefix(8))")
    }

    func testLinearTransformsMatchFaissOnEveryOpenBLASCoreAndThreadCount() throws {
        for core in OMPThreadsAgainstLibrariesTests.forcibleCores {
            for threads in [1, 2] {
                var kernels = Kernels.native
                kernels.openBLAS = core
                try compare(
                    environment: ["OPENBLAS_CORETYPE": core.name, "OMP_NUM_THREADS": String(threads)], threads: threads,
                    kernels: kernels, only: nil, label: "OpenBLAS \(core.name), \(threads) threads")
            }
        }
    }

    func testNormalisationsMatchEveryFaissLevelThisCPURuns() throws {
        for level in Kernels.FaissLevel.allCases where level.rawValue <= feder_cpu_faiss_level() {
            var kernels = Kernels.native
            kernels.faiss = level
            try compare(
                environment: ["FAISS_SIMD_LEVEL": level.name, "OMP_NUM_THREADS": "1"], threads: 1, kernels: kernels,
                only: ["l2norm", "itq", "itq_nopca", "center", "pad"], label: "faiss \(level.name)")
        }
    }
}
