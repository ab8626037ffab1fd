import FederIndex
import FederSearch
import FederTestSupport
import Foundation
import XCTest

/// hnswlib with NaN stored vectors: `searchKnn` hands its results over in a `std::priority_queue` of
/// (distance, label) pairs, where NaN is neither smaller nor larger than anything, so where a NaN element lands
/// is decided by the heap's moves. The library itself, run here on the same index, is the oracle.
final class HNSWLibNaNTests: XCTestCase {
    func testResultsWithNaNDistancesComeInTheLibrarysOrder() throws {
        guard LibraryScript.isAvailable else { throw XCTSkip("no .venv with hnswlib") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-nan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = """
            import json, sys
            import numpy as np, hnswlib
            out = sys.argv[1]
            rng = np.random.default_rng(7)
            answers = []
            for space in ("l2", "ip", "cosine"):
                data = rng.normal(size=(80, 8)).astype(np.float32)
                data[[3, 17, 41], rng.integers(0, 8, 3)] = np.nan
                index = hnswlib.Index(space=space, dim=8)
                index.init_index(max_elements=80, ef_construction=40, M=6, random_seed=5)
                index.add_items(data, np.arange(80) * 3 + 1)
                index.save_index(f"{out}/{space}.hnsw")
                queries = np.concatenate([rng.normal(size=(6, 8)).astype(np.float32), data[[5, 40]]])
                index.set_ef(30)
                labels, distances = index.knn_query(queries, k=12)
                np.save(f"{out}/{space}.queries.npy", queries)
                answers.append({"space": space, "labels": labels.tolist(),
                                "bits": distances.view(np.uint32).tolist()})
            print(json.dumps(answers))
            """
        let data = try LibraryScript.run(script, arguments: [directory.path])
        let answers = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        var nanResults = 0
        for answer in answers {
            let space = try XCTUnwrap(answer["space"] as? String)
            let labels = try XCTUnwrap(answer["labels"] as? [[Int64]])
            let bits = try XCTUnwrap(answer["bits"] as? [[UInt32]])
            let metric: Metric = space == "l2" ? .l2 : space == "ip" ? .innerProduct : .cosine
            let index = try IndexFile.open(path: directory.appendingPathComponent("\(space).hnsw").path, space: metric)
            let queries = try VectorFile.read(path: directory.appendingPathComponent("\(space).queries.npy").path)
            for row in 0..<queries.count {
                let (trace, _) = try Searcher.trace(index, query: queries.row(row), request: SearchRequest(k: 12, ef: 30))
                XCTAssertEqual(trace.results.map(\.id), labels[row], "\(space) query \(row): ids in the library's order")
                // hnswlib's kernels are mirrored bit for bit: every distance, NaN included, has the library's bits.
                XCTAssertEqual(trace.results.map(\.distance.bitPattern), bits[row], "\(space) query \(row): float bits")
                nanResults += trace.results.filter(\.distance.isNaN).count
            }
        }
        XCTAssertGreaterThan(nanResults, 0, "some result must carry a NaN distance, or the test checks nothing")
    }
}
