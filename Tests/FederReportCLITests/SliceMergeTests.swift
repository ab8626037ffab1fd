import FederTestSupport
import Foundation
import XCTest

/// A job split with `--slice I/N` and joined with `merge` gives the numbers of the job run whole: every query's
/// outcome, every distribution, every sweep point (sweep means and overlaps up to the order of a float sum).
final class SliceMergeTests: XCTestCase {
    private var directory: URL!
    private var repository: URL { FixtureManifest.committedDirectory().deletingLastPathComponent().deletingLastPathComponent() }
    private var digits: String { repository.appendingPathComponent("Examples/digits/compare.json").path }

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-slice-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    private func out(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any] ?? [:]
    }

    /// Takes out the values a merge computes as weighted means (checked to 1e-12 here), leaving what must be equal.
    private func splitMeans(_ summary: [String: Any]) -> (rest: [String: Any], means: [Double]) {
        var rest = summary
        var means: [Double] = []
        var comparisons = summary["comparisons"] as? [[String: Any]] ?? []
        for index in comparisons.indices {
            if let jaccard = comparisons[index].removeValue(forKey: "jaccard") as? Double { means.append(jaccard) }
            if var sweep = comparisons[index]["sweep"] as? [String: Any] {
                for side in ["left", "right"] {
                    let points = sweep[side] as? [[String: Any]] ?? []
                    for point in points {
                        for key in ["recall", "distanceComputations", "visited"] { means.append(point[key] as? Double ?? -1) }
                    }
                    sweep[side] = points.map { $0["value"] ?? 0 }
                }
                comparisons[index]["sweep"] = sweep
            }
        }
        rest["comparisons"] = comparisons
        return (rest, means)
    }

    func testFourSlicesMergeIntoTheWholeJobsNumbers() throws {
        let whole = try CLI.run([digits, "-o", out("whole.pdf"), "--summary", out("whole.json"), "--quiet"])
        XCTAssertEqual(whole.status, 0, whole.stderr)
        var parts: [String] = []
        for index in [3, 1, 4, 2] {
            let part = out("part-\(index).json")
            let run = try CLI.run([digits, "-o", out("part-\(index).pdf"), "--summary", part, "--slice", "\(index)/4", "--quiet"])
            XCTAssertEqual(run.status, 0, run.stderr)
            parts.append(part)
            // A part ran a quarter of each query set; a single query runs whole in every part.
            let summary = try json(part)
            let sides = (summary["comparisons"] as? [[String: Any]] ?? []).compactMap { $0["left"] as? [String: Any] }
            XCTAssertTrue(sides.contains { ($0["queryCount"] as? Int) == 10 }, "part \(index)")
            XCTAssertTrue(sides.contains { ($0["queryCount"] as? Int) == 1 && $0["slice"] == nil }, "part \(index)")
        }
        let merged = try CLI.run(["merge"] + parts + ["--summary", out("merged.json"), "--markdown", out("merged.md"), "--quiet"])
        XCTAssertEqual(merged.status, 0, merged.stderr)
        let (wholeRest, wholeMeans) = splitMeans(try json(out("whole.json")))
        let (mergedRest, mergedMeans) = splitMeans(try json(out("merged.json")))
        XCTAssertEqual(NSDictionary(dictionary: mergedRest), NSDictionary(dictionary: wholeRest))
        XCTAssertEqual(mergedMeans.count, wholeMeans.count)
        XCTAssertGreaterThan(wholeMeans.count, 4)
        for (mine, theirs) in zip(mergedMeans, wholeMeans) { XCTAssertEqual(mine, theirs, accuracy: 1e-12 * max(1, abs(theirs))) }
        // The merged Markdown is the whole job's (its numbers printed to 2 significant places).
        let wholeMarkdown = try CLI.run([digits, "-o", out("again.pdf"), "--markdown", out("whole.md"), "--quiet"])
        XCTAssertEqual(wholeMarkdown.status, 0)
        XCTAssertEqual(
            try String(contentsOfFile: out("merged.md"), encoding: .utf8), try String(contentsOfFile: out("whole.md"), encoding: .utf8))
    }

    func testPartsThatDoNotMakeOneJobAreRefusedNamingTheFile() throws {
        for index in [1, 2] {
            let run = try CLI.run([
                digits, "-o", out("p\(index).pdf"), "--summary", out("p\(index).json"), "--slice", "\(index)/3", "--quiet",
            ])
            XCTAssertEqual(run.status, 0, run.stderr)
        }
        let missing = try CLI.run(["merge", out("p1.json"), out("p2.json")])
        XCTAssertEqual(missing.status, 65)
        XCTAssertTrue(missing.stderr.contains("slice 3/3 missing"), missing.stderr)
        let twice = try CLI.run(["merge", out("p1.json"), out("p1.json")])
        XCTAssertEqual(twice.status, 65)
        XCTAssertTrue(twice.stderr.contains("also in"), twice.stderr)
        let unreadable = try CLI.run(["merge", out("nope.json")])
        XCTAssertEqual(unreadable.status, 66)
        XCTAssertTrue(unreadable.stderr.contains("nope.json"), unreadable.stderr)
        let badSlice = try CLI.run([digits, "-o", out("x.pdf"), "--slice", "5/4"])
        XCTAssertEqual(badSlice.status, 64)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out("x.pdf")))
    }
}
