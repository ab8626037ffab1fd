import FederIndex
import FederSearch
import FederTestSupport
import Foundation
import XCTest

/// Voyager through the engine door: every traced search returns what `Index.query` returned on the same file,
/// query, k and query_ef — the same ids in the same order with the same float32 distance bits — in every space,
/// Float32, Float8 and E4M3 storage, each kernel path (Float32 / Float8: dimensions 7, 16, 20, 33; E4M3: widths
/// taking each of its kernels, and every width from 1 to 257 built here by the library), tied integer data and
/// deleted items.
final class VoyagerAgainstLibrariesTests: XCTestCase {
    func testEveryQueryMatchesVoyager() throws {
        let manifest = try FixtureManifest.load()
        let fixtures = manifest.voyager ?? []
        XCTAssertGreaterThanOrEqual(fixtures.count, 20, "the manifest lists the Voyager fixtures")
        XCTAssertGreaterThanOrEqual(
            fixtures.filter { $0.expect["type"] == .string("E4M3") }.count, 45, "the manifest lists the E4M3 fixtures")
        var compared = 0
        var comparedE4M3 = 0
        for fixture in fixtures {
            let index = try IndexFile.open(path: manifest.path(of: fixture))
            XCTAssertEqual(index.model.engine, "voyager", fixture.name)
            XCTAssertEqual(index.model.labels, .unsigned, fixture.name)
            guard let queriesPath = manifest.queriesPath(of: fixture) else { continue }
            let queries = try VectorFile.read(path: queriesPath)
            XCTAssertEqual(queries.dim, index.dim, fixture.name)
            for search in fixture.searches {
                for (row, expected) in search.results.enumerated() {
                    let label = "\(fixture.name) k=\(search.k) ef=\(search.ef ?? -1) query \(row)"
                    let (trace, _) = try Searcher.trace(index, query: queries.row(row), request: SearchRequest(k: search.k, ef: search.ef))
                    XCTAssertEqual(trace.results.map(\.id), expected.ids, label)
                    XCTAssertEqual(trace.results.map(\.distance.bitPattern), expected.distances.map { Float($0).bitPattern }, label)
                    compared += 1
                    if fixture.expect["type"] == .string("E4M3") { comparedE4M3 += 1 }
                }
            }
        }
        XCTAssertGreaterThan(compared, 300)
        XCTAssertGreaterThanOrEqual(comparedE4M3, 700)
    }

    /// E4M3 at every stored width the kernels tell apart (1 – 257: in order, blocks of 4 / 8 / 16 and each
    /// AtLeast kernel, with tails of every length) and at common embedding widths, in all three spaces: small
    /// indexes written and queried by the library here, coordinates of small and large magnitudes mixed so that the
    /// order of the additions shows in the float bits.
    func testE4M3AtEveryWidthMatchesVoyager() throws {
        guard LibraryScript.isAvailable else { throw XCTSkip("no .venv with voyager") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-e4m3-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = """
            import json, sys
            import numpy as np, voyager
            out = sys.argv[1]
            rng = np.random.default_rng(5)
            spaces = {"euclidean": voyager.Space.Euclidean, "ip": voyager.Space.InnerProduct, "cosine": voyager.Space.Cosine}
            widths = list(range(1, 258)) + [383, 384, 385, 511, 512, 513, 767, 768, 769, 1023, 1024, 1025]
            answers = []
            for d in widths:
                for name, space in spaces.items():
                    def spread(rows):
                        # Small and large magnitudes mixed (inner product's norms kept below 400: its extra
                        # dimension, the largest norm's complement, must stay within E4M3's 448).
                        high = min(7.0, np.log2(400 / np.sqrt(d))) if name == "ip" else 7.0
                        small = rng.uniform(-9.0, -4.0, size=(rows, d))
                        large = rng.uniform(high - 4.0, high, size=(rows, d))
                        signs = rng.choice([-1.0, 1.0], size=(rows, d))
                        mixed = np.where(rng.random((rows, d)) < 0.5, small, large)
                        return (signs * np.exp2(mixed)).astype(np.float32)
                    index = voyager.Index(space, num_dimensions=d, M=8, ef_construction=32, random_seed=1,
                                          storage_data_type=voyager.StorageDataType.E4M3)
                    index.add_items(spread(24), num_threads=1)
                    stem = f"{out}/{name}_{d}"
                    index.save(stem + ".voy")
                    back = voyager.Index.load(stem + ".voy")
                    queries = spread(4)
                    np.save(stem + ".queries.npy", queries)
                    for row, q in enumerate(queries):
                        labels, distances = back.query(q, k=20, query_ef=24)
                        answers.append({"stem": stem, "row": row, "ids": labels.astype(np.int64).tolist(),
                                        "bits": distances.view(np.uint32).tolist()})
            print(json.dumps(answers))
            """
        let data = try LibraryScript.run(script, arguments: [directory.path])
        let answers = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        XCTAssertEqual(answers.count, 269 * 3 * 4)
        var opened: (stem: String, index: IndexFile, queries: VectorTable)?
        for answer in answers {
            let stem = try XCTUnwrap(answer["stem"] as? String)
            let row = try XCTUnwrap(answer["row"] as? Int)
            if opened?.stem != stem {
                opened = (stem, try IndexFile.open(path: stem + ".voy"), try VectorFile.read(path: stem + ".queries.npy"))
            }
            guard let (_, index, queries) = opened else { continue }
            let (trace, _) = try Searcher.trace(index, query: queries.row(row), request: SearchRequest(k: 20, ef: 24))
            let label = "\(URL(fileURLWithPath: stem).lastPathComponent) query \(row)"
            XCTAssertEqual(trace.results.map(\.id), try XCTUnwrap(answer["ids"] as? [Int64]), label)
            XCTAssertEqual(trace.results.map(\.distance.bitPattern), try XCTUnwrap(answer["bits"] as? [UInt32]), label)
        }
    }

    func testAStoredItemIsItsOwnExactNearestNeighbour() throws {
        let manifest = try FixtureManifest.load()
        for fixture in manifest.voyager ?? [] where fixture.expect["type"] == .string("Float32") {
            let index = try IndexFile.open(path: manifest.path(of: fixture))
            guard let queriesPath = manifest.queriesPath(of: fixture) else { continue }
            let queries = try VectorFile.read(path: queriesPath)
            // The last query is a stored item (its own vector); a deleted item cannot be one.
            let last = queries.row(queries.count - 1)
            let exact = try Measures.exactNeighbors(index, query: last, k: 3)
            XCTAssertEqual(exact.count, 3, fixture.name)
            guard let first = exact.first, let stored = index.storedVector(label: first.id) else {
                XCTFail("\(fixture.name): no exact neighbour")
                continue
            }
            XCTAssertEqual(stored.count, index.dim, fixture.name)
            for pair in zip(exact, exact.dropFirst()) { XCTAssertLessThanOrEqual(pair.0.distance, pair.1.distance, fixture.name) }
            // The same as every live label's distance sorted by (distance, label).
            let labels = (0..<index.count).map { Int64($0) }
            let all = try BlockedExact.distances(index, queries: [last], labels: [labels])[0]
            let sorted = zip(labels, all).compactMap { label, distance in distance.map { (label, $0) } }
                .sorted { $0.1 < $1.1 || ($0.1 == $1.1 && UInt64(bitPattern: $0.0) < UInt64(bitPattern: $1.0)) }
            XCTAssertEqual(exact.map(\.id), sorted.prefix(3).map(\.0), fixture.name)
        }
    }

    /// A search that takes over an earlier search's descent (the ef a query needed, sweeps) is the whole search.
    func testAReusedDescentGivesTheWholeSearch() throws {
        let manifest = try FixtureManifest.load()
        var reused = 0
        for fixture in manifest.voyager ?? [] {
            let index = try IndexFile.open(path: manifest.path(of: fixture))
            guard let queriesPath = manifest.queriesPath(of: fixture) else { continue }
            let queries = try VectorFile.read(path: queriesPath)
            for row in 0..<queries.count {
                let first = try Searcher.trace(index, query: queries.row(row), request: SearchRequest(k: 5, ef: 10)).trace
                XCTAssertNotNil(HNSWDescent(of: first), fixture.name)
                for ef in [5, 32, 200] {
                    let request = SearchRequest(k: 5, ef: ef)
                    let whole = try Searcher.trace(index, query: queries.row(row), request: request).trace
                    let taken = try Searcher.trace(index, query: queries.row(row), request: request, reusing: first).trace
                    XCTAssertEqual(taken, whole, "\(fixture.name) row \(row) ef \(ef)")
                    reused += 1
                }
            }
        }
        XCTAssertGreaterThan(reused, 100)
    }

    /// 1-byte vectors wider than a quarter of an element (links, vector and label) are read and traced: Float8 and
    /// E4M3 at 100 dimensions with M = 8, written and queried by the library here.
    func testWideOneByteVectorsAreReadAndTraced() throws {
        guard LibraryScript.isAvailable else { throw XCTSkip("no .venv with voyager") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-wide-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = """
            import json, sys
            import numpy as np, voyager
            out = sys.argv[1]
            rng = np.random.default_rng(2)
            answers = {}
            for name, storage in (("float8", voyager.StorageDataType.Float8), ("e4m3", voyager.StorageDataType.E4M3)):
                index = voyager.Index(voyager.Space.Euclidean, num_dimensions=100, M=8, ef_construction=32, random_seed=1,
                                      storage_data_type=storage)
                index.add_items(rng.uniform(-0.9, 0.9, (50, 100)).astype(np.float32), num_threads=1)
                index.save(f"{out}/{name}.voy")
                query = rng.uniform(-0.9, 0.9, 100).astype(np.float32)
                np.save(f"{out}/{name}.queries.npy", query[None, :])
                labels, distances = voyager.Index.load(f"{out}/{name}.voy").query(query, k=5, query_ef=20)
                answers[name] = {"ids": labels.astype(np.int64).tolist(), "bits": distances.view(np.uint32).tolist()}
            print(json.dumps(answers))
            """
        let data = try LibraryScript.run(script, arguments: [directory.path])
        let answers = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: [String: [Int64]]])
        for name in ["float8", "e4m3"] {
            let index = try IndexFile.open(path: directory.appendingPathComponent("\(name).voy").path)
            XCTAssertEqual(index.dim, 100, name)
            let queries = try VectorFile.read(path: directory.appendingPathComponent("\(name).queries.npy").path)
            let (trace, _) = try Searcher.trace(index, query: queries.row(0), request: SearchRequest(k: 5, ef: 20))
            let expected = try XCTUnwrap(answers[name])
            XCTAssertEqual(trace.results.map(\.id), expected["ids"], name)
            XCTAssertEqual(trace.results.map { Int64($0.distance.bitPattern) }, expected["bits"], name)
        }
    }

    func testAQueryEfBelowKIsRefusedAsVoyagerRefusesIt() throws {
        let manifest = try FixtureManifest.load()
        let fixture = try XCTUnwrap(manifest.voyager?.first)
        let index = try IndexFile.open(path: manifest.path(of: fixture))
        XCTAssertThrowsError(
            try Searcher.trace(index, query: [Float](repeating: 0.1, count: index.dim), request: SearchRequest(k: 10, ef: 8)))
    }
}
