import FederReport
import FederTestSupport
import Foundation
import XCTest

/// Every spec mistake is reported with its JSON path and, for typos, a suggestion.
final class JobSpecParserTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-spec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in ["ivf_flat_l2_full.faiss", "hnswlib_l2.hnsw", "ivf_flat_l2_full.queries.npy"] {
            try FileManager.default.copyItem(
                at: FixtureManifest.committedDirectory().appendingPathComponent(name), to: directory.appendingPathComponent(name))
        }
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    private func base() -> [String: Any] {
        [
            "title": "t",
            "indexes": ["ivf": ["file": "ivf_flat_l2_full.faiss"], "h": ["file": "hnswlib_l2.hnsw", "space": "l2"]],
            "queries": ["q": ["id": 3], "set": ["vector": "ivf_flat_l2_full.queries.npy"]],
            "params": ["k": 5, "nprobe": 2],
            "comparisons": [["left": ["index": "ivf", "query": "q"], "right": ["index": "ivf", "query": "q", "params": ["nprobe": 4]]]],
        ]
    }

    private func parse(_ object: [String: Any]) throws -> JobSpec {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        let file = directory.appendingPathComponent("spec.json")
        try data.write(to: file)
        return try JobSpecParser.parse(file: file.path)
    }

    private func error(_ object: [String: Any], file: StaticString = #filePath, line: UInt = #line) -> SpecProblem? {
        do {
            _ = try parse(object)
            XCTFail("accepted a bad spec", file: file, line: line)
            return nil
        } catch ReportError.spec(let problems) {
            XCTAssertEqual(problems.count, 1, "parse throws the first problem alone", file: file, line: line)
            return problems.first
        } catch {
            XCTFail("unexpected \(error)", file: file, line: line)
            return nil
        }
    }

    func testAValidSpecResolvesPathsAndDefaults() throws {
        let spec = try parse(base())
        XCTAssertEqual(spec.indexNames, ["h", "ivf"])
        XCTAssertEqual(spec.indexes["ivf"]?.file, directory.appendingPathComponent("ivf_flat_l2_full.faiss").path)
        XCTAssertEqual(spec.template, .builtIn("compare"))
        XCTAssertEqual(spec.theme, .light)
        XCTAssertEqual(spec.projection, .pca)
        XCTAssertEqual(spec.page, .a4Landscape)
        XCTAssertFalse(spec.pageIsExplicit, "the template's page applies")
        var slides = base()
        slides["output"] = ["page": "16:9"]
        XCTAssertTrue(try parse(slides).pageIsExplicit)
        XCTAssertEqual(spec.params, JobSpec.Params(k: 5, nprobe: 2))
        XCTAssertEqual(spec.comparisons[0].right.params.nprobe, 4)
        XCTAssertEqual(spec.queries["q"]?.source, .id(3))
    }

    func testUnknownKeySuggestsTheRightOne() {
        var spec = base()
        spec["comparisons"] = [["left": ["index": "ivf", "query": "q"], "right": ["index": "ivf", "query": "q", "params": ["nprob": 4]]]]
        let problem = error(spec)
        XCTAssertEqual(problem?.path, "$.comparisons[0].right.params.nprob")
        XCTAssertTrue(problem?.message.contains("did you mean nprobe?") ?? false, problem?.message ?? "")
    }

    func testWrongTypesNameThePath() {
        var spec = base()
        spec["params"] = ["k": "five"]
        XCTAssertEqual(error(spec)?.path, "$.params.k")
        spec = base()
        spec["comparisons"] = "all"
        XCTAssertEqual(error(spec)?.message, "expected an array, found a string")
    }

    func testMissingFileAndUnknownReferences() {
        var spec = base()
        spec["indexes"] = ["ivf": ["file": "nope.faiss"]]
        let missing = error(spec)
        XCTAssertEqual(missing?.path, "$.indexes.ivf.file")
        XCTAssertTrue(missing?.message.contains("file not found: nope.faiss") ?? false)
        spec = base()
        spec["comparisons"] = [["left": ["index": "ivff", "query": "q"], "right": ["index": "ivf", "query": "q"]]]
        let unknown = error(spec)
        XCTAssertEqual(unknown?.path, "$.comparisons[0].left.index")
        XCTAssertTrue(unknown?.message.contains("did you mean ivf?") ?? false, unknown?.message ?? "")
        spec = base()
        spec["comparisons"] = [["left": ["index": "ivf", "query": "qq"], "right": ["index": "ivf", "query": "q"]]]
        XCTAssertEqual(error(spec)?.path, "$.comparisons[0].left.query")
    }

    func testShardedEntriesAreCheckedWhereTheyAreWritten() throws {
        var spec = base()
        spec["indexes"] = ["ivf": ["shards": ["ivf_flat_l2_full.faiss", "ivf_flat_l2_full.faiss"], "shardIds": "stored"]]
        let parsed = try parse(spec)
        XCTAssertEqual(parsed.indexes["ivf"]?.shards?.count, 2)
        XCTAssertEqual(parsed.indexes["ivf"]?.successiveIDs, false)
        XCTAssertEqual(parsed.indexes["ivf"]?.file, directory.appendingPathComponent("ivf_flat_l2_full.faiss").path)
        let cases: [([String: Any], String, String)] = [
            (
                ["file": "ivf_flat_l2_full.faiss", "shards": ["ivf_flat_l2_full.faiss", "ivf_flat_l2_full.faiss"]], "$.indexes.ivf",
                "not both"
            ),
            (["shards": ["ivf_flat_l2_full.faiss"]], "$.indexes.ivf.shards", "at least two"),
            (["shards": ["ivf_flat_l2_full.faiss", "gone.faiss"]], "$.indexes.ivf.shards[1]", "file not found"),
            (
                ["shards": ["ivf_flat_l2_full.faiss", "ivf_flat_l2_full.faiss"], "shardIds": "global"], "$.indexes.ivf.shardIds",
                "successive"
            ),
            (["file": "ivf_flat_l2_full.faiss", "shardIds": "stored"], "$.indexes.ivf.shardIds", "only to an index given as 'shards'"),
            ([:], "$.indexes.ivf", "missing 'file'"),
        ]
        for (entry, path, message) in cases {
            spec["indexes"] = ["ivf": entry]
            let problem = error(spec)
            XCTAssertEqual(problem?.path, path, "\(entry)")
            XCTAssertTrue(problem?.message.contains(message) ?? false, problem?.message ?? "")
        }
    }

    func testAbsurdSizesAreRefused() {
        var spec = base()
        spec["queries"] = ["q": ["ids": Array(0...100_000)]]
        XCTAssertTrue(error(spec)?.message.contains("at most 100000 queries") ?? false)
        spec = base()
        spec["comparisons"] = [
            ["left": ["index": "ivf", "query": "q"], "right": ["index": "ivf", "query": "q"], "sweep": ["nprobe": Array(1...65)]]
        ]
        XCTAssertTrue(error(spec)?.message.contains("at most 64") ?? false)
        spec = base()
        spec["params"] = ["k": 0]
        XCTAssertEqual(error(spec)?.path, "$.params.k")
    }

    func testOutputAndTemplateChoices() {
        var spec = base()
        spec["output"] = ["page": "A4-landscap"]
        XCTAssertTrue(error(spec)?.message.contains("did you mean A4-landscape?") ?? false)
        spec = base()
        spec["template"] = "compakt"
        XCTAssertTrue(error(spec)?.message.contains("did you mean compact?") ?? false)
        spec = base()
        spec["output"] = ["theme": "neon"]
        XCTAssertEqual(error(spec)?.path, "$.output.theme")
    }

    func testQueriesNeedExactlyOneSource() {
        var spec = base()
        spec["queries"] = ["q": ["id": 1, "vector": [1, 2]]]
        XCTAssertTrue(error(spec)?.message.contains("give only one of") ?? false)
        spec = base()
        spec["queries"] = ["q": ["row": 1]]
        XCTAssertEqual(error(spec)?.path, "$.queries.q")
    }

    func testInvalidJSONIsAOneLineError() throws {
        let file = directory.appendingPathComponent("broken.json")
        try Data("{\"indexes\": [".utf8).write(to: file)
        XCTAssertThrowsError(try JobSpecParser.parse(file: file.path)) { error in
            let message = error.localizedDescription
            XCTAssertEqual(message, file.path + ":1:14: unexpected end of file, expected a value")
            XCTAssertFalse(message.contains("\n"))
        }
    }

    /// An index file given where the spec goes says what reads index files.
    func testAnIndexGivenAsTheSpecGetsAHint() throws {
        let index = FixtureManifest.committedDirectory().appendingPathComponent("hnswlib_l2.hnsw").path
        XCTAssertThrowsError(try JobSpecParser.parse(file: index)) { error in
            let message = error.localizedDescription
            XCTAssertTrue(message.hasPrefix(index + ":1:"), message)
            XCTAssertTrue(message.contains("feder-report inspect FILE"), message)
            XCTAssertFalse(message.contains("\n"))
        }
    }

    func testDimensionMismatchIsFoundWhenRunning() throws {
        var spec = base()
        spec["queries"] = ["q": ["vector": [1, 2, 3]]]
        let job = try parse(spec)
        XCTAssertThrowsError(try JobRunner(spec: job).run()) { error in
            let problem = error as? ReportError
            XCTAssertEqual(problem?.specPath, "$.comparisons[0].left")
            XCTAssertEqual(
                (problem?.underlying as? ReportError)?.queryProblem,
                .dimensionMismatch(query: "q", dim: 3, index: "index 'ivf'", indexDim: 16))
            let message = error.localizedDescription
            XCTAssertTrue(
                message.hasSuffix("spec.json: $.comparisons[0].left: q has dimension 3 but index 'ivf' has dimension 16"), message)
            XCTAssertEqual(ExitStatus.code(for: error), 65)
        }
    }

    func testUnknownIDIsFoundWhenRunning() throws {
        var spec = base()
        spec["queries"] = ["q": ["id": 123_456]]
        XCTAssertThrowsError(try JobRunner(spec: try parse(spec)).run()) { error in
            XCTAssertEqual((error as? ReportError)?.specPath, "$.comparisons[0].left.query")
            XCTAssertEqual(
                ((error as? ReportError)?.underlying as? ReportError)?.queryProblem,
                .unknownID(label: .signed(123_456), index: "index 'ivf'", deleted: false))
            XCTAssertTrue(
                error.localizedDescription.hasSuffix(": $.comparisons[0].left.query: id 123456 is not in index 'ivf'"),
                error.localizedDescription)
        }
    }
}
