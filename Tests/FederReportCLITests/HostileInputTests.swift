import FederTestSupport
import Foundation
import XCTest

/// Inputs meant to hurt: interrupted runs, budgets, broken vectors, and the fuzzers' past findings.
final class HostileInputTests: XCTestCase {
    private var directory: URL!
    private var repository: URL { FixtureManifest.committedDirectory().deletingLastPathComponent().deletingLastPathComponent() }

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func testInterruptedRunKeepsThePreviousReportAndLeavesNoPartialFile() throws {
        let output = directory.appendingPathComponent("report.pdf")
        try Data("previous report".utf8).write(to: output)
        for delay in [0.2, 0.6, 1.0] {
            let process = Process()
            process.executableURL = CLI.binary
            process.arguments = [repository.appendingPathComponent("Examples/digits/compare.json").path, "-o", output.path, "--quiet"]
            process.standardError = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: delay)
            process.terminate()
            process.waitUntilExit()
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".partial") }
            XCTAssertEqual(leftovers, [], "delay \(delay)")
            let data = try Data(contentsOf: output)
            // Either the run was stopped (old report intact) or it had finished (a whole new PDF).
            XCTAssertTrue(data == Data("previous report".utf8) || data.starts(with: Data("%PDF".utf8)), "delay \(delay)")
            if data.starts(with: Data("%PDF".utf8)) {
                XCTAssertTrue(String(decoding: data.suffix(32), as: UTF8.self).contains("%%EOF"), "a complete PDF")
            }
        }
    }

    func testTimeBudgetStopsTheJob() throws {
        let outcome = try CLI.run([
            repository.appendingPathComponent("Examples/digits/compare.json").path, "-o", directory.appendingPathComponent("r.pdf").path,
            "--time-limit", "0.000001",
        ])
        XCTAssertEqual(outcome.status, 65)
        XCTAssertTrue(outcome.stderr.contains("exceeded its time budget"), outcome.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("r.pdf").path))
    }

    func testNonFiniteVectorsAreReported() throws {
        var bytes = [UInt8](try Data(contentsOf: FixtureManifest.committedDirectory().appendingPathComponent("flat_l2_float.faiss")))
        // IxF2: the floats start at byte 45; make vector 0's first value NaN.
        withUnsafeBytes(of: Float.nan.bitPattern.littleEndian) { for (offset, byte) in $0.enumerated() { bytes[45 + offset] = byte } }
        let path = directory.appendingPathComponent("nan.faiss")
        try Data(bytes).write(to: path)
        let outcome = try CLI.run(["inspect", "--json", path.path])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertEqual(try JSONValue.parse(Data(outcome.stdout.utf8))["nonFiniteVectors"], .number(1))
        let text = try CLI.run(["inspect", path.path])
        XCTAssertTrue(text.stdout.contains("1 stored vectors hold NaN"), text.stdout)
        // The search still runs; the NaN row simply never wins.
        let trace = try CLI.run(["trace", path.path, "--id", "3", "--json"])
        XCTAssertEqual(trace.status, 0, trace.stderr)
        let results = try XCTUnwrap(JSONValue.parse(Data(trace.stdout.utf8))["results"]?.array)
        // Vector 3 is its own nearest neighbour at distance 0, and the NaN row 0 is never returned.
        XCTAssertEqual(results.first?["id"], .number(3))
        XCTAssertEqual(results.first?["distance"], .number(0))
        XCTAssertFalse(results.contains { $0["id"] == .number(0) }, "\(results)")
    }

    /// Every input a fuzzer ever crashed (kept in Tests/FuzzRegressions by scripts/fuzz.sh) is refused cleanly.
    func testFuzzRegressionsAreRefusedCleanly() throws {
        let folder = repository.appendingPathComponent("Tests/FuzzRegressions")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        for name in files.sorted() where !name.hasPrefix(".") && name != "README.md" {
            let path = folder.appendingPathComponent(name).path
            let outcome: CLI.Outcome
            if name.hasPrefix("FuzzJobSpec") {
                outcome = try CLI.run(["validate", path])
            } else if name.hasPrefix("FuzzVectorFile") {
                let copy = directory.appendingPathComponent(name + ".npy")
                try FileManager.default.copyItem(atPath: path, toPath: copy.path)
                outcome = try CLI.run([
                    "trace", FixtureManifest.committedDirectory().appendingPathComponent("flat_l2_float.faiss").path, "--vector", copy.path,
                ])
            } else {
                outcome = try CLI.run(["inspect", path])
            }
            XCTAssertTrue([0, 64, 65, 66].contains(outcome.status), "\(name): exit \(outcome.status) \(outcome.stderr)")
        }
    }
}
