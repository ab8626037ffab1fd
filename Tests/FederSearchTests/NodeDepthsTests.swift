import FederIndex
import FederTestSupport
import XCTest

@testable import FederSearch

/// The breadth-first searches' node → depth table against a Dictionary: the same answers over random nodes, with
/// repeats, growth from a small table, node 0 and the largest node.
final class NodeDepthsTests: XCTestCase {
    func testAgreesWithADictionary() {
        var random = SystemRandomNumberGenerator()
        for range in [50, 5_000, 2_000_000] {
            var table = NodeDepths()
            var reference: [Int: Int] = [:]
            for step in 0..<20_000 {
                let node = step % 97 == 0 ? [0, Int(Int32.max)][step % 2] : Int.random(in: 0..<range, using: &random)
                let depth = Int.random(in: 0..<30, using: &random)
                let fresh = reference[node] == nil
                XCTAssertEqual(table.insert(node, depth: depth), fresh)
                if fresh { reference[node] = depth }
            }
            XCTAssertEqual(table.count, reference.count)
            for node in reference.keys { XCTAssertEqual(table[node], reference[node]) }
            for _ in 0..<1_000 {
                let node = Int.random(in: 0..<range, using: &random)
                XCTAssertEqual(table[node], reference[node])
            }
            XCTAssertNil(table[-1])
        }
    }
}

/// The searches that look for the ef a query needed skip recording layer 0's steps (hnswlib and faiss HNSW): their
/// answers and counts are the recorded search's, bit for bit.
final class UnrecordedSearchTests: XCTestCase {
    func testAnUnrecordedHNSWSearchAnswersAsTheRecordedOne() throws {
        let manifest = try FixtureManifest.load(committed: true)
        var checked = 0
        for name in ["hnswlib_l2.hnsw", "hnswlib_cosine.hnsw", "hnswlib_l2_deleted.hnsw", "hnsw_flat_l2.faiss", "hnsw_flat_ip.faiss"] {
            let index = try IndexFile.open(
                path: manifest.directory.appendingPathComponent(name).path, space: name.contains("cosine") ? .cosine : .l2)
            let before = checked
            defer { XCTAssertGreaterThan(checked, before, "\(name): no query checked") }
            for row in stride(from: 0, to: min(index.count, 60), by: 7) {
                guard let query = index.storedVector(label: Int64(row)) else { continue }
                for ef in [1, 10, 40] {
                    var request = SearchRequest(k: 5, ef: ef)
                    let recorded = try Searcher.trace(index, query: query, request: request).trace
                    request.recordSteps = false
                    let bare = try Searcher.trace(index, query: query, request: request, reusing: recorded).trace
                    XCTAssertEqual(bare.results.map(\.id), recorded.results.map(\.id), "\(name) row \(row) ef \(ef)")
                    XCTAssertEqual(bare.results.map(\.distance.bitPattern), recorded.results.map(\.distance.bitPattern))
                    XCTAssertEqual(bare.counts, recorded.counts, "\(name) row \(row) ef \(ef)")
                    XCTAssertTrue(bare.hnsw?.level0.steps.isEmpty ?? false)
                    XCTAssertFalse(recorded.hnsw?.level0.steps.isEmpty ?? true)
                    checked += 1
                }
            }
        }
        XCTAssertGreaterThan(checked, 20)
    }
}
