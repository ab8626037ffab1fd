import FederReport
import FederTestSupport
import Foundation
import XCTest

/// `JobSpecParser.check`: every problem of a spec at once, duplicate keys, synonyms and wrong-place hints,
/// and the refusals at the spec boundary, with numbers printed as written.
final class SpecCheckTests: XCTestCase {
    private var directory: URL!
    private var specFile: String { directory.appendingPathComponent("spec.json").path }

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in ["ivf_flat_l2_full.faiss", "hnswlib_l2.hnsw", "ivf_flat_l2_full.queries.npy"] {
            try FileManager.default.copyItem(
                at: FixtureManifest.committedDirectory().appendingPathComponent(name), to: directory.appendingPathComponent(name))
        }
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    private func check(_ text: String) throws -> [SpecProblem] {
        try Data(text.utf8).write(to: URL(fileURLWithPath: specFile))
        let (spec, errors) = JobSpecParser.check(file: specFile)
        XCTAssertEqual(spec == nil, !errors.isEmpty, "a spec comes back exactly when there are no errors")
        return errors
    }

    /// A valid spec with `parts` spliced in as extra top-level text or in place of a section.
    private func spec(
        indexes: String = #"{"ivf": {"file": "ivf_flat_l2_full.faiss"}, "h": {"file": "hnswlib_l2.hnsw"}}"#,
        queries: String = #"{"q": {"id": 3}}"#, params: String = #"{"k": 5}"#,
        comparisons: String = #"[{"left": {"index": "ivf", "query": "q"}, "right": {"index": "h", "query": "q"}}]"#, extra: String = ""
    ) -> String {
        #"{"indexes": \#(indexes), "queries": \#(queries), "params": \#(params), "comparisons": \#(comparisons)\#(extra)}"#
    }

    /// `path: message` of each error.
    private func problems(_ text: String) throws -> [String] { try check(text).map { "\($0.path): \($0.message)" } }

    private func only(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let found = try problems(text)
        XCTAssertEqual(found.count, 1, "\(found)", file: file, line: line)
        return found.first ?? ""
    }

    func testTheBaseSpecIsValid() throws {
        XCTAssertEqual(try problems(spec()), [])
    }

    func testEveryProblemIsReportedInFileOrder() throws {
        let text = """
            {
              "indexes": {
                "ivf": {"file": "ivf_flat_l2_full.faiss", "nprobe": 4},
                "h": {"file": "hnswlib_l2.hnsw", "space": "euclid"}
              },
              "queries": {"q": {"id": 3}, "none": {"ids": []}, "v": {"vector": [[1, 2], [3]]}},
              "params": {"k": 0, "ef": 2.5},
              "comparisons": [
                {"left": {"index": "ivf", "query": "q"}, "right": {"index": "h", "query": "q"}},
                {"left": {"index": "ivf", "query": "q"}, "right": {"index": "h", "query": "q"}, "sweep": {"nprobe": []}},
                {"left": {"index": "ivf", "query": "q"}, "right": {"index": "hh", "query": "q"}}
              ],
              "theme": "dark"
            }
            """
        let errors = try check(text)
        XCTAssertEqual(
            errors.map(\.path),
            [
                "$.indexes.ivf.nprobe", "$.indexes.h.space", "$.queries.none.ids", "$.queries.v.vector[1]", "$.params.k", "$.params.ef",
                "$.comparisons[1].sweep.nprobe", "$.comparisons[2].right.index", "$.theme",
            ])
        XCTAssertEqual(errors.map { $0.position?.line }, [3, 4, 6, 6, 7, 7, 10, 11, 13])
        XCTAssertEqual(errors[0].position?.column, 47, "the key's column")
        XCTAssertEqual(errors[4].description, "\(specFile): $.params.k: `k` must be a positive whole number (at most 10000), found 0")
        XCTAssertEqual(errors[5].message, "`ef` must be a positive whole number (at most 1000000), found 2.5")
        XCTAssertTrue(errors[7].message.contains("unknown index 'hh' — did you mean h?"), errors[7].message)
        XCTAssertThrowsError(try JobSpecParser.parse(file: specFile)) { error in
            XCTAssertEqual((error as? ReportError)?.specProblems, [errors[0]], "parse throws the first problem in file order")
        }
    }

    func testDuplicateKeysAnywhereAreErrors() throws {
        let text = """
            {
              "indexes": {"ivf": {"file": "ivf_flat_l2_full.faiss"}, "h": {"file": "hnswlib_l2.hnsw"}},
              "queries": {"q": {"id": 3}},
              "params": {
                "k": 5,
                "k": 6
              },
              "comparisons": [{"left": {"index": "ivf", "query": "q"}, "right": {"index": "ivf", "query": "q", "index": "h"}}],
              "$schema": {"x": {"deep": [{"a": 1, "a": 1}]}}
            }
            """
        let errors = try check(text)
        XCTAssertEqual(
            errors.map(\.description),
            [
                "\(specFile): $.params: duplicate key 'k' (first at line 5, column 5)",
                "\(specFile): $.comparisons[0].right: duplicate key 'index' (first at line 8, column 70)",
                "\(specFile): $[\"$schema\"]: expected a string, found an object",
                "\(specFile): $[\"$schema\"].x.deep[0]: duplicate key 'a' (first at line 9, column 31)",
            ])
        XCTAssertEqual(errors[0].position, SourcePosition(line: 6, column: 5, offset: 155))
        XCTAssertEqual(errors[1].position?.column, 100)
    }

    func testSyntaxErrorsAreOneLocatedError() throws {
        let errors = try check("{\n  \"indexes\": {}\n  \"queries\": {}\n}")
        XCTAssertEqual(
            errors.map(\.description),
            [
                #"\#(specFile):3:3: expected ',' or '}' after an object member, found '"' (missing ',' before it?)"#
            ])
        XCTAssertEqual(errors.first?.isSyntaxError, true)
    }

    func testSynonymsSuggestTheKeyFeederUses() throws {
        for key in ["efSearch", "ef_search", "efsearch", "EF"] {
            XCTAssertEqual(try only(spec(params: #"{"\#(key)": 8}"#)), "$.params.\(key): unknown key '\(key)' — did you mean ef?")
        }
        for key in ["n_probe", "nprobes", "nProbe", "probes"] {
            XCTAssertEqual(try only(spec(params: #"{"\#(key)": 8}"#)), "$.params.\(key): unknown key '\(key)' — did you mean nprobe?")
        }
        for key in ["topk", "top_k", "topK", "K"] {
            XCTAssertEqual(try only(spec(params: #"{"\#(key)": 8}"#)), "$.params.\(key): unknown key '\(key)' — did you mean k?")
        }
        let entries: [(indexEntry: String, key: String, meant: String)] = [
            (#""metric": "l2""#, "metric", "space"), (#""distance": "l2""#, "distance", "space"),
            (#""path": "x""#, "path", "file"), (#""File": "x""#, "File", "file"),
        ]
        for (entry, key, meant) in entries {
            let indexes = #"{"ivf": {"file": "ivf_flat_l2_full.faiss", \#(entry)}, "h": {"file": "hnswlib_l2.hnsw"}}"#
            XCTAssertEqual(try only(spec(indexes: indexes)), "$.indexes.ivf.\(key): unknown key '\(key)' — did you mean \(meant)?")
        }
        for key in ["vectors", "vec", "embedding", "file"] {
            let queries = #"{"q": {"id": 3}, "v": {"\#(key)": [1, 2]}}"#
            let found = try problems(spec(queries: queries))
            XCTAssertEqual(found.first, "$.queries.v.\(key): unknown key '\(key)' — did you mean vector?", "\(found)")
        }
        XCTAssertEqual(
            try only(spec(extra: #", "indices": {}"#)), "$.indices: unknown key 'indices' — did you mean indexes?")
        XCTAssertEqual(
            try only(spec(comparisons: #"[{"name": "x", "left": {"index": "ivf", "query": "q"}, "right": {"index": "h", "query": "q"}}]"#)),
            "$.comparisons[0].name: unknown key 'name' — did you mean title?")
        XCTAssertEqual(
            try only(spec(params: #"{"efConstruction": 40}"#)),
            "$.params.efConstruction: unknown key 'efConstruction' — that is fixed when the index is built; the search parameter is ef")
    }

    func testKeysInTheWrongPlaceSayWhereTheyBelong() throws {
        let searchParameter = "is a search parameter: put it in $.params or in a side's params"
        for key in ["nprobe", "k", "ef"] {
            let indexes = #"{"ivf": {"file": "ivf_flat_l2_full.faiss", "\#(key)": 4}, "h": {"file": "hnswlib_l2.hnsw"}}"#
            XCTAssertEqual(try only(spec(indexes: indexes)), "$.indexes.ivf.\(key): unknown key '\(key)' — `\(key)` \(searchParameter)")
            XCTAssertEqual(try only(spec(extra: #", "\#(key)": 4"#)), "$.\(key): unknown key '\(key)' — `\(key)` \(searchParameter)")
            let side = #"[{"left": {"index": "ivf", "query": "q", "\#(key)": 4}, "right": {"index": "h", "query": "q"}}]"#
            XCTAssertEqual(
                try only(spec(comparisons: side)), "$.comparisons[0].left.\(key): unknown key '\(key)' — `\(key)` \(searchParameter)")
        }
        XCTAssertEqual(
            try only(spec(indexes: #"{"ivf": {"file": "ivf_flat_l2_full.faiss", "efSearch": 4}, "h": {"file": "hnswlib_l2.hnsw"}}"#)),
            "$.indexes.ivf.efSearch: unknown key 'efSearch' — did you mean ef? `ef` \(searchParameter)")
        XCTAssertEqual(
            try only(
                spec(
                    comparisons:
                        #"[{"left": {"index": "ivf", "query": "q", "sweep": {"nprobe": [1, 2]}}, "right": {"index": "h", "query": "q"}}]"#)),
            "$.comparisons[0].left.sweep: unknown key 'sweep' — `sweep` belongs on the comparison, beside left and right ($.comparisons[…].sweep)"
        )
        for (key, value) in [("theme", #""dark""#), ("page", #""A4""#)] {
            XCTAssertEqual(
                try only(spec(extra: #", "\#(key)": \#(value)"#)), "$.\(key): unknown key '\(key)' — `\(key)` belongs in $.output")
        }
        XCTAssertEqual(
            try only(spec(extra: #", "output": {"seed": 3}"#)),
            "$.output.seed: unknown key 'seed' — `seed` belongs at the top level of the spec ($.seed)")
        XCTAssertEqual(
            try only(
                spec(comparisons: #"[{"left": {"index": "ivf", "query": "q", "space": "ip"}, "right": {"index": "h", "query": "q"}}]"#)),
            #"$.comparisons[0].left.space: unknown key 'space' — `space` belongs in an index entry ($.indexes.NAME.space); a side names its index with "index""#
        )
        XCTAssertEqual(
            try only(
                spec(comparisons: #"[{"left": {"index": "ivf", "query": "q", "metric": "ip"}, "right": {"index": "h", "query": "q"}}]"#)),
            #"$.comparisons[0].left.metric: unknown key 'metric' — did you mean space? `space` belongs in an index entry ($.indexes.NAME.space); a side names its index with "index""#
        )
        XCTAssertEqual(
            try problems(spec(comparisons: #"[{"left": {"index": "ivf", "id": 3}, "right": {"index": "h", "query": "q"}}]"#)),
            [
                "$.comparisons[0].left: missing 'query'",
                #"$.comparisons[0].left.id: unknown key 'id' — `id` belongs in a query ($.queries.NAME.id); a side names its query with "query""#,
            ])
        XCTAssertEqual(
            try problems(spec(comparisons: #"[{"left": {"idx": "ivf", "query": "q"}, "right": {"index": "h", "query": "q"}}]"#)),
            ["$.comparisons[0].left.idx: unknown key 'idx' — did you mean index?"], "not also missing 'index'")
        XCTAssertEqual(
            try problems(
                spec(comparisons: #"[{"index": "ivf", "left": {"index": "ivf", "query": "q"}, "right": {"index": "h", "query": "q"}}]"#)),
            [
                "$.comparisons[0].index: unknown key 'index' — `index` belongs in a comparison's left and right sides ($.comparisons[…].left.index)"
            ])
        XCTAssertEqual(
            try only(spec(extra: #", "left": {}"#)),
            "$.left: unknown key 'left' — `left` belongs on the comparison, beside left and right ($.comparisons[…].left)")
    }

    func testBoundaryRefusals() throws {
        let refusals: [(queries: String, expected: String)] = [
            (#"{"q": {"ids": []}}"#, "$.queries.q.ids: list at least one id"),
            (#"{"q": {"ids": [1, 2.5]}}"#, "$.queries.q.ids[1]: expected a whole number in 0…4611686018427387903, found 2.5"),
            (#"{"q": {"ids": [-1]}}"#, "$.queries.q.ids[0]: expected a whole number in 0…4611686018427387903, found -1"),
            (#"{"q": {"ids": [1e30]}}"#, "$.queries.q.ids[0]: expected a whole number in 0…4611686018427387903, found 1e30"),
            (#"{"q": {"ids": ["7"]}}"#, "$.queries.q.ids[0]: expected a whole number, found '7'"),
            (
                #"{"q": {"id": 9223372036854775807}}"#,
                "$.queries.q.id: expected a whole number in 0…4611686018427387903, found 9223372036854775807"
            ),
            (#"{"q": {"ids": [1], "row": 0}}"#, "$.queries.q.row: row goes with a vector file, not ids"),
            (#"{"q": {"vector": []}}"#, "$.queries.q.vector: an inline vector needs numbers"),
            (#"{"q": {"vector": [[]]}}"#, "$.queries.q.vector[0]: an inline row needs numbers"),
            (
                #"{"q": {"vector": [[1, 2], [3]]}}"#,
                "$.queries.q.vector[1]: inline rows have different lengths: row 1 has 1 numbers, row 0 has 2"
            ),
            (#"{"q": {"vector": [1, [2]]}}"#, "$.queries.q.vector[1]: an inline vector is either numbers or rows of numbers, not both"),
            (#"{"q": {"vector": [1, 1e39]}}"#, "$.queries.q.vector[1]: 1e39 is beyond the range of a 32-bit float"),
            (#"{"q": {"vector": [[1, -1e39]]}}"#, "$.queries.q.vector[0][1]: -1e39 is beyond the range of a 32-bit float"),
            (#"{"q": {"vector": [1, null]}}"#, "$.queries.q.vector[1]: expected a number, found null"),
            (#"{"q": {"vector": 3}}"#, "$.queries.q.vector: expected a file path or an array of numbers, found a number"),
            (#"{"q": {"vector": "."}}"#, "$.queries.q.vector: . is a folder, not a file (\(directory.standardizedFileURL.path))"),
            (#"{"q": {"vector": "a\u0000b"}}"#, "$.queries.q.vector: a path cannot contain U+0000"),
            (#"{"q": {"id": 1}, "": {"id": 2}}"#, #"$.queries[""]: an query name cannot be empty"#),
        ]
        for (queries, expected) in refusals {
            let found = try problems(
                spec(queries: queries, comparisons: #"[{"left": {"index": "ivf", "query": "q"}, "right": {"index": "h", "query": "q"}}]"#))
            XCTAssertEqual(found, [expected], queries)
        }
        let params: [(String, String)] = [
            (#"{"k": 0}"#, "$.params.k: `k` must be a positive whole number (at most 10000), found 0"),
            (#"{"k": 1e5}"#, "$.params.k: `k` must be a positive whole number (at most 10000), found 1e5"),
            (#"{"nprobe": -3}"#, "$.params.nprobe: `nprobe` must be a positive whole number (at most 1000000), found -3"),
            (#"{"ef": 0.5}"#, "$.params.ef: `ef` must be a positive whole number (at most 1000000), found 0.5"),
            (#"{"ef": true}"#, "$.params.ef: expected a whole number, found true"),
        ]
        for (text, expected) in params { XCTAssertEqual(try problems(spec(params: text)), [expected]) }
        XCTAssertEqual(try check(spec(params: #"{"k": 1e3, "ef": 8.0}"#)), [], "whole numbers in any notation")
        let sweeps: [(String, String)] = [
            (#"{"nprobe": []}"#, "$.comparisons[0].sweep.nprobe: list at least one value"),
            (#"{"ef": [8, 16, 8]}"#, "$.comparisons[0].sweep.ef[2]: 8 is swept twice; list each value once"),
            (#"{"ef": [8, 0]}"#, "$.comparisons[0].sweep.ef[1]: `ef` must be a positive whole number (at most 1000000), found 0"),
            (#"{}"#, #"$.comparisons[0].sweep: sweep one parameter: {"nprobe": [...]} or {"ef": [...]}"#),
            (#"{"nprobe": [1], "ef": [2]}"#, #"$.comparisons[0].sweep: sweep one parameter: {"nprobe": [...]} or {"ef": [...]}"#),
        ]
        for (sweep, expected) in sweeps {
            let comparisons = #"[{"left": {"index": "ivf", "query": "q"}, "right": {"index": "h", "query": "q"}, "sweep": \#(sweep)}]"#
            XCTAssertEqual(try problems(spec(comparisons: comparisons)), [expected])
        }
        XCTAssertEqual(try problems(spec(indexes: #"{"ivf": {"file": "."}, "h": {"file": "hnswlib_l2.hnsw"}}"#)).count, 1)
        XCTAssertEqual(
            try problems(spec(extra: #", "template": """#)),
            ["$.template: template '' is neither compare, compact, slides nor an existing file"])
        XCTAssertEqual(
            try problems(spec(extra: #", "template": ".""#)),
            ["$.template: template '.' is neither compare, compact, slides nor an existing file"])
        XCTAssertEqual(try problems(spec(extra: #", "seed": 1.5"#)), ["$.seed: expected a whole number in 0…2147483647, found 1.5"])
    }

    func testEveryErrorStaysOnOneLine() throws {
        let errors = try check(
            spec(
                params: #"{"k\n\u202Ex": 1}"#,
                comparisons: #"[{"left": {"index": "iv\rf", "query": "q"}, "right": {"index": "h", "query": "q"}}]"#))
        XCTAssertEqual(errors.map(\.path), [#"$.params["k\n\u{202E}x"]"#, "$.comparisons[0].left.index"])
        XCTAssertEqual(errors[0].message, #"unknown key 'k\u{A}\u{202E}x'"#)
        XCTAssertTrue(errors[1].message.hasPrefix(#"unknown index 'iv\u{D}f'"#), errors[1].message)
        for error in errors { XCTAssertFalse(error.description.contains(where: \.isNewline)) }
        let hugeKey = String(repeating: "y", count: 100_000)
        let clipped = try problems(spec(params: #"{"\#(hugeKey)": 1}"#))
        XCTAssertEqual(
            clipped,
            [#"$.params[""# + String(repeating: "y", count: 64) + #"…"]: unknown key '"# + String(repeating: "y", count: 467) + "…"])
        let long = String(repeating: "x", count: 500)
        XCTAssertEqual(
            try problems(spec(params: #"{"k": "\#(long)"}"#)), ["$.params.k: expected a whole number, found '\(long.prefix(40))…'"])
    }

    func testTheTopLevelMustBeAnObject() throws {
        XCTAssertEqual(try problems("[]"), ["$: expected an object, found an array"])
        XCTAssertEqual(try problems("null"), ["$: expected an object, found null"])
        XCTAssertEqual(try problems("{}"), ["$: missing 'indexes'", "$: missing 'queries'", "$: missing 'comparisons'"])
        XCTAssertEqual(try check("\u{FEFF}" + spec()), [], "a byte order mark is skipped")
    }

    func testBrokenEntriesDoNotMakeTheirNamesUnknown() throws {
        let indexes = #"{"ivf": {"file": "missing.faiss"}, "h": {"file": "hnswlib_l2.hnsw"}}"#
        let found = try problems(spec(indexes: indexes, queries: #"{"q": {"ids": []}}"#))
        XCTAssertEqual(found.count, 2, "\(found)")
        XCTAssertEqual(found.last, "$.queries.q.ids: list at least one id")
    }

    func testOversizedSpecsAreRefusedUnread() throws {
        let big = Data(count: JobSpecParser.maxSpecBytes + 1)
        try big.write(to: URL(fileURLWithPath: specFile))
        let (spec, errors) = JobSpecParser.check(file: specFile)
        XCTAssertNil(spec)
        XCTAssertEqual(errors.map(\.description), ["\(specFile): $: the spec is larger than 16 MiB, the most a spec may be"])
        XCTAssertEqual(JobSpecParser.check(data: big, file: "x.json").problems.count, 1)
        XCTAssertEqual(
            JobSpecParser.check(file: directory.appendingPathComponent("absent.json").path).problems.first?.message,
            "cannot read the spec (no such file)")
    }

    /// pgvector index entries: every key read, a database entry needs no file, a file key in one and `index` without
    /// `postgres` are located errors, and a setting pgvector refuses is refused here before any connection is made.
    func testPostgresIndexEntries() throws {
        let good =
            #"{"db": {"postgres": "host=/nowhere", "index": "public.items_idx", "idColumn": "id", "where": "category = 3", "#
            + #""settings": {"hnsw.ef_search": 100, "hnsw.iterative_scan": "relaxed_order"}, "dataDirectory": "/var/lib/pg"}, "#
            + #""h": {"file": "hnswlib_l2.hnsw"}}"#
        let comparisons = #"[{"left": {"index": "db", "query": "q"}, "right": {"index": "h", "query": "q"}}]"#
        XCTAssertEqual(try problems(spec(indexes: good, comparisons: comparisons)), [])
        try Data(spec(indexes: good, comparisons: comparisons).utf8).write(to: URL(fileURLWithPath: specFile))
        let parsed = try XCTUnwrap(JobSpecParser.check(file: specFile).spec)
        let database = try XCTUnwrap(parsed.indexes["db"]?.postgres)
        XCTAssertEqual(database.index, "public.items_idx")
        XCTAssertEqual(database.predicate, "category = 3")
        XCTAssertEqual(database.idColumn, "id")
        XCTAssertEqual(database.settings.map(\.0), ["hnsw.ef_search", "hnsw.iterative_scan"])
        XCTAssertEqual(database.settings.map(\.1), ["100", "relaxed_order"])

        let bad =
            #"{"db": {"postgres": "", "index": "x", "file": "hnswlib_l2.hnsw", "settings": {"hnsw.ef_search": 0}}, "#
            + #""nopg": {"index": "y"}, "h": {"file": "hnswlib_l2.hnsw"}}"#
        let found = try problems(spec(indexes: bad, comparisons: comparisons))
        XCTAssertTrue(found.contains { $0.hasPrefix("$.indexes.db.file: 'file' belongs to an index file") }, "\(found)")
        XCTAssertTrue(found.contains { $0.hasPrefix("$.indexes.db.settings: hnsw.ef_search = 0") }, "\(found)")
        XCTAssertTrue(found.contains { $0.hasPrefix("$.indexes.nopg.index: 'index' names a pgvector index") }, "\(found)")
    }
}
