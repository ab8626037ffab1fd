import FederIndex
import FederSearch
import FederTestSupport
import XCTest

/// A search that records no steps and descends on its own (not taking over a recorded descent) gives the same answer
/// and counts as one that records every step, on every graph index committed: hnswlib, Voyager, faiss HNSW, binary.
final class UnrecordedDescentTests: XCTestCase {
    func testAnUnrecordedSearchHasTheRecordedOnesAnswerAndCounts() throws {
        let manifest = try FixtureManifest.load()
        var compared = 0
        for fixture in manifest.fixtures + (manifest.binary ?? []) + (manifest.voyager ?? []) {
            guard let index = try? IndexFile.open(path: manifest.path(of: fixture)), index.model.structures.contains(.layeredGraph)
            else { continue }
            guard let path = manifest.queriesPath(of: fixture) else { continue }
            let table =
                index.model.vectors == .packedBits ? try VectorFile.readPackedBits(path: path) : try VectorFile.read(path: path)
            for row in 0..<min(table.count, 4) {
                for ef in [5, 8, 40] {
                    var request = SearchRequest(k: 5, ef: ef)
                    let recorded = try Searcher.trace(index, query: table.row(row), request: request).trace
                    request.recordSteps = false
                    let bare = try Searcher.trace(index, query: table.row(row), request: request).trace
                    XCTAssertEqual(bare.results, recorded.results, "\(fixture.name) row \(row) ef \(ef)")
                    XCTAssertEqual(bare.counts, recorded.counts, "\(fixture.name) row \(row) ef \(ef)")
                    compared += 1
                }
            }
        }
        XCTAssertGreaterThan(compared, 30)
    }
}
