import FederIndex
import FederTestSupport
import Foundation
import XCTest

/// Every fixture's summary equals what faiss / hnswlib themselves report about the file.
final class InspectAgainstLibrariesTests: XCTestCase {
    func testEverySummaryMatchesTheLibrariesView() throws {
        let manifest = try FixtureManifest.load()
        XCTAssertGreaterThan(manifest.fixtures.count, 20)
        for fixture in manifest.fixtures {
            let space = fixture.space.flatMap(Metric.init(name:)) ?? .l2
            let index = try IndexFile.open(path: manifest.path(of: fixture), space: space)
            let ours = try JSONValue.parse(JSONEncoder().encode(IndexSummary(index)))
            var idMap: (() -> [Int64])?
            if case .faiss(.idMap(let map)) = index { idMap = { Array(map.ids) } }
            let problems = SummaryComparison.mismatches(expected: fixture.expect, ours: ours, name: fixture.name, idMap: idMap)
            XCTAssertEqual(problems, [], problems.joined(separator: "\n"))
        }
    }
}
