import FederTestSupport
import Foundation
import XCTest

/// Indexes that keep only codes, measured with the vectors that were added (`--vectors`): the exact top-k is
/// faiss's own flat search over those vectors, `--id` reads them, a file that does not match is refused, and the
/// views that explain the quantization are drawn. Indexes are built here by the real faiss.
final class QuantizationCLITests: XCTestCase {
    /// The indexes and faiss's answers, built once for every test of the class.
    nonisolated(unsafe) static var built: (directory: URL, answers: [String: Any])?

    var directory: URL { Self.built?.directory ?? FileManager.default.temporaryDirectory }
    var answers: [String: Any] { Self.built?.answers ?? [:] }

    override class func tearDown() {
        if let directory = built?.directory { try? FileManager.default.removeItem(at: directory) }
        built = nil
        super.tearDown()
    }

    override func setUpWithError() throws {
        guard LibraryScript.isAvailable else { throw XCTSkip("no .venv with faiss") }
        if Self.built != nil { return }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-quantization-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = """
            import sys, json
            import numpy as np, faiss
            out = sys.argv[1]
            faiss.omp_set_num_threads(1)
            rng = np.random.default_rng(7)
            centers = rng.normal(size=(12, 32)).astype(np.float32) * 3
            base = (centers[rng.integers(0, 12, 900)] + rng.normal(size=(900, 32))).astype(np.float32)
            queries = (centers[rng.integers(0, 12, 4)] + rng.normal(size=(4, 32))).astype(np.float32)
            np.save(f"{out}/base.npy", base)
            np.save(f"{out}/short.npy", base[:800])
            np.save(f"{out}/q.npy", queries)
            flat = faiss.IndexFlatL2(32)
            flat.add(base)
            answers = {}
            for name, factory in (("ivfpq", "IVF16,PQ8x4"), ("rflat", "IVF16,PQ4x4,RFlat")):
                index = faiss.index_factory(32, factory)
                index.train(base)
                index.add(base)
                faiss.extract_index_ivf(index).nprobe = 3
                if name == "rflat":
                    index.k_factor = 3
                faiss.write_index(index, f"{out}/{name}.faiss")
                back = faiss.read_index(f"{out}/{name}.faiss")
                _, ids = back.search(queries[:1], 10)
                _, from_id = back.search(base[5:6], 10)
                answers[name] = {"ids": ids[0].tolist(), "fromID": from_id[0].tolist()}
            _, exact = flat.search(queries[:1], 10)
            answers["exact"] = exact[0].tolist()
            print(json.dumps(answers))
            """
        let answers = try JSONSerialization.jsonObject(with: try LibraryScript.run(script, arguments: [directory.path])) as? [String: Any]
        Self.built = (directory, answers ?? [:])
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private func ids(_ name: String, _ key: String) -> [Int64] {
        ((answers[name] as? [String: Any])?[key] as? [NSNumber] ?? []).map(\.int64Value)
    }

    private func json(_ arguments: [String]) throws -> [String: Any] {
        let outcome = try CLI.run(arguments + ["--json"])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        return try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any] ?? [:]
    }

    func testVectorsGiveTheExactTopKAndRecallOfACodesOnlyIndex() throws {
        let query = [path("ivfpq.faiss"), "--vector", path("q.npy"), "--row", "0"]
        // Without the vectors there is nothing to measure against.
        let bare = try json(["trace"] + query)
        XCTAssertNil(bare["recall"])
        let measured = try json(["trace"] + query + ["--vectors", path("base.npy")])
        let exact = (measured["exact"] as? [[String: Any]] ?? []).compactMap { ($0["id"] as? NSNumber)?.int64Value }
        XCTAssertEqual(exact, (answers["exact"] as? [NSNumber] ?? []).map(\.int64Value))
        let results = (measured["results"] as? [[String: Any]] ?? []).compactMap { ($0["id"] as? NSNumber)?.int64Value }
        XCTAssertEqual(results, ids("ivfpq", "ids"))
        // Recall counts ids only: approximate distances earn nothing from ties with the exact k-th distance.
        let expected = Double(Set(results).intersection(exact).count) / 10
        XCTAssertEqual(measured["recall"] as? Double, expected)
        XCTAssertTrue(((measured["codes"] as? String) ?? "").hasPrefix("PQ 8 × 4 bits"), "\(measured["codes"] ?? "")")
    }

    func testIDQueriesReadTheVectorsGiven() throws {
        let refused = try CLI.run(["trace", path("ivfpq.faiss"), "--id", "5"])
        XCTAssertEqual(refused.status, 65)
        XCTAssertTrue(refused.stderr.contains("keeps codes"), refused.stderr)
        let traced = try json(["trace", path("ivfpq.faiss"), "--id", "5", "--vectors", path("base.npy")])
        let results = (traced["results"] as? [[String: Any]] ?? []).compactMap { ($0["id"] as? NSNumber)?.int64Value }
        XCTAssertEqual(results, ids("ivfpq", "fromID"))
    }

    func testVectorsThatAreNotTheIndexsAreRefused() throws {
        let outcome = try CLI.run(["trace", path("ivfpq.faiss"), "--vector", path("q.npy"), "--row", "0", "--vectors", path("short.npy")])
        XCTAssertEqual(outcome.status, 65)
        XCTAssertTrue(outcome.stderr.contains("holds 800 vectors of dimension 32"), outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("holds 900 of dimension 32"), outcome.stderr)
    }

    func testRefineTraceAndTheViewsThatExplainQuantization() throws {
        let traced = try json(["trace", path("rflat.faiss"), "--vector", path("q.npy"), "--row", "0"])
        let results = (traced["results"] as? [[String: Any]] ?? []).compactMap { ($0["id"] as? NSNumber)?.int64Value }
        XCTAssertEqual(results, ids("rflat", "ids"))
        let refine = traced["refine"] as? [String: Any]
        XCTAssertEqual(refine?["kBase"] as? Int, 30)
        XCTAssertEqual((refine?["shortlist"] as? [Any])?.count, 30)
        // A refine index's flat vectors are the truth: no --vectors needed for recall or the scatter.
        XCTAssertNotNil(traced["recall"])
        let outcome = try CLI.run(["view", path("rflat.faiss"), "--vector", path("q.npy"), "--row", "0"])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        for view in ["quantization", "refine", "pq-codebooks"] {
            XCTAssertTrue(outcome.stdout.contains(view), "\(view): \(outcome.stdout)")
        }
        let withVectors = try CLI.run(
            ["view", path("ivfpq.faiss"), "--vector", path("q.npy"), "--row", "0", "--vectors", path("base.npy"), "-o", path("v.pdf")])
        XCTAssertEqual(withVectors.status, 0, withVectors.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path("v.pdf")))
    }
}
