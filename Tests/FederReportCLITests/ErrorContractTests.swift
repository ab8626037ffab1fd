import FederIndex
import FederTestSupport
import Foundation
import XCTest

/// The error contract README states, held everywhere: `validate` refuses what the run would refuse; what cannot be
/// opened exits 66 in plain words; negative numbers reach their checks; a parameter that does not apply is refused
/// (command line) or warned about (spec); an unwritable output is named as the user named it, before any work;
/// and hints where the user is one step away.
final class ErrorContractTests: XCTestCase {
    private var directory: URL!

    private func fixture(_ name: String) -> String { FixtureManifest.committedDirectory().appendingPathComponent(name).path }
    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-contract-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in ["ivf_flat_l2_full.faiss", "hnswlib_l2_deleted.hnsw", "ivf_pq_l2.faiss", "ivf_pq_l2.queries.npy"] {
            try FileManager.default.copyItem(atPath: fixture(name), toPath: path(name))
        }
        try Data("a.png\nb.png\n".utf8).write(to: URL(fileURLWithPath: path("images.txt")))
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    private func spec(index file: String = "ivf_flat_l2_full.faiss", query: String = #"{"id": 3}"#, side: String = "") throws -> String {
        let text = """
            {"indexes": {"ivf": {"file": "\(file)"}, "h": {"file": "hnswlib_l2_deleted.hnsw", "space": "l2"}},
             "queries": {"q": \(query)},
             "comparisons": [{"left": {"index": "ivf", "query": "q"\(side)}, "right": {"index": "h", "query": "q"}}]}
            """
        let file = path("spec.json")
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        return file
    }

    /// What `validate` says about a spec, and what the run says: the same refusal, or both accept it.
    private func assertValidateAgreesWithTheRun(_ spec: String, exit: Int32, containing words: String, line: UInt = #line) throws {
        let validated = try CLI.run(["validate", spec])
        let ran = try CLI.run([spec, "-o", path("r.pdf"), "--quiet"])
        XCTAssertEqual(validated.status, exit, validated.stderr, line: line)
        XCTAssertEqual(ran.status, exit, ran.stderr, line: line)
        XCTAssertTrue(validated.stderr.contains(words), validated.stderr, line: line)
        XCTAssertEqual(validated.stderr, ran.stderr, "validate and the run say the same", line: line)
    }

    func testValidateRefusesWhatTheRunRefuses() throws {
        try assertValidateAgreesWithTheRun(try spec(query: #"{"id": 99999}"#), exit: 65, containing: "id 99999 is not in index 'ivf'")
        try assertValidateAgreesWithTheRun(
            try spec(index: "images.txt"), exit: 65, containing: "$.indexes.ivf.file: \(path("images.txt")): this is a text file")
        try assertValidateAgreesWithTheRun(
            try spec(index: "ivf_pq_l2.queries.npy"), exit: 65, containing: "this is a NumPy .npy array, not an index")
        try assertValidateAgreesWithTheRun(
            try spec(index: "absent.faiss"), exit: 66, containing: "$.indexes.ivf.file: file not found: absent.faiss")
        // A side's search is tried: k beyond what the spec allows is refused by the search the run would make.
        try assertValidateAgreesWithTheRun(
            try spec(side: #", "params": {"nprobe": 0}"#), exit: 65, containing: "$.comparisons[0].left.params.nprobe")
        let valid = try CLI.run(["validate", try spec()])
        XCTAssertEqual(valid.status, 0, valid.stderr)
        XCTAssertTrue(valid.stdout.contains("valid — 2 indexes, 1 queries, 1 comparisons"), valid.stdout)
    }

    func testWhatCannotBeOpenedExits66InPlainWords() throws {
        for arguments in [["absent.json"], ["validate", "absent.json"]] {
            let outcome = try CLI.run(arguments, in: directory)
            XCTAssertEqual(outcome.status, 66, outcome.stderr)
            XCTAssertTrue(outcome.stderr.contains("absent.json: $: cannot read the spec (no such file)"), outcome.stderr)
        }
        for arguments in [[directory.path], ["validate", directory.path]] {
            let outcome = try CLI.run(arguments)
            XCTAssertEqual(outcome.status, 66, outcome.stderr)
            XCTAssertTrue(outcome.stderr.contains("cannot read the spec (is a directory)"), outcome.stderr)
        }
        let merged = try CLI.run(["merge", directory.path, path("absent.json")])
        XCTAssertEqual(merged.status, 66, merged.stderr)
        XCTAssertTrue(merged.stderr.contains("\(directory.path): cannot read: is a directory"), merged.stderr)
        let media = try CLI.run(["view", path("ivf_flat_l2_full.faiss"), "--id", "3", "--media", path("absent.txt"), "-o", path("v.png")])
        XCTAssertEqual(media.status, 66, media.stderr)
        XCTAssertTrue(media.stderr.contains("absent.txt: cannot read the media list: no such file"), media.stderr)
        XCTAssertFalse(media.stderr.contains("NSCocoaErrorDomain"), media.stderr)
    }

    func testNegativeNumbersReachTheirChecks() throws {
        for (option, value, message) in [
            ("--k", "-1", "--k must be at least 1 (got -1)"), ("--nprobe", "-3", "--nprobe must be at least 1 (got -3)"),
            ("--ef", "-2", "--ef must be at least 1 (got -2)"),
        ] {
            let outcome = try CLI.run(["trace", path("ivf_flat_l2_full.faiss"), "--id", "3", option, value])
            XCTAssertEqual(outcome.status, 64, outcome.stderr)
            XCTAssertTrue(outcome.stderr.contains(message), outcome.stderr)
            XCTAssertFalse(outcome.stderr.contains("Missing value"), outcome.stderr)
        }
        let id = try CLI.run(["trace", path("ivf_flat_l2_full.faiss"), "--id", "-7"])
        XCTAssertEqual(id.status, 65, id.stderr)
        XCTAssertTrue(id.stderr.contains("id -7 is not in"), id.stderr)
    }

    func testAParameterThatDoesNotApplyIsNeverSilentlyIgnored() throws {
        let ivf = try CLI.run(["trace", path("ivf_flat_l2_full.faiss"), "--id", "3", "--ef", "8"])
        XCTAssertEqual(ivf.status, 64, ivf.stderr)
        XCTAssertTrue(ivf.stderr.contains("--ef does not apply to this faiss index (IndexIVFFlat): its search reads nprobe"), ivf.stderr)
        let graph = try CLI.run(["view", path("hnswlib_l2_deleted.hnsw"), "--id", "3", "--nprobe", "8", "-o", path("v.png")])
        XCTAssertEqual(graph.status, 64, graph.stderr)
        XCTAssertTrue(graph.stderr.contains("--nprobe does not apply to this hnswlib index (HierarchicalNSW): its search reads ef"))
        // In a spec, a side's own parameter is warned about once, where it is; the spec's shared ones serve both sides.
        let sided = try spec(side: #", "params": {"ef": 16}"#)
        for arguments in [["validate", sided], [sided, "-o", path("r.pdf"), "--quiet"]] {
            let outcome = try CLI.run(arguments)
            XCTAssertEqual(outcome.status, 0, outcome.stderr)
            let warning = "$.comparisons[0].left.params: \"ef\" does not apply to this faiss index (IndexIVFFlat)"
            XCTAssertEqual(outcome.stderr.components(separatedBy: warning).count - 1, 1, outcome.stderr)
        }
    }

    func testAnUnwritableOutputIsNamedAsGivenBeforeAnyWork() throws {
        let missing = path("no/such/r.pdf")
        let outcome = try CLI.run([try spec(), "-o", missing])
        XCTAssertEqual(outcome.status, 73, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("\(missing): cannot write: no such directory"), outcome.stderr)
        XCTAssertFalse(outcome.stderr.contains("partial"), outcome.stderr)
        XCTAssertFalse(outcome.stderr.contains("[1/1]"), "refused before the run: \(outcome.stderr)")
        let summary = try CLI.run([try spec(), "-o", path("r.pdf"), "--summary", path("nope/s.json")])
        XCTAssertEqual(summary.status, 73, summary.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("r.pdf")), "nothing written when an output cannot be")
    }

    func testHintsWhereTheUserIsOneStepAway() throws {
        let npy = try CLI.run(["inspect", path("ivf_pq_l2.queries.npy")])
        XCTAssertEqual(npy.status, 65, npy.stderr)
        XCTAssertTrue(npy.stderr.contains("this is a NumPy .npy array, not an index; vectors go to --vector"), npy.stderr)
        let gate = try CLI.run([try spec(), "--fail-if", "recal<0.9", "-o", path("r.pdf")])
        XCTAssertEqual(gate.status, 64, gate.stderr)
        XCTAssertTrue(gate.stderr.contains("unknown measure 'recal'; did you mean recall?"), gate.stderr)
        let codes = try CLI.run(["trace", path("ivf_pq_l2.faiss"), "--vector", path("ivf_pq_l2.queries.npy"), "--row", "0"])
        XCTAssertEqual(codes.status, 0, codes.stderr)
        XCTAssertTrue(codes.stderr.contains("no recall: this faiss index (IndexIVFPQ) keeps only codes"), codes.stderr)
        XCTAssertTrue(codes.stderr.contains("--vectors FILE"), codes.stderr)
        // Shards of a codes-only index cannot take --vectors: the hint names the ground-truth file instead.
        let shards = try CLI.run([
            "trace", path("ivf_pq_l2.faiss"), path("ivf_pq_l2.faiss"), "--vector", path("ivf_pq_l2.queries.npy"), "--row", "0",
        ])
        XCTAssertEqual(shards.status, 0, shards.stderr)
        XCTAssertTrue(shards.stderr.contains("no recall: these faiss shards (IndexIVFPQ) keep only codes"), shards.stderr)
        XCTAssertTrue(shards.stderr.contains("--ground-truth FILE"), shards.stderr)
        let byID = try CLI.run(["trace", path("ivf_pq_l2.faiss"), "--id", "3"])
        XCTAssertEqual(byID.status, 65, byID.stderr)
        XCTAssertTrue(byID.stderr.contains("(--vectors, or \"vectors\" on the index entry) to query them by id"), byID.stderr)
    }
}
