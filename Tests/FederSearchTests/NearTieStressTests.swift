import FederIndex
import FederSearch
import FederTestSupport
import Foundation
import XCTest

/// Thousands of searches at k 100, ef 100 over clustered data, where near-ties are everywhere: a one-ulp
/// difference in a distance kernel flips them. hnswlib, built by pip on this machine, answers every query in
/// every space, and faiss (one thread, one query per call, as `trace` promises) answers flat inner product
/// (its reservoir path at k 100), IVF and HNSW searches; the traced searches must return the same ids, in the
/// same order, with the same float bits.
final class NearTieStressTests: XCTestCase {
    func testClusteredDataAtK100GivesTheLibrariesExactOrder() throws {
        guard LibraryScript.isAvailable else { throw XCTSkip("no .venv with hnswlib") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-stress-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = """
            import json, sys
            import numpy as np, hnswlib
            out = sys.argv[1]
            rng = np.random.default_rng(2024)
            centres = rng.normal(size=(30, 64)).astype(np.float32) * 4
            data = (centres[rng.integers(0, 30, 4000)] + rng.normal(size=(4000, 64)).astype(np.float32) * 0.3).astype(np.float32)
            queries = (centres[rng.integers(0, 30, 2000)] + rng.normal(size=(2000, 64)).astype(np.float32) * 0.3).astype(np.float32)
            np.save(f"{out}/queries.npy", queries)
            answers = {}
            for space in ("l2", "ip", "cosine"):
                index = hnswlib.Index(space=space, dim=64)
                index.init_index(max_elements=4000, ef_construction=100, M=16, random_seed=3)
                index.add_items(data, np.arange(4000), num_threads=1)
                index.save_index(f"{out}/{space}.hnsw")
                index.set_ef(100)
                labels, distances = index.knn_query(queries, k=100, num_threads=1)
                answers[space] = {"ids": labels.astype(np.int64).tolist(), "bits": distances.view(np.uint32).tolist()}
            print(json.dumps(answers))
            """
        let data = try LibraryScript.run(script, arguments: [directory.path])
        let answers = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: [String: [[Int64]]]])
        let queries = try VectorFile.read(path: directory.appendingPathComponent("queries.npy").path)
        for (name, file, metric) in [
            ("l2", "l2.hnsw", Metric.l2), ("ip", "ip.hnsw", .innerProduct), ("cosine", "cosine.hnsw", .cosine),
        ] {
            let index = try IndexFile.open(path: directory.appendingPathComponent(file).path, space: metric)
            let ids = try XCTUnwrap(answers[name]?["ids"])
            let bits = try XCTUnwrap(answers[name]?["bits"])
            var otherIDs: [Int] = []
            var otherBits: [Int] = []
            for row in 0..<queries.count {
                let (trace, _) = try Searcher.trace(index, query: queries.row(row), request: SearchRequest(k: 100, ef: 100))
                if trace.results.map(\.id) != ids[row] { otherIDs.append(row) }
                if trace.results.map({ Int64($0.distance.bitPattern) }) != bits[row] { otherBits.append(row) }
            }
            XCTAssertEqual(otherIDs, [], "\(name): \(otherIDs.count) of \(queries.count) queries return other ids or order")
            XCTAssertEqual(otherBits.count, 0, "\(name): \(otherBits.count) of \(queries.count) queries differ in float bits")
        }
    }

    func testFaissClusteredDataAtK100GivesTheLibrarysExactOrder() throws {
        guard LibraryScript.isAvailable else { throw XCTSkip("no .venv with faiss") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-stress-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = """
            import json, sys
            import numpy as np, faiss
            faiss.omp_set_num_threads(1)
            out = sys.argv[1]
            rng = np.random.default_rng(2025)
            centres = rng.normal(size=(30, 48)).astype(np.float32) * 4
            data = (centres[rng.integers(0, 30, 3000)] + rng.normal(size=(3000, 48)).astype(np.float32) * 0.3).astype(np.float32)
            queries = (centres[rng.integers(0, 30, 600)] + rng.normal(size=(600, 48)).astype(np.float32) * 0.3).astype(np.float32)
            np.save(f"{out}/queries.npy", queries)
            indexes = {}
            for name, metric in (("l2", faiss.METRIC_L2), ("ip", faiss.METRIC_INNER_PRODUCT)):
                hnsw = faiss.IndexHNSWFlat(48, 16, metric)
                hnsw.hnsw.efConstruction = 80
                hnsw.add(data)
                hnsw.hnsw.efSearch = 100
                indexes[f"hnsw_{name}"] = hnsw
                quantizer = faiss.IndexFlat(48, metric)
                ivf = faiss.IndexIVFFlat(quantizer, 48, 32, metric)
                ivf.train(data)
                ivf.add(data)
                ivf.nprobe = 6
                indexes[f"ivf_{name}"] = ivf
            indexes["flat_ip"] = faiss.IndexFlatIP(48)
            indexes["flat_ip"].add(data)
            answers = {}
            for name, index in indexes.items():
                faiss.write_index(index, f"{out}/{name}.faiss")
                ids, bits = [], []
                for row in queries:
                    D, I = index.search(row[None, :], 100)
                    ids.append(I[0].tolist())
                    bits.append(D[0].view(np.uint32).tolist())
                answers[name] = {"ids": ids, "bits": bits}
            print(json.dumps(answers))
            """
        let data = try LibraryScript.run(script, arguments: [directory.path])
        let answers = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: [String: [[Int64]]]])
        let queries = try VectorFile.read(path: directory.appendingPathComponent("queries.npy").path)
        for name in answers.keys.sorted() {
            let index = try IndexFile.open(path: directory.appendingPathComponent("\(name).faiss").path, space: .l2)
            let ids = try XCTUnwrap(answers[name]?["ids"])
            let bits = try XCTUnwrap(answers[name]?["bits"])
            var otherIDs: [Int] = []
            var otherBits: [Int] = []
            for row in 0..<queries.count {
                let (trace, _) = try Searcher.trace(index, query: queries.row(row), request: SearchRequest(k: 100))
                if trace.results.map(\.id) != ids[row] { otherIDs.append(row) }
                if trace.results.map({ Int64($0.distance.bitPattern) }) != bits[row] { otherBits.append(row) }
            }
            XCTAssertEqual(otherIDs, [], "\(name): \(otherIDs.count) of \(queries.count) queries return other ids or order")
            XCTAssertEqual(otherBits.count, 0, "\(name): \(otherBits.count) of \(queries.count) queries differ in float bits")
        }
    }
}
