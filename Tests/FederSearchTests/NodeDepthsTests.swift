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
