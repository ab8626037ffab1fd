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
            let summary = IndexSummary(index)
            let ours = try JSONValue.parse(JSONEncoder().encode(summary))
            compare(expected: fixture.expect, ours: ours, where: fixture.name, index: index)
        }
    }

    /// Compares each key the library reported; keys named differently on our side are translated.
    private func compare(expected: JSONValue, ours: JSONValue, where name: String, index: IndexFile?) {
        guard let keys = expected.object else { return XCTFail("\(name): expect is not an object") }
        for (key, value) in keys.sorted(by: { $0.key < $1.key }) {
            switch key {
            case "sqType":
                XCTAssertEqual(ours["sq"]?["qtype"], value, "\(name).sqType")
            case "maxLevel":
                let levels = ours["levels"]?.number ?? 0
                XCTAssertEqual(JSONValue.number(levels - 1), value, "\(name).maxLevel")
            case "ids":
                guard case .faiss(.idMap(let map))? = index, let expectedIDs = value.array else {
                    XCTFail("\(name): ids expected on an IDMap")
                    continue
                }
                let prefix = Array(map.ids.prefix(expectedIDs.count)).map { JSONValue.number(Double($0)) }
                XCTAssertEqual(prefix, expectedIDs, "\(name).ids")
            case "inner":
                guard let inner = ours["inner"] else {
                    XCTFail("\(name): no inner summary")
                    continue
                }
                var innerIndex: IndexFile?
                if case .faiss(.idMap(let map))? = index { innerIndex = .faiss(map.inner) }
                compare(expected: value, ours: inner, where: name + ".inner", index: innerIndex)
            case "entryPoint" where name.hasPrefix("idmap"):
                continue  // the outer entry point is the mapped label; the inner one is checked in `inner`
            default:
                XCTAssertEqual(ours[key] ?? .null, value, "\(name).\(key)")
            }
        }
    }
}
