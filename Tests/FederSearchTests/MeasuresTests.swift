import FederIndex
import FederSearch
import FederTestSupport
import XCTest

final class MeasuresTests: XCTestCase {
    private func neighbors(_ pairs: [(Int64, Float)]) -> [Neighbor] {
        pairs.map { Neighbor(id: $0.0, distance: $0.1, internalID: -1) }
    }

    func testJaccardIgnoresPadding() {
        let a = neighbors([(1, 0), (2, 1), (3, 2), (-1, .greatestFiniteMagnitude)])
        let b = neighbors([(2, 0), (3, 1), (4, 2)])
        XCTAssertEqual(Measures.jaccard(a, b), 0.5)
        XCTAssertEqual(Measures.jaccard([], []), 1)
    }

    func testRecallCountsTiesAtTheBoundary() {
        let exact = neighbors([(1, 0), (2, 1), (3, 2)])
        let tied = neighbors([(1, 0), (2, 1), (9, 2)])
        XCTAssertEqual(Measures.compare(results: tied, exact: exact, k: 3, largerIsBetter: false).recall, 1)
        let worse = neighbors([(1, 0), (9, 2.5), (2, 1)])
        let measures = Measures.compare(results: worse, exact: exact, k: 3, largerIsBetter: false)
        XCTAssertEqual(measures.recall, 2.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(measures.rankOfTrueNearest, 1)
        XCTAssertNil(Measures.compare(results: neighbors([(5, 3)]), exact: exact, k: 1, largerIsBetter: false).rankOfTrueNearest)
    }

    func testExactSearchSkipsDeletedElementsAndMatchesFlatFaiss() throws {
        let manifest = try FixtureManifest.load(committed: true)
        let deleted = try IndexFile.open(path: manifest.directory.appendingPathComponent("hnswlib_l2_deleted.hnsw").path)
        guard case .hnswlib(let hnswlib) = deleted else { return XCTFail("not hnswlib") }
        let deletedLabels = Set((0..<hnswlib.count).filter(hnswlib.isDeleted).map { Int64(hnswlib.label($0)) })
        XCTAssertEqual(deletedLabels.count, 10)
        // Querying with a deleted element's own vector must not return it.
        let label = try XCTUnwrap(deletedLabels.sorted().first)
        // A deleted element's vector is still in the file, but no query by label may use it (hnswlib refuses).
        XCTAssertNil(deleted.storedVector(label: label))
        XCTAssertTrue(deleted.isDeletedLabel(label))
        let element = try XCTUnwrap((0..<hnswlib.count).first { Int64(hnswlib.label($0)) == label })
        let query = hnswlib.vectors.row(element)
        let exact = try Measures.exactNeighbors(deleted, query: query, k: 50)
        XCTAssertTrue(exact.allSatisfy { !deletedLabels.contains($0.id) })
        XCTAssertEqual(exact.count, 50)

        // Exact search over a flat index is the flat search itself.
        let flat = try IndexFile.open(path: manifest.directory.appendingPathComponent("flat_ip_int.faiss").path)
        let queries = try VectorFile.read(path: manifest.directory.appendingPathComponent("flat_ip_int.queries.npy").path)
        for row in 0..<queries.count {
            let (trace, _) = try Searcher.trace(flat, query: queries.row(row), request: SearchRequest(k: 10))
            XCTAssertEqual(try Measures.exactNeighbors(flat, query: queries.row(row), k: 10).map(\.id), trace.results.map(\.id))
        }
    }

    /// Exact truth never falls back to another metric: one faiss's float kernels do not cover is an error naming it.
    func testExactTruthRefusesAMetricItCannotCompute() {
        let table = VectorTable(name: "t", rows: (0..<32).map(Float.init), dim: 4)
        for metric in [Metric.hamming, .cosine, .other(20)] {
            XCTAssertThrowsError(try Measures.exactNeighbors(in: table, labels: nil, metric: metric, query: [0, 1, 2, 3], k: 2)) {
                XCTAssertTrue("\($0.localizedDescription)".contains(metric.name), "\($0.localizedDescription)")
            }
            XCTAssertThrowsError(try BlockedExact.neighbors(in: table, labels: nil, metric: metric, queries: [[0, 1, 2, 3]], k: 2))
        }
        XCTAssertEqual(try Measures.exactNeighbors(in: table, labels: nil, metric: .l1, query: [0, 1, 2, 3], k: 1).map(\.id), [0])
    }

    /// A query the transform chain cannot take is an error, not an empty truth (which would read as recall 0).
    func testExactTruthThroughATransformRefusesAQueryOfAnotherDimension() throws {
        let manifest = try FixtureManifest.load(committed: true)
        let index = try IndexFile.open(path: manifest.directory.appendingPathComponent("pca_flat_l2.faiss").path)
        let good = [Float](repeating: 0.5, count: index.dim)
        XCTAssertFalse(try Measures.exactNeighbors(index, query: good, k: 3).isEmpty)
        let short = [Float](repeating: 0.5, count: index.dim - 1)
        XCTAssertThrowsError(try Measures.exactNeighbors(index, query: short, k: 3)) {
            XCTAssertEqual(
                $0 as? FederSearchError,
                .dimensionMismatch(
                    expected: index.dim, got: index.dim - 1, source: "the query at this stage of the transform chain"))
        }
        XCTAssertThrowsError(try BlockedExact.neighbors(index, queries: [good, short], k: 3))
        XCTAssertThrowsError(try BlockedExact.distances(index, queries: [short], labels: [[1]]))
    }
}

/// The coarse rank of a missed neighbour's list, counted without sorting every centroid, is its place in the full
/// coarse order: probed lists first as ranked, then the rest by distance, ties by list number (both metrics, and
/// with distances rounded so that many lists tie).
final class CoarseRankTests: XCTestCase {
    func testCountedRanksAreTheCoarseOrder() throws {
        let manifest = try FixtureManifest.load(committed: true)
        for name in ["ivf_flat_l2_directmap_array.faiss", "ivf_flat_ip_full.faiss"] {
            let index = try IndexFile.open(path: manifest.directory.appendingPathComponent(name).path)
            guard case .faiss(let faiss) = index, case .ivf(let ivf) = faiss else { return XCTFail(name) }
            let queries = try VectorFile.read(
                path: manifest.directory.appendingPathComponent(name.replacingOccurrences(of: ".faiss", with: ".queries.npy")).path)
            for row in 0..<min(queries.count, 5) {
                let (trace, _) = try Searcher.trace(index, query: queries.row(row), request: SearchRequest(k: 5, nprobe: 3))
                var ivfTrace = try XCTUnwrap(trace.ivf)
                for roundTo in [Float(0), 4] {
                    if roundTo > 0 { ivfTrace.centroidDistances = ivfTrace.centroidDistances.map { ($0 * roundTo).rounded() / roundTo } }
                    let order = try XCTUnwrap(Explanations.coarseOrder(ivfTrace, of: ivf))
                    let ranks = try XCTUnwrap(Explanations.coarseRanks(ivfTrace, of: ivf, lists: Set(0..<ivf.nlist)))
                    for (position, list) in order.enumerated() {
                        XCTAssertEqual(ranks[list], position + 1, "\(name) row \(row) list \(list) rounded \(roundTo)")
                    }
                }
            }
        }
    }
}
