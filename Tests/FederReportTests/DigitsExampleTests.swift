import FederReport
import FederTestSupport
import Foundation
import XCTest

/// The bundled example runs end to end, and its single-query sides return what faiss and hnswlib returned.
final class DigitsExampleTests: XCTestCase {
    private var examples: URL {
        FixtureManifest.committedDirectory().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Examples")
    }

    /// Every bundled example's single-query sides return what faiss and hnswlib return for the same file,
    /// query vector and parameters, asked on this machine: the same ids, order and float bits.
    func testExampleSidesMatchTheLibraries() throws {
        guard LibraryScript.isAvailable else { throw XCTSkip("no .venv with faiss and hnswlib") }
        var requests: [LibraryOracle.Request] = []
        var sides: [(label: String, ids: [Int64], bits: [UInt32])] = []
        for folder in try FileManager.default.contentsOfDirectory(atPath: examples.path).sorted() {
            let specFile = examples.appendingPathComponent(folder).appendingPathComponent("compare.json")
            // Fashion-MNIST is built by CI first; the pgvector example needs its database (PGVectorExampleTests).
            guard FileManager.default.fileExists(atPath: specFile.path), folder != "fashion-mnist", folder != "pgvector" else { continue }
            let spec = try JobSpecParser.parse(file: specFile.path)
            let (runs, _) = try JobRunner(spec: spec).run()
            for (position, run) in runs.enumerated() {
                for (name, side) in [("left", run.left), ("right", run.right)] where side.vectors.count == 1 {
                    let index = try XCTUnwrap(spec.indexes[side.indexName])
                    let parameters = side.result.parameters
                    requests.append(
                        LibraryOracle.Request(
                            file: index.file, space: side.result.kind == .hnswlib ? index.space.name : nil, k: parameters.k,
                            nprobe: parameters.nprobe, ef: parameters.ef, vector: side.firstQuery))
                    let results = side.firstTrace.results
                    sides.append(("\(folder) comparison \(position) \(name)", results.map(\.id), results.map(\.distance.bitPattern)))
                }
            }
        }
        let answers = try LibraryOracle.search(requests)
        XCTAssertEqual(answers.count, sides.count)
        for (side, answer) in zip(sides, answers) {
            XCTAssertEqual(side.ids, answer.ids, "\(side.label): ids")
            XCTAssertEqual(side.bits, answer.bits, "\(side.label): distance bits")
        }
        XCTAssertGreaterThanOrEqual(sides.count, 6)
    }

    func testDigitsSweeps() throws {
        let folder = examples.appendingPathComponent("digits")
        let spec = try JobSpecParser.parse(file: folder.appendingPathComponent("compare.json").path)
        let (runs, result) = try JobRunner(spec: spec).run()
        XCTAssertEqual(runs.count, 8)
        // The sweeps ran over the 40-query sets, both sides, every value.
        let sweep = try XCTUnwrap(result.comparisons[3].sweep)
        XCTAssertEqual(sweep.values, [1, 2, 4, 8, 16, 32])
        XCTAssertEqual(sweep.left.count, 6)
        XCTAssertEqual(result.comparisons[3].left.queryCount, 40)
        // More probes never lower the mean recall on the same queries.
        for (a, b) in zip(sweep.left, sweep.left.dropFirst()) { XCTAssertLessThanOrEqual(a.recall ?? 2, (b.recall ?? -1) + 1e-12) }
        XCTAssertEqual(sweep.left.last?.recall ?? 0, 1, accuracy: 1e-12, "nprobe = nlist is exact")
    }

    /// The digits IVF sweep computed from one coarse ranking per query equals the sweep traced point by point.
    func testCoarseOrderSweepEqualsTheTracedSweep() throws {
        let folder = examples.appendingPathComponent("digits")
        let spec = try JobSpecParser.parse(file: folder.appendingPathComponent("compare.json").path)
        var traced = JobRunner(spec: spec)
        traced.useCoarseOrder = false
        let fast = try XCTUnwrap(try JobRunner(spec: spec).run().result.comparisons[3].sweep)
        let slow = try XCTUnwrap(try traced.run().result.comparisons[3].sweep)
        XCTAssertEqual(fast.fromCoarseOrder, ["left", "right"])
        XCTAssertNil(slow.fromCoarseOrder)
        for (a, b) in zip(fast.left + fast.right, slow.left + slow.right) {
            XCTAssertEqual(a.value, b.value)
            XCTAssertEqual(a.recall ?? -1, b.recall ?? -2, accuracy: 1e-12)
            XCTAssertEqual(a.distanceComputations, b.distanceComputations)
            XCTAssertEqual(a.visited, b.visited)
        }
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
