import FederIndex
import FederSearch
import FederTestSupport
import Foundation
import XCTest

/// faiss's single-query flat search switches from the k-heap to its reservoir at k = 100, which keeps other
/// rows among tied distances. Integer data makes ties common and every distance exact, so ids and order must
/// equal the library's; faiss itself, run here, is the oracle.
final class FlatReservoirTests: XCTestCase {
    func testLargeKFlatSearchesKeepTheLibrarysTies() throws {
        guard LibraryScript.isAvailable else { throw XCTSkip("no .venv with faiss") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-reservoir-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = """
            import json, sys
            import numpy as np, faiss
            faiss.omp_set_num_threads(1)
            out = sys.argv[1]
            rng = np.random.default_rng(11)
            answers = {}
            for metric in ("ip", "l2"):
                xb = rng.integers(-2, 3, size=(3000, 8)).astype(np.float32)
                index = faiss.IndexFlatIP(8) if metric == "ip" else faiss.IndexFlatL2(8)
                index.add(xb)
                faiss.write_index(index, f"{out}/{metric}.faiss")
                queries = rng.integers(-2, 3, size=(12, 8)).astype(np.float32)
                np.save(f"{out}/{metric}.queries.npy", queries)
                rows = []
                for q in queries:
                    for k in (99, 100, 128, 700):
                        d, i = index.search(q[None, :], k)
                        rows.append({"k": k, "ids": i[0].tolist(), "distances": d[0].tolist()})
                answers[metric] = rows
            print(json.dumps(answers))
            """
        let data = try LibraryScript.run(script, arguments: [directory.path])
        let answers = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: [[String: Any]]])
        var compared = 0
        for metric in ["ip", "l2"] {
            let index = try IndexFile.open(path: directory.appendingPathComponent("\(metric).faiss").path)
            let queries = try VectorFile.read(path: directory.appendingPathComponent("\(metric).queries.npy").path)
            let rows = try XCTUnwrap(answers[metric])
            XCTAssertEqual(rows.count, queries.count * 4)
            for (position, row) in rows.enumerated() {
                let k = try XCTUnwrap(row["k"] as? Int)
                let ids = try XCTUnwrap(row["ids"] as? [Int64])
                let distances = try XCTUnwrap(row["distances"] as? [Double])
                let (trace, _) = try Searcher.trace(index, query: queries.row(position / 4), request: SearchRequest(k: k))
                XCTAssertEqual(trace.results.map(\.id), ids, "\(metric) query \(position / 4) k \(k): ids")
                XCTAssertEqual(trace.results.map { Double($0.distance) }, distances, "\(metric) query \(position / 4) k \(k): distances")
                compared += 1
            }
        }
        XCTAssertEqual(compared, 96)
    }

    /// An IVF's flat coarse quantizer is searched the same way for its nprobe nearest centroids: from nprobe
    /// 100 on faiss's reservoir decides which of several tied centroids are probed, in which order (inner
    /// product; for L2 the reservoir keeps what the heap keeps). Integer centroids tie often.
    func testIVFCoarseSearchKeepsTheLibrarysTiesFromNprobe100() throws {
        guard LibraryScript.isAvailable else { throw XCTSkip("no .venv with faiss") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-ivf-reservoir-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = """
            import json, sys
            import numpy as np, faiss
            faiss.omp_set_num_threads(1)
            out = sys.argv[1]
            rng = np.random.default_rng(3)
            d = 5
            quantizer = faiss.IndexFlatIP(d)
            quantizer.add(rng.integers(-1, 2, size=(1000, d)).astype(np.float32))
            index = faiss.IndexIVFFlat(quantizer, d, 1000, faiss.METRIC_INNER_PRODUCT)
            index.is_trained = True
            index.add(rng.integers(-3, 4, size=(5000, d)).astype(np.float32))
            faiss.write_index(index, f"{out}/ivf.faiss")
            queries = rng.integers(-1, 2, size=(10, d)).astype(np.float32)
            np.save(f"{out}/queries.npy", queries)
            rows = []
            for q in queries:
                for nprobe in (99, 100, 150, 300):
                    index.nprobe = nprobe
                    faiss.cvar.indexIVF_stats.reset()
                    dist, ids = index.search(q[None, :], 20)
                    scanned = faiss.cvar.indexIVF_stats.ndis
                    coarse = quantizer.search(q[None, :], nprobe)[1][0].tolist()
                    rows.append({"nprobe": nprobe, "ids": ids[0].tolist(), "scanned": scanned, "lists": coarse})
            print(json.dumps(rows))
            """
        let data = try LibraryScript.run(script, arguments: [directory.path])
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        let index = try IndexFile.open(path: directory.appendingPathComponent("ivf.faiss").path)
        let queries = try VectorFile.read(path: directory.appendingPathComponent("queries.npy").path)
        XCTAssertEqual(rows.count, 40)
        for (position, row) in rows.enumerated() {
            let nprobe = try XCTUnwrap(row["nprobe"] as? Int)
            let request = SearchRequest(k: 20, nprobe: nprobe)
            let (trace, _) = try Searcher.trace(index, query: queries.row(position / 4), request: request)
            let label = "query \(position / 4) nprobe \(nprobe)"
            XCTAssertEqual(trace.results.map(\.id), try XCTUnwrap(row["ids"] as? [Int64]), "\(label): ids")
            XCTAssertEqual(trace.counts.scanned, try XCTUnwrap(row["scanned"] as? Int), "\(label): indexIVF_stats.ndis")
            XCTAssertEqual(trace.ivf?.probes.map(\.list), try XCTUnwrap(row["lists"] as? [Int]), "\(label): the lists probed, in order")
        }
    }
}
