import FederIndex
import FederSearch
import FederTestSupport
import Foundation
import XCTest

/// faiss's binary indexes through the engine door: every traced search returns what faiss returned on the same
/// file, codes and parameters (ids, order and integer distances, ties included: short codes tie almost
/// everywhere), and counts what `indexIVF_stats` and `hnsw_stats` count.
final class FaissBinaryAgainstLibrariesTests: XCTestCase {
    func testEverySearchMatchesFaiss() throws {
        let manifest = try FixtureManifest.load()
        let fixtures = manifest.binary ?? []
        XCTAssertGreaterThanOrEqual(fixtures.count, 8, "the manifest lists the binary fixtures")
        var compared = 0
        var ties = 0
        for fixture in fixtures {
            let index = try IndexFile.open(path: manifest.path(of: fixture))
            XCTAssertEqual(index.model.engine, fixture.format, fixture.name)
            XCTAssertEqual(index.model.distance, DistanceConvention(.hamming), fixture.name)
            guard let queriesPath = manifest.queriesPath(of: fixture) else { continue }
            let queries = try VectorFile.readPackedBits(path: queriesPath)
            XCTAssertEqual(queries.dim, index.dim, fixture.name)
            for search in fixture.searches {
                for (row, expected) in search.results.enumerated() {
                    let label = "\(fixture.name) k=\(search.k) nprobe=\(search.nprobe ?? 0) ef=\(search.ef ?? 0) query \(row)"
                    let request = SearchRequest(k: search.k, nprobe: search.nprobe, ef: search.ef)
                    let (trace, _) = try Searcher.trace(index, query: queries.row(row), request: request)
                    XCTAssertEqual(trace.results.map(\.id), expected.ids, label)
                    let distances = trace.results.map { Double(Int32(clamping: Int64($0.distance))) }
                    XCTAssertEqual(distances, expected.distances, label)
                    ties += zip(expected.distances, expected.distances.dropFirst()).count { $0 == $1 }
                    if let stats = search.stats[row] {
                        if search.nprobe != nil {
                            XCTAssertEqual(trace.counts.scanned, stats.ndis, "\(label): ndis")
                            XCTAssertEqual(trace.counts.probedLists, stats.nlist, "\(label): nlist")
                        } else {
                            XCTAssertEqual(trace.counts.distanceComputations, stats.ndis, "\(label): ndis")
                            XCTAssertEqual(trace.counts.hops, stats.nhops, "\(label): nhops")
                        }
                    }
                    compared += 1
                }
            }
        }
        XCTAssertGreaterThan(compared, 200)
        XCTAssertGreaterThan(ties, 100, "the fixtures hold tied distances")
    }

    /// Exact truth over the codes: the flat index's own answer (faiss scans rows in order, so ties go to the lower
    /// id), for every index holding the same codes.
    func testExactTruthIsTheFlatScan() throws {
        let manifest = try FixtureManifest.load()
        for fixture in manifest.binary ?? [] where fixture.expect["type"] == .string("IBxF") {
            let index = try IndexFile.open(path: manifest.path(of: fixture))
            guard let queriesPath = manifest.queriesPath(of: fixture) else { continue }
            let queries = try VectorFile.readPackedBits(path: queriesPath)
            for search in fixture.searches {
                let all = (0..<queries.count).map { queries.row($0) }
                let exact = try BlockedExact.neighbors(index, queries: all, k: search.k)
                for (row, expected) in search.results.enumerated() {
                    let answered = zip(expected.ids, expected.distances).filter { $0.0 >= 0 }
                    XCTAssertEqual(exact[row].map(\.id), answered.map(\.0), "\(fixture.name) k=\(search.k) query \(row)")
                    XCTAssertEqual(exact[row].map { Double($0.distance) }, answered.map(\.1), "\(fixture.name) query \(row)")
                }
            }
        }
    }

    /// A binary IVF miss in an unprobed list carries that list's coarse rank (past nprobe), and at the nprobe the
    /// query needed every exact neighbour's list is probed.
    func testIVFMissesNameTheirListsAndTheNprobeNeeded() throws {
        let manifest = try FixtureManifest.load()
        var unprobed = 0
        for fixture in manifest.binary ?? [] where fixture.name.contains("ivf") {
            let index = try IndexFile.open(path: manifest.path(of: fixture))
            guard let queriesPath = manifest.queriesPath(of: fixture) else { continue }
            let queries = try VectorFile.readPackedBits(path: queriesPath)
            for row in 0..<queries.count {
                let query = queries.row(row)
                let exact = try Measures.exactNeighbors(index, query: query, k: 10)
                let trace = try Searcher.trace(index, query: query, request: SearchRequest(k: 10, nprobe: 1)).trace
                let (misses, needed) = Explanations.explain(trace, index: index, exact: exact, k: 10)
                for miss in misses where miss.reason == .unprobedList {
                    XCTAssertGreaterThan(try XCTUnwrap(miss.listRank), 1, fixture.name)
                    XCTAssertFalse(trace.ivf?.probes.contains { $0.list == miss.list } ?? true, fixture.name)
                    unprobed += 1
                }
                let nprobe = try XCTUnwrap(needed?.nprobe, fixture.name)
                let wide = try Searcher.trace(index, query: query, request: SearchRequest(k: 10, nprobe: nprobe)).trace
                let probed = Set(wide.ivf?.probes.map(\.list) ?? [])
                let (_, stillNeeded) = Explanations.explain(wide, index: index, exact: exact, k: 10)
                XCTAssertEqual(stillNeeded?.nprobe, nprobe, fixture.name)
                let (wideMisses, _) = Explanations.explain(wide, index: index, exact: exact, k: 10)
                for miss in wideMisses { XCTAssertTrue(probed.contains(try XCTUnwrap(miss.list)), "\(fixture.name): \(miss)") }
                XCTAssertFalse(wideMisses.contains { $0.reason == .unprobedList }, fixture.name)
            }
        }
        XCTAssertGreaterThan(unprobed, 10)
    }

    func testAStoredCodeIsFoundAtDistanceZero() throws {
        let manifest = try FixtureManifest.load()
        for fixture in manifest.binary ?? [] {
            let index = try IndexFile.open(path: manifest.path(of: fixture))
            let label = index.model.type.hasPrefix("IBM") ? try XCTUnwrap(fixture.searches.first?.results.last?.ids.first) : 5
            let stored = try XCTUnwrap(index.storedVector(label: label), fixture.name)
            XCTAssertEqual(stored.count, index.dim)
            let exact = try Measures.exactNeighbors(index, query: stored, k: 1)
            XCTAssertEqual(exact.first?.distance, 0, fixture.name)
        }
    }
}
