import FederIndex
import FederSearch
import FederTestSupport
import Foundation
import XCTest

/// Traced searches return what faiss / hnswlib returned on the same file, query and parameters, and count
/// what their statistics count: the same ids, in the same order, with the same float32 distance bits (atol = 0)
/// on every fixture, float and integer. The answers come from the libraries on this machine (the committed
/// set is answered again by `gen_fixtures.py --answer`; CI's fresh set is written here), so a kernel that sums
/// in another order than the installed build cannot hide behind answers recorded elsewhere.
final class SearchAgainstLibrariesTests: XCTestCase {
    /// Index codes whose searches are not traced yet: a fixture holding one anywhere is skipped.
    static let untraceable: Set<String> = []

    /// The codes of an expect object and of every index nested in it.
    static func codes(in expect: JSONValue) -> [String] {
        var found: [String] = []
        if case .string(let code)? = expect["type"] { found.append(code) }
        for key in ["inner", "base"] { if let nested = expect[key] { found += codes(in: nested) } }
        return found
    }

    func testEverySearchMatchesTheLibrary() throws {
        let manifest = try FixtureManifest.load()
        var compared = 0
        var exactCounts = 0
        for fixture in manifest.fixtures {
            if Self.codes(in: fixture.expect).contains(where: Self.untraceable.contains) { continue }
            guard let queriesPath = manifest.queriesPath(of: fixture) else { continue }
            let space = fixture.space.flatMap(Metric.init(name:)) ?? .l2
            let index = try IndexFile.open(path: manifest.path(of: fixture), space: space)
            let queries = try VectorFile.read(path: queriesPath)
            for search in fixture.searches {
                for (row, expected) in search.results.enumerated() {
                    let label =
                        "\(fixture.name) k=\(search.k) nprobe=\(search.nprobe.map(String.init) ?? "-") "
                        + "ef=\(search.ef.map(String.init) ?? "-") query \(row)"
                    let request = SearchRequest(k: search.k, nprobe: search.nprobe, ef: search.ef)
                    let (trace, _) = try Searcher.trace(index, query: queries.row(row), request: request)
                    compare(trace.results, expected, label: label)
                    if let stats = search.stats[row] {
                        if let ndis = stats.ndis, let nlist = stats.nlist {
                            XCTAssertEqual(trace.counts.scanned, ndis, "\(label): scanned vs indexIVF_stats.ndis")
                            XCTAssertEqual(trace.counts.probedLists, nlist, "\(label): probedLists vs indexIVF_stats.nlist")
                            if let coarse = stats.coarseNdis {
                                XCTAssertEqual(trace.ivf?.coarseCounts?.distanceComputations, coarse, "\(label): quantizer hnsw_stats.ndis")
                                XCTAssertEqual(trace.ivf?.coarseCounts?.hops, stats.coarseNhops, "\(label): quantizer hnsw_stats.nhops")
                                XCTAssertEqual(trace.counts.distanceComputations, ndis + coarse)
                            } else {
                                // A refine index re-scores its shortlist on top of the base search's distances.
                                let refined = trace.refine?.refined.count(where: { $0 != nil }) ?? 0
                                XCTAssertEqual(
                                    trace.counts.distanceComputations, ndis + (trace.ivf?.centroidDistances.count ?? 0) + refined)
                            }
                        }
                        if let ndis = stats.ndis, let nhops = stats.nhops {
                            XCTAssertEqual(trace.counts.distanceComputations, ndis, "\(label): hnsw_stats.ndis")
                            XCTAssertEqual(trace.counts.hops, nhops, "\(label): hnsw_stats.nhops")
                        }
                        exactCounts += 1
                    }
                    compared += 1
                }
            }
        }
        XCTAssertGreaterThan(compared, 500)
        XCTAssertGreaterThan(exactCounts, 100)
    }

    private func compare(_ ours: [Neighbor], _ expected: FixtureManifest.Result, label: String) {
        XCTAssertEqual(ours.map(\.id), expected.ids, "\(label): ids")
        XCTAssertEqual(
            ours.map { Float($0.distance).bitPattern }, expected.distances.map { Float($0).bitPattern }, "\(label): distance bits")
    }
}
