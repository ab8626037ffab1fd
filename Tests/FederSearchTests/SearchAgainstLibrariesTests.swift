import FederIndex
import FederSearch
import FederTestSupport
import Foundation
import XCTest

/// Traced searches return what faiss / hnswlib returned on the same file, query and parameters, and count
/// what their statistics count. Integer-valued fixtures and every hnswlib fixture must match exactly (ids,
/// order, float32 distance bits, counts): the hnswlib kernels reproduce the installed library's arithmetic.
/// faiss float fixtures (flat, IVF, HNSW, IDMap) still compare distances within 1e-5 relative, with ids
/// allowed to differ only where the library's own distances are tied within that tolerance, because the faiss
/// kernels do not yet sum as faiss's dispatched SIMD level does.
final class SearchAgainstLibrariesTests: XCTestCase {
    static let untraceable: Set<String> = ["IwPQ", "IwSq", "IwSQ"]

    func testEverySearchMatchesTheLibrary() throws {
        let manifest = try FixtureManifest.load()
        var compared = 0
        var exactCounts = 0
        for fixture in manifest.fixtures {
            let type = fixture.expect["type"].map { "\($0)" } ?? ""
            if Self.untraceable.contains(type.replacingOccurrences(of: "\"", with: "")) { continue }
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
                    compare(trace.results, expected, exact: Self.exact(fixture), label: label)
                    if let stats = search.stats[row] {
                        if let ndis = stats.ndis, let nlist = stats.nlist {
                            XCTAssertEqual(trace.counts.scanned, ndis, "\(label): scanned vs indexIVF_stats.ndis")
                            XCTAssertEqual(trace.counts.probedLists, nlist, "\(label): probedLists vs indexIVF_stats.nlist")
                            XCTAssertEqual(trace.counts.distanceComputations, ndis + (trace.ivf?.centroidDistances.count ?? 0))
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

    /// Whether a fixture's answers must match bit for bit (atol = 0) rather than within `tolerance`.
    static func exact(_ fixture: FixtureManifest.Fixture) -> Bool {
        fixture.tier == "integer" || fixture.format == "hnswlib"
    }

    private func compare(_ ours: [Neighbor], _ expected: FixtureManifest.Result, exact: Bool, label: String) {
        XCTAssertEqual(ours.count, expected.ids.count, "\(label): result count")
        guard ours.count == expected.ids.count else { return }
        let ourIDs = ours.map(\.id)
        if exact {
            XCTAssertEqual(ourIDs, expected.ids, "\(label): ids")
            XCTAssertEqual(ours.map { Double($0.distance) }, expected.distances, "\(label): distances")
            return
        }
        for (position, (neighbor, distance)) in zip(ours, expected.distances).enumerated() {
            XCTAssertEqual(Double(neighbor.distance), distance, accuracy: tolerance(distance), "\(label): distance \(position)")
        }
        if ourIDs != expected.ids {
            // Differences are allowed only between near-tied distances.
            for position in ours.indices where ourIDs[position] != expected.ids[position] {
                let distance = expected.distances[position]
                let tied =
                    expected.distances.enumerated().contains { other in
                        other.offset != position && abs(other.element - distance) <= tolerance(distance)
                    } || position == ours.count - 1
                XCTAssertTrue(tied, "\(label): id \(ourIDs[position]) vs \(expected.ids[position]) at \(position) without a near-tie")
            }
        }
    }

    private func tolerance(_ value: Double) -> Double { max(abs(value) * 1e-5, 1e-5) }
}
