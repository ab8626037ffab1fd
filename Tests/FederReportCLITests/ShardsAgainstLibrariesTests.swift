import FederTestSupport
import Foundation
import XCTest

/// Sharded indexes (`"shards"` in a spec) against faiss's own `IndexShards` over the same files: ids, order and
/// float32 distance bits of every merged answer, ties between shards included (integer data), the merged
/// statistics and a sweep's recall; hnswlib shards against faiss's `merge_knn_results` of hnswlib's own answers.
final class ShardsAgainstLibrariesTests: XCTestCase {
    nonisolated(unsafe) static var built: (directory: URL, answers: [String: Any])?

    var directory: URL { Self.built?.directory ?? FileManager.default.temporaryDirectory }
    var answers: [String: Any] { Self.built?.answers ?? [:] }

    override class func tearDown() {
        if let directory = built?.directory { try? FileManager.default.removeItem(at: directory) }
        built = nil
        super.tearDown()
    }

    override func setUpWithError() throws {
        guard LibraryScript.isAvailable else { throw XCTSkip("no .venv with faiss and hnswlib") }
        if Self.built != nil { return }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-shards-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = """
            import sys, json
            import numpy as np, faiss, hnswlib
            out = sys.argv[1]
            faiss.omp_set_num_threads(1)
            rng = np.random.default_rng(int(sys.argv[2]))
            K = 10
            answers = {}

            def bits(D):
                return D.astype(np.float32).view(np.uint32).tolist()

            def shards_of(indexes, successive=True):
                sh = faiss.IndexShards(indexes[0].d, False, successive)
                for index in indexes:
                    sh.add_shard(index)
                return sh

            def spec(name, files, queries, params, sweep=None, shard_ids=None):
                entry = {"shards": files}
                if shard_ids:
                    entry["shardIds"] = shard_ids
                comparison = {"left": {"index": "s", "query": "q"}, "right": {"index": "s", "query": "q"}}
                if sweep:
                    comparison["sweep"] = sweep
                json.dump({"indexes": {"s": entry}, "queries": {"q": {"vector": queries}}, "params": params,
                           "comparisons": [comparison]}, open(f"{out}/{name}.json", "w"))

            # IVF, L2: one trained quantizer, shards of unequal sizes (as shards are usually built).
            d = 16
            base = rng.normal(size=(4000, d)).astype(np.float32)
            queries = rng.normal(size=(25, d)).astype(np.float32)
            np.save(f"{out}/ivf-q.npy", queries)
            template = faiss.index_factory(d, "IVF32,Flat")
            template.train(base)
            files, loaded, flats, start = [], [], [], 0
            for s, size in enumerate((1500, 900, 1600)):
                index = faiss.clone_index(template)
                index.add(base[start:start + size])
                flat = faiss.IndexFlatL2(d)
                flat.add(base[start:start + size])
                start += size
                faiss.write_index(index, f"{out}/ivf{s}.faiss")
                files.append(f"ivf{s}.faiss")
                loaded.append(faiss.read_index(f"{out}/ivf{s}.faiss"))
                flats.append(flat)
            sharded = shards_of(loaded)
            _, exact = shards_of(flats).search(queries, K)
            sweep = []
            for nprobe in (1, 2, 4, 8):
                for index in loaded:
                    index.nprobe = nprobe
                faiss.cvar.indexIVF_stats.reset()
                D, I = sharded.search(queries, K)
                scanned = faiss.cvar.indexIVF_stats.ndis / len(queries)
                recall = np.mean([len(set(I[r]) & set(exact[r])) / K for r in range(len(queries))])
                sweep.append({"nprobe": nprobe, "recall": recall, "scanned": scanned})
                if nprobe == 4:
                    answers["ivf"] = {"ids": I.tolist(), "bits": bits(D), "scanned": scanned, "exact": exact.tolist()}
            answers["ivf"]["sweep"] = sweep
            # The smallest nprobe at which IndexShards returns every exact neighbour.
            found_at = []
            for row in range(len(queries)):
                for nprobe in range(1, 33):
                    for index in loaded:
                        index.nprobe = nprobe
                    _, got = sharded.search(queries[row:row + 1], K)
                    if set(exact[row].tolist()) <= set(got[0].tolist()):
                        found_at.append(nprobe)
                        break
            answers["ivf"]["foundAt"] = found_at
            spec("ivf", files, "ivf-q.npy", {"k": K, "nprobe": 4}, sweep={"nprobe": [1, 2, 4, 8]})

            # faiss HNSW, inner product, small integer coordinates: many ties, across shards too.
            d = 6
            base = rng.integers(-2, 3, size=(900, d)).astype(np.float32)
            queries = rng.integers(-2, 3, size=(25, d)).astype(np.float32)
            np.save(f"{out}/hnsw-q.npy", queries)
            files, loaded = [], []
            for s in range(3):
                index = faiss.IndexHNSWFlat(d, 8, faiss.METRIC_INNER_PRODUCT)
                index.add(base[s * 300:(s + 1) * 300])
                faiss.write_index(index, f"{out}/hnsw{s}.faiss")
                files.append(f"hnsw{s}.faiss")
                index = faiss.read_index(f"{out}/hnsw{s}.faiss")
                index.hnsw.efSearch = 16
                loaded.append(index)
            D, I = shards_of(loaded).search(queries, K)
            answers["hnsw"] = {"ids": I.tolist(), "bits": bits(D)}
            spec("hnsw", files, "hnsw-q.npy", {"k": K, "ef": 16})

            # Flat L1 over integers: ties everywhere, merged smallest first.
            files, loaded = [], []
            for s in range(4):
                index = faiss.IndexFlat(d, faiss.METRIC_L1)
                index.add(base[s * 200:(s + 1) * 200])
                faiss.write_index(index, f"{out}/l1-{s}.faiss")
                files.append(f"l1-{s}.faiss")
                loaded.append(faiss.read_index(f"{out}/l1-{s}.faiss"))
            D, I = shards_of(loaded).search(queries, K)
            answers["l1"] = {"ids": I.tolist(), "bits": bits(D)}
            spec("l1", files, "hnsw-q.npy", {"k": K})

            # hnswlib shards that store global labels: hnswlib's answers per shard, merged by faiss's merge_knn_results.
            d = 12
            base = rng.normal(size=(1200, d)).astype(np.float32)
            queries = rng.normal(size=(25, d)).astype(np.float32)
            np.save(f"{out}/lib-q.npy", queries)
            labels = rng.permutation(10**6)[:1200].astype(np.int64)
            files, Ds, Is = [], [], []
            for s in range(3):
                index = hnswlib.Index(space="l2", dim=d)
                index.init_index(max_elements=400, M=6, ef_construction=20, random_seed=s + 1)
                index.set_num_threads(1)
                index.add_items(base[s * 400:(s + 1) * 400], labels[s * 400:(s + 1) * 400])
                index.save_index(f"{out}/lib{s}.hnsw")
                files.append(f"lib{s}.hnsw")
                index = hnswlib.Index(space="l2", dim=d)
                index.load_index(f"{out}/lib{s}.hnsw")
                index.set_num_threads(1)
                index.set_ef(12)
                I, D = index.knn_query(queries, k=K)
                Is.append(I.astype(np.int64))
                Ds.append(D)
            D, I = faiss.merge_knn_results(np.stack(Ds), np.stack(Is), keep_max=False)
            answers["hnswlib"] = {"ids": I.tolist(), "bits": bits(D)}
            spec("hnswlib", files, "lib-q.npy", {"k": K, "ef": 12}, shard_ids="stored")
            print(json.dumps(answers))
            """
        let seed = String(UInt32.random(in: 0...999_999))
        let answers =
            try JSONSerialization.jsonObject(with: try LibraryScript.run(script, arguments: [directory.path, seed])) as? [String: Any]
        Self.built = (directory, answers ?? [:])
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Runs a case's spec and returns its summary.
    private func summary(_ name: String) throws -> [String: Any] {
        let output = path("\(name).pdf")
        let summary = path("\(name).summary.json")
        let outcome = try CLI.run([path("\(name).json"), "-o", output, "--summary", summary, "--quiet"])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let data = try Data(contentsOf: URL(fileURLWithPath: summary))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    private func left(_ summary: [String: Any]) -> [String: Any] {
        ((summary["comparisons"] as? [[String: Any]])?.first?["left"] as? [String: Any]) ?? [:]
    }

    /// Every query's merged answer against the library's: ids, order and float32 bits.
    private func assertSameAnswers(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let expected = answers[name] as? [String: Any] ?? [:]
        let ids = (expected["ids"] as? [[NSNumber]] ?? []).map { $0.map(\.int64Value) }
        let bits = (expected["bits"] as? [[NSNumber]] ?? []).map { $0.map(\.uint32Value) }
        let queries = left(try summary(name))["queries"] as? [[String: Any]] ?? []
        XCTAssertEqual(queries.count, ids.count, name, file: file, line: line)
        XCTAssertFalse(ids.isEmpty, file: file, line: line)
        for (row, query) in queries.enumerated() where row < ids.count {
            let results = query["results"] as? [[String: Any]] ?? []
            let wanted = zip(ids[row], bits[row]).filter { $0.0 >= 0 }
            XCTAssertEqual(
                results.compactMap { ($0["id"] as? NSNumber)?.int64Value }, wanted.map(\.0), "\(name) row \(row)", file: file, line: line)
            XCTAssertEqual(
                results.compactMap { ($0["distance"] as? NSNumber).map { Float(truncating: $0).bitPattern } }, wanted.map(\.1),
                "\(name) row \(row)", file: file, line: line)
        }
    }

    func testIVFShardsMergeAsIndexShardsWithTheLibrarysStatisticsAndSweep() throws {
        try assertSameAnswers("ivf")
        let expected = answers["ivf"] as? [String: Any] ?? [:]
        let side = left(try summary("ivf"))
        let aggregates = side["aggregates"] as? [String: Any] ?? [:]
        // indexIVF_stats.ndis adds up over every shard's search.
        let scanned = (aggregates["scanned"] as? [String: Any])?["mean"] as? Double
        XCTAssertEqual(scanned ?? -1, expected["scanned"] as? Double ?? -2, accuracy: 1e-9)
        XCTAssertEqual((side["shards"] as? [String])?.count, 3)
        // The sweep's recall is faiss's own over the same shards, against IndexShards of flat shards.
        let sweep =
            ((try summary("ivf")["comparisons"] as? [[String: Any]])?.first?["sweep"] as? [String: Any])?["left"] as? [[String: Any]] ?? []
        let faissSweep = expected["sweep"] as? [[String: Any]] ?? []
        XCTAssertEqual(sweep.count, faissSweep.count)
        for (ours, theirs) in zip(sweep, faissSweep) {
            XCTAssertEqual(ours["recall"] as? Double ?? -1, theirs["recall"] as? Double ?? -2, accuracy: 1e-9, "\(theirs)")
        }
    }

    /// `trace` with several index files: the shards of one index, every query's merged answer faiss's (ids, order,
    /// float32 bits), its statistics summed over the shards, each answer's shard named.
    func testTraceOfShardFilesIsIndexShardsAnswer() throws {
        for (name, files, queries, options) in [
            ("ivf", ["ivf0.faiss", "ivf1.faiss", "ivf2.faiss"], "ivf-q.npy", ["--nprobe", "4"]),
            ("hnsw", ["hnsw0.faiss", "hnsw1.faiss", "hnsw2.faiss"], "hnsw-q.npy", ["--ef", "16"]),
            ("hnswlib", ["lib0.hnsw", "lib1.hnsw", "lib2.hnsw"], "lib-q.npy", ["--ef", "12", "--shard-ids", "stored"]),
        ] {
            let outcome = try CLI.run(["trace"] + files.map(path) + ["--vector", path(queries), "--k", "10", "--json"] + options)
            XCTAssertEqual(outcome.status, 0, "\(name): \(outcome.stderr)")
            let lines = outcome.stdout.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            let expected = answers[name] as? [String: Any] ?? [:]
            let ids = (expected["ids"] as? [[NSNumber]] ?? []).map { $0.map(\.int64Value) }
            let bits = (expected["bits"] as? [[NSNumber]] ?? []).map { $0.map(\.uint32Value) }
            XCTAssertEqual(lines.count, ids.count, name)
            var scanned = 0
            for (row, line) in lines.enumerated() where row < ids.count {
                let results = line["results"] as? [[String: Any]] ?? []
                let wanted = zip(ids[row], bits[row]).filter { $0.0 >= 0 }
                XCTAssertEqual(results.compactMap { ($0["id"] as? NSNumber)?.int64Value }, wanted.map(\.0), "\(name) row \(row)")
                XCTAssertEqual(
                    results.compactMap { ($0["distance"] as? NSNumber).map { Float(truncating: $0).bitPattern } }, wanted.map(\.1),
                    "\(name) row \(row)")
                let shards = line["shards"] as? [String: Any]
                XCTAssertEqual((shards?["shards"] as? [[String: Any]])?.count, 3, name)
                XCTAssertEqual((shards?["resultShards"] as? [Int])?.count, wanted.count, name)
                scanned += ((line["counts"] as? [String: Any])?["scanned"] as? Int) ?? 0
            }
            if name == "ivf" {
                // indexIVF_stats.ndis adds up over every shard's search.
                XCTAssertEqual(Double(scanned) / Double(max(lines.count, 1)), expected["scanned"] as? Double ?? -1, accuracy: 1e-9)
            }
        }
        // --detail full: each shard's own search, whose answers shifted by its place are what the merge took from it.
        let full = try CLI.run(
            [
                "trace", path("ivf0.faiss"), path("ivf1.faiss"), path("ivf2.faiss"), "--vector", path("ivf-q.npy"), "--row", "0",
                "--nprobe", "4",
                "--json", "--detail", "full",
            ])
        XCTAssertEqual(full.status, 0, full.stderr)
        let line = try JSONSerialization.jsonObject(with: Data(full.stdout.utf8)) as? [String: Any] ?? [:]
        let parts = line["shardTraces"] as? [[String: Any]] ?? []
        XCTAssertEqual(parts.count, 3)
        let merged = (line["results"] as? [[String: Any]] ?? []).compactMap { ($0["id"] as? NSNumber)?.int64Value }
        let fromShards = (line["shards"] as? [String: Any])?["resultShards"] as? [Int] ?? []
        for (rank, shard) in fromShards.enumerated() where shard < parts.count {
            let own = (parts[shard]["results"] as? [[String: Any]] ?? []).compactMap { ($0["id"] as? NSNumber)?.int64Value }
            let shift = (parts[shard]["translation"] as? NSNumber)?.int64Value ?? 0
            XCTAssertTrue(own.map { $0 + shift }.contains(merged[rank]), "answer \(rank + 1) from shard \(shard)")
            XCTAssertNotNil(parts[shard]["ivf"], "shard \(shard)'s probes")
        }
        // Text: one rank line per answer with its shard, one line per shard.
        let text = try CLI.run([
            "trace", path("ivf0.faiss"), path("ivf1.faiss"), path("ivf2.faiss"), "--vector", path("ivf-q.npy"), "--row", "0",
        ])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.hasPrefix("ivf0.faiss + ivf1.faiss + ivf2.faiss · "), text.stdout)
        XCTAssertNotNil(
            text.stdout.firstMatch(
                of: /shard 2 ivf2\.faiss \(1600 vectors, ids \+ 2400\): returned \d+, kept \d+ · \d+ distance computations/),
            text.stdout)
        // Shards that cannot be merged are refused, naming the file.
        let mixed = try CLI.run(["trace", path("ivf0.faiss"), path("hnsw0.faiss"), "--vector", path("ivf-q.npy")])
        XCTAssertEqual(mixed.status, 65)
        XCTAssertTrue(mixed.stderr.contains("hnsw0.faiss has dimension 6, but shard 0 (ivf0.faiss) has 16"), mixed.stderr)
    }

    /// `view` with several index files: the merged answer in the result strip, the views drawing the shard that
    /// gave its first answer, their targets named by the merged ids (a query whose first answer is past shard 0).
    func testViewOfShardFilesDrawsTheShardOfTheFirstAnswerUnderTheMergedIDs() throws {
        let expected = answers["ivf"] as? [String: Any] ?? [:]
        let ids = (expected["ids"] as? [[NSNumber]] ?? []).map { $0.map(\.int64Value) }
        // Shard 0 holds ids 0..<1500.
        let row = ids.firstIndex { ($0.first ?? 0) >= 1500 } ?? 0
        let output = path("view.html")
        let outcome = try CLI.run(
            [
                "view", path("ivf0.faiss"), path("ivf1.faiss"), path("ivf2.faiss"), "--vector", path("ivf-q.npy"), "--row", "\(row)",
                "--nprobe",
                "4", "--k", "10", "-o", output,
            ])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let html = try String(contentsOfFile: output, encoding: .utf8)
        let tiles = html.matches(of: /<rect class="hit" tabindex="[^"]*" data-id="id (\d+)" data-rank="\d+"/).map {
            Int64($0.output.1) ?? -1
        }
        XCTAssertEqual(Array(tiles.prefix(ids[row].count)), ids[row], "the strip is the merged answer")
        let dot = html.firstMatch(of: /<circle class="hit" tabindex="[^"]*" data-id="id (\d+)" data-rank="1"[^>]*data-related=/)?.output.1
        XCTAssertEqual(dot.flatMap { Int64($0) }, ids[row].first, "the shard's first result under its merged id")
        XCTAssertTrue(html.contains("which gave the first answer"))
        // The shard table above the drawn shard's view, on the overview page (the words are findable text).
        XCTAssertNotNil(
            html.firstMatch(of: /<text [^>]*>ivf0.faiss \+ ivf1.faiss \+ ivf2.faiss — 3 shards, merged as faiss IndexShards<\/text>/))
    }

    /// In the HTML report the shard's own search is named by the merged answer's ids: its first result is the
    /// merged first result IndexShards returns (that shard gave it).
    func testShardViewsNameTheirVectorsByTheMergedIDs() throws {
        let output = path("ivf.html")
        let outcome = try CLI.run([path("ivf.json"), "-o", output, "--quiet"])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let html = try String(contentsOfFile: output, encoding: .utf8)
        guard let page = html.components(separatedBy: "<section class=\"page\"").first(where: { $0.contains("data-related=") }) else {
            return XCTFail("no page with the IVF views")
        }
        let dot = page.firstMatch(of: /<circle class="hit" tabindex="[^"]*" data-id="([^"]+)" data-rank="1"[^>]*data-related=/)?.output.1
        let expected = answers["ivf"] as? [String: Any] ?? [:]
        let first = ((expected["ids"] as? [[NSNumber]])?.first?.first)?.int64Value
        XCTAssertNotNil(first)
        XCTAssertEqual(dot.map(String.init), first.map { "id \($0)" })
    }

    func testShardMissesAreTheExactNeighboursIndexShardsDidNotReturnAndTheNprobeItNeeded() throws {
        let expected = answers["ivf"] as? [String: Any] ?? [:]
        let exact = (expected["exact"] as? [[NSNumber]] ?? []).map { $0.map(\.int64Value) }
        let returned = (expected["ids"] as? [[NSNumber]] ?? []).map { $0.map(\.int64Value) }
        let foundAt = (expected["foundAt"] as? [NSNumber] ?? []).map(\.intValue)
        let queries = left(try summary("ivf"))["queries"] as? [[String: Any]] ?? []
        XCTAssertEqual(queries.count, exact.count)
        var missed = 0
        for (row, query) in queries.enumerated() where row < exact.count && row < foundAt.count {
            let misses = query["misses"] as? [[String: Any]] ?? []
            missed += misses.count
            XCTAssertEqual(
                misses.compactMap { ($0["id"] as? NSNumber)?.int64Value }, exact[row].filter { !returned[row].contains($0) }, "row \(row)")
            // Each is in a list the shard holding it did not probe (nprobe 4), ranked past 4 in the coarse order.
            for miss in misses {
                XCTAssertEqual(miss["reason"] as? String, "unprobed-list", "row \(row)")
                XCTAssertGreaterThan(miss["listRank"] as? Int ?? 0, 4, "row \(row)")
            }
            XCTAssertEqual((query["needed"] as? [String: Any])?["nprobe"] as? Int, foundAt[row], "row \(row)")
        }
        XCTAssertGreaterThan(missed, 0, "the case should miss some exact neighbours at nprobe 4")
    }

    func testInnerProductShardsBreakTiesTowardsTheHigherShardAsFaissDoes() throws {
        try assertSameAnswers("hnsw")
    }

    func testL1ShardsMergeSmallestFirstWithTiesTowardsTheLowerShard() throws {
        try assertSameAnswers("l1")
    }

    func testHNSWLibShardsWithStoredLabelsMergeAsFaissMergesHnswlibsAnswers() throws {
        try assertSameAnswers("hnswlib")
    }

    func testAnIDQueryReadsTheStoredVectorFromTheShardThatHoldsIt() throws {
        // Successive ids: 2000 is the 500th vector of the second shard (1500 before it); stored ids: a label as given.
        let hnswlibIDs = ((answers["hnswlib"] as? [String: Any])?["ids"] as? [[NSNumber]])?.first?.first?.int64Value ?? -1
        for (name, shards, id, extra) in [
            ("id-ivf", #"["ivf0.faiss", "ivf1.faiss", "ivf2.faiss"]"#, Int64(2000), ""),
            ("id-lib", #"["lib0.hnsw", "lib1.hnsw", "lib2.hnsw"]"#, hnswlibIDs, #", "shardIds": "stored""#),
        ] {
            try Data(
                #"{"indexes": {"s": {"shards": \#(shards)\#(extra)}}, "queries": {"q": {"id": \#(id)}}, "params": {"k": 3, "nprobe": 4, "ef": 12}, "comparisons": [{"left": {"index": "s", "query": "q"}, "right": {"index": "s", "query": "q"}}]}"#
                    .utf8
            ).write(to: URL(fileURLWithPath: path("\(name).json")))
            let first = ((left(try summary(name))["queries"] as? [[String: Any]])?.first?["results"] as? [[String: Any]])?.first
            XCTAssertEqual((first?["id"] as? NSNumber)?.int64Value, id, name)
            XCTAssertEqual((first?["distance"] as? NSNumber)?.doubleValue, 0, name)
        }
    }

    func testAShardThatDoesNotFitIsNamedByItsPositionInTheSpec() throws {
        let spec = path("mismatch.json")
        try Data(
            #"{"indexes": {"s": {"shards": ["ivf0.faiss", "hnsw1.faiss"]}}, "queries": {"q": {"vector": "ivf-q.npy"}}, "comparisons": [{"left": {"index": "s", "query": "q"}, "right": {"index": "s", "query": "q"}}]}"#
                .utf8
        ).write(to: URL(fileURLWithPath: spec))
        let outcome = try CLI.run([spec, "-o", path("mismatch.pdf"), "--quiet"])
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(outcome.stderr.contains("$.indexes.s.shards[1]"), outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("cannot be merged"), outcome.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("mismatch.pdf")))
    }
}
