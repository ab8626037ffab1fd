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
        let traced = try json(["trace", path("rflat.faiss"), "--vector", path("q.npy"), "--row", "0", "--detail", "full"])
        let results = (traced["results"] as? [[String: Any]] ?? []).compactMap { ($0["id"] as? NSNumber)?.int64Value }
        XCTAssertEqual(results, ids("rflat", "ids"))
        let refine = traced["refine"] as? [String: Any]
        XCTAssertEqual(refine?["kBase"] as? Int, 30)
        XCTAssertEqual((refine?["shortlist"] as? [Any])?.count, 30)
        // A refine index's flat vectors are the truth: no --vectors needed for recall or the scatter.
        XCTAssertNotNil(traced["recall"])
        // Without -o, view writes INDEX-view.pdf into the working directory (the fixture folder here, not the checkout).
        let outcome = try CLI.run(["view", path("rflat.faiss"), "--vector", path("q.npy"), "--row", "0"], in: directory)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path("rflat-view.pdf")))
        for view in ["quantization", "refine", "pq-codebooks"] {
            XCTAssertTrue(outcome.stdout.contains(view), "\(view): \(outcome.stdout)")
        }
        let withVectors = try CLI.run(
            ["view", path("ivfpq.faiss"), "--vector", path("q.npy"), "--row", "0", "--vectors", path("base.npy"), "-o", path("v.pdf")])
        XCTAssertEqual(withVectors.status, 0, withVectors.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path("v.pdf")))
    }

    /// `"vectors"` on a spec's index entry: the truth for the codes (recall as faiss's flat search gives it), the
    /// quantization page in the report, and a file that does not fit named by its JSON path.
    func testSpecVectorsMeasureTheCodesAndDrawTheQuantizationPage() throws {
        func spec(_ vectors: String) throws -> String {
            let file = directory.appendingPathComponent("spec-\(vectors).json")
            let text = """
                {"indexes": {"pq": {"file": "ivfpq.faiss", "vectors": "\(vectors)"}, "rf": {"file": "rflat.faiss"},
                             "bare": {"file": "ivfpq.faiss"}},
                 "queries": {"q": {"vector": "q.npy", "row": 0}, "all": {"vector": "q.npy"}}, "params": {"k": 10},
                 "comparisons": [{"title": "codes", "left": {"index": "pq", "query": "q"}, "right": {"index": "rf", "query": "q"}},
                                 {"title": "sweep", "left": {"index": "bare", "query": "all"}, "right": {"index": "pq", "query": "all"},
                                  "sweep": {"nprobe": [1, 16]}}]}
                """
            try Data(text.utf8).write(to: file)
            return file.path
        }
        let outcome = try CLI.run([try spec("base.npy"), "-o", path("s.pdf"), "--summary", path("s.json"), "--quiet"])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("s.json")))) as? [String: Any]
        let left = ((summary?["comparisons"] as? [[String: Any]])?.first?["left"] as? [String: Any]) ?? [:]
        let recall = ((left["aggregates"] as? [String: Any])?["recall"] as? [String: Any])?["mean"] as? Double
        let exact = Set((answers["exact"] as? [NSNumber] ?? []).map(\.int64Value))
        XCTAssertEqual(recall, Double(Set(ids("ivfpq", "ids")).intersection(exact).count) / 10)
        // A sweep over codes without their vectors has no recall to draw (not a recall of the codes against
        // themselves); with them, every point has one, and at nprobe = nlist it is what the codes allow.
        let sweep = (summary?["comparisons"] as? [[String: Any]])?.last?["sweep"] as? [String: Any]
        let bare = sweep?["left"] as? [[String: Any]] ?? []
        let measured = sweep?["right"] as? [[String: Any]] ?? []
        XCTAssertEqual(bare.count, 2)
        XCTAssertTrue(bare.allSatisfy { $0["recall"] == nil }, "\(bare)")
        XCTAssertEqual(measured.compactMap { $0["recall"] as? Double }.count, 2, "\(measured)")
        let bareSide = ((summary?["comparisons"] as? [[String: Any]])?.last?["left"] as? [String: Any]) ?? [:]
        XCTAssertNil((bareSide["aggregates"] as? [String: Any])?["recall"], "no recall of 0 for a side without truth")
        // A recall gate cannot pass where recall was not measured.
        let gated = try CLI.run([try spec("base.npy"), "-o", path("g.pdf"), "--fail-if", "recall<0", "--quiet"])
        XCTAssertEqual(gated.status, 1)
        XCTAssertTrue(gated.stderr.contains("comparison 2 'sweep' left (bare, all): recall not measured"), gated.stderr)
        XCTAssertFalse(gated.stderr.contains("right (pq"), gated.stderr)
        if let text = try pdfText(path("s.pdf")) {
            XCTAssertTrue(text.contains("Quantization — approximate vs true distance"), text)
            XCTAssertTrue(text.contains("Refine — shortlist re-scored"), text)
        }

        try Data("previous".utf8).write(to: URL(fileURLWithPath: path("keep.pdf")))
        let refused = try CLI.run([try spec("short.npy"), "-o", path("keep.pdf")])
        XCTAssertEqual(refused.status, 65)
        XCTAssertTrue(refused.stderr.contains("$.indexes.pq.vectors"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("holds 800 vectors of dimension 32"), refused.stderr)
        XCTAssertEqual(try String(contentsOfFile: path("keep.pdf"), encoding: .utf8), "previous")
    }
}
