import FederReport
import FederTestSupport
import Foundation
import XCTest

/// The bundled example runs end to end, and its single-query sides return what faiss and hnswlib returned.
final class DigitsExampleTests: XCTestCase {
    private var examples: URL {
        FixtureManifest.committedDirectory().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Examples")
    }

    /// Every example with an `expected.json` (the libraries' own answers, written by its generator).
    func testEveryExampleMatchesTheLibrariesOwnAnswers() throws {
        var checked = 0
        for folder in try FileManager.default.contentsOfDirectory(atPath: examples.path).sorted() {
            let directory = examples.appendingPathComponent(folder)
            let expectedFile = directory.appendingPathComponent("expected.json")
            guard FileManager.default.fileExists(atPath: expectedFile.path) else { continue }
            let spec = try JobSpecParser.parse(file: directory.appendingPathComponent("compare.json").path)
            let (_, result) = try JobRunner(spec: spec).run()
            let expected = try JSONValue.parse(Data(contentsOf: expectedFile))
            let comparisons = try XCTUnwrap(expected["comparisons"]?.array)
            for (position, want) in comparisons.enumerated() {
                for (name, side) in [("left", result.comparisons[position].left), ("right", result.comparisons[position].right)] {
                    guard let wantSide = want[name], let idList = wantSide["ids"]?.array else { continue }
                    let ids = idList.compactMap(\.number).map { Int64($0) }
                    let distances = try XCTUnwrap(wantSide["distances"]?.array).compactMap(\.number)
                    XCTAssertEqual(side.first.results.map(\.id), ids, "\(folder) comparison \(position) \(name)")
                    for (ours, theirs) in zip(side.first.results.map { Double($0.distance) }, distances) {
                        XCTAssertEqual(ours, theirs, accuracy: max(abs(theirs) * 1e-5, 1e-5), "\(folder) comparison \(position) \(name)")
                    }
                    checked += 1
                }
            }
        }
        XCTAssertGreaterThanOrEqual(checked, 6)
    }

    func testDigitsSweeps() throws {
        let folder = examples.appendingPathComponent("digits")
        let spec = try JobSpecParser.parse(file: folder.appendingPathComponent("compare.json").path)
        let (runs, result) = try JobRunner(spec: spec).run()
        XCTAssertEqual(runs.count, 5)
        // The sweeps ran over the 40-query sets, both sides, every value.
        let sweep = try XCTUnwrap(result.comparisons[3].sweep)
        XCTAssertEqual(sweep.values, [1, 2, 4, 8, 16, 32])
        XCTAssertEqual(sweep.left.count, 6)
        XCTAssertEqual(result.comparisons[3].left.queryCount, 40)
        // More probes never lower the mean recall on the same queries.
        for (a, b) in zip(sweep.left, sweep.left.dropFirst()) { XCTAssertLessThanOrEqual(a.recall, b.recall + 1e-12) }
        XCTAssertEqual(sweep.left.last?.recall ?? 0, 1, accuracy: 1e-12, "nprobe = nlist is exact")
    }

    func testTemplatesOnDiskMatchTheBuiltIns() throws {
        let folder = examples.deletingLastPathComponent().appendingPathComponent("Templates")
        for (name, builtIn) in Template.builtIn {
            let file = try JSONDecoder().decode(Template.self, from: Data(contentsOf: folder.appendingPathComponent("\(name).json")))
            XCTAssertEqual(file, builtIn, name)
        }
    }

    func testFailConditionsAndDistributions() {
        XCTAssertNil(FailCondition("recall"))
        XCTAssertNil(FailCondition("speed<3"))
        let condition = try? XCTUnwrap(FailCondition("recall < 0.9"))
        XCTAssertEqual(condition?.measure, .recall)
        XCTAssertEqual(condition?.comparison, .less)
        let distribution = Distribution([1, 2, 3, 4, 100])
        XCTAssertEqual(distribution.mean, 22)
        XCTAssertEqual(distribution.p50, 3)
        XCTAssertEqual(distribution.p95, 80.8, accuracy: 1e-9)
    }
}
