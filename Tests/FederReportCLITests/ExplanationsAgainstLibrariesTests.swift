import FederTestSupport
import Foundation
import XCTest

/// Why each exact neighbour was missed, checked against the libraries themselves: faiss's coarse quantizer ranks
/// the lists and its inverted lists say where each vector is; hnswlib searched with ef = n finds exactly the
/// neighbours that are reachable; a breadth-first walk written here over the file's own layer-0 links gives the
/// hop counts. The indexes have real defects: a power-law IVF, an M 2 hnswlib over tight clusters with deletes.
final class ExplanationsAgainstLibrariesTests: XCTestCase {
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
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-explain-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = """
            import sys, json, struct
            import numpy as np, faiss, hnswlib
            out = sys.argv[1]
            faiss.omp_set_num_threads(1)
            rng = np.random.default_rng(11)
            K = 10
            answers = {}

            # IVF over power-law clusters: a few huge lists, many small ones.
            d = 16
            centers = rng.normal(size=(40, d)).astype(np.float32) * 4
            weights = 1.0 / np.arange(1, 41) ** 1.5
            members = rng.choice(40, size=3000, p=weights / weights.sum())
            base = (centers[members] + rng.normal(size=(3000, d))).astype(np.float32)
            queries = (centers[rng.integers(0, 40, 30)] + rng.normal(size=(30, d))).astype(np.float32)
            np.save(f"{out}/ivf-q.npy", queries)
            np.save(f"{out}/ivf-base.npy", base)
            flat = faiss.IndexFlatL2(d)
            flat.add(base)
            _, exact = flat.search(queries, K)
            for name, factory in (("ivfflat", "IVF32,Flat"), ("ivfpq", "IVF32,PQ8")):
                index = faiss.index_factory(d, factory)
                index.train(base)
                index.add(base)
                ivf = faiss.extract_index_ivf(index)
                ivf.nprobe = 3
                faiss.write_index(index, f"{out}/{name}.faiss")
                _, ids = index.search(queries, K)
                _, order = ivf.quantizer.search(queries, ivf.nlist)
                list_of = {}
                for lst in range(ivf.nlist):
                    size = ivf.invlists.list_size(lst)
                    for i in faiss.rev_swig_ptr(ivf.invlists.get_ids(lst), size).tolist():
                        list_of[i] = lst
                # The smallest nprobe whose search returns every exact neighbour (faiss itself, flat only).
                found_at = []
                if name == "ivfflat":
                    for row in range(len(queries)):
                        for nprobe in range(1, ivf.nlist + 1):
                            ivf.nprobe = nprobe
                            _, got = index.search(queries[row:row + 1], K)
                            if set(exact[row].tolist()) <= set(got[0].tolist()):
                                found_at.append(nprobe)
                                break
                # faiss's own sweep: mean recall@K by ids and mean distance computations (ndis + nlist) per nprobe.
                sweep = []
                for nprobe in (1, 2, 4, 8, 32):
                    ivf.nprobe = nprobe
                    faiss.cvar.indexIVF_stats.reset()
                    hits = 0
                    for row in range(len(queries)):
                        _, got = index.search(queries[row:row + 1], K)
                        hits += len(set(got[0].tolist()) & set(exact[row].tolist()))
                    sweep.append({"nprobe": nprobe, "recall": hits / (K * len(queries)),
                                  "ndis": faiss.cvar.indexIVF_stats.ndis / len(queries) + ivf.nlist})
                ivf.nprobe = 3
                answers[name] = {"ids": ids.tolist(), "order": order.tolist(), "listOf": [list_of[i] for i in range(3000)],
                                 "sweep": sweep,
                                 "foundAt": found_at, "imbalance": ivf.invlists.imbalance_factor(),
                                 "sizes": [ivf.invlists.list_size(i) for i in range(ivf.nlist)]}
            answers["ivfExact"] = exact.tolist()

            # hnswlib, M 2, over tight clusters, some elements deleted: parts of layer 0 cannot be reached.
            n = 2000
            centers = rng.normal(size=(50, d)).astype(np.float32) * 10
            base = (centers[rng.integers(0, 50, n)] + 0.05 * rng.normal(size=(n, d))).astype(np.float32)
            queries = (centers[rng.integers(0, 50, 60)] + 0.05 * rng.normal(size=(60, d))).astype(np.float32)
            np.save(f"{out}/hnsw-q.npy", queries)
            index = hnswlib.Index(space="l2", dim=d)
            index.init_index(max_elements=n, M=2, ef_construction=10, random_seed=5)
            index.set_num_threads(1)
            index.add_items(base, np.arange(n))
            deleted = list(range(0, 200, 7))
            for label in deleted:
                index.mark_deleted(label)
            index.save_index(f"{out}/tight.hnsw")
            index.set_ef(10)
            at10, _ = index.knn_query(queries, k=K)
            index.set_ef(n)
            atN, _ = index.knn_query(queries, k=K)
            live = np.ones(n, bool)
            live[deleted] = False
            exact = []
            for q in queries:
                dist = ((base.astype(np.float64) - q) ** 2).sum(1)
                dist[~live] = np.inf
                exact.append(np.argsort(dist, kind="stable")[:K].tolist())
            # The smallest ef at which hnswlib returns every exact neighbour, trying every ef from K up to 300.
            needed_ef = []
            for row, q in enumerate(queries):
                found = None
                for ef in range(K, 301):
                    index.set_ef(ef)
                    got, _ = index.knn_query(q[None, :], k=K)
                    if set(exact[row]) <= set(got[0].tolist()):
                        found = ef
                        break
                needed_ef.append(found)
            # Layer 0's links and deleted flags, read from the file here (hnswlib's save_index layout).
            raw = open(f"{out}/tight.hnsw", "rb").read()
            offset0, max_elements, count, size_per, label_offset, data_offset = struct.unpack_from("<QQQQQQ", raw, 0)
            level0 = struct.calcsize("<QQQQQQiiQQQdQ")
            links, flags = [], []
            for element in range(count):
                start = level0 + element * size_per
                header = struct.unpack_from("<I", raw, start)[0]
                links.append(list(struct.unpack_from(f"<{header & 0xFFFF}I", raw, start + 4)))
                flags.append(bool((header >> 16) & 1))
            answers["hnsw"] = {"at10": at10.astype(np.int64).tolist(), "atN": atN.astype(np.int64).tolist(), "exact": exact,
                               "links": links, "deleted": flags, "entry": struct.unpack_from("<i", raw, 52)[0],
                               "neededEF": needed_ef}

            # faiss HNSW, M 4, over the same tight clusters: its layer-0 links from faiss's own arrays.
            index = faiss.IndexHNSWFlat(d, 4)
            index.hnsw.efConstruction = 8
            index.add(base)
            faiss.write_index(index, f"{out}/tight.faiss")
            graph = index.hnsw
            offsets = faiss.vector_to_array(graph.offsets)
            neighbors = faiss.vector_to_array(graph.neighbors)
            begin, end = graph.cum_nb_neighbors(0), graph.cum_nb_neighbors(1)
            faiss_links = [[int(x) for x in neighbors[offsets[i] + begin:offsets[i] + end] if x >= 0] for i in range(index.ntotal)]
            answers["faissHNSW"] = {"links": faiss_links, "entry": int(graph.entry_point)}
            print(json.dumps(answers))
            """
        let answers = try JSONSerialization.jsonObject(with: try LibraryScript.run(script, arguments: [directory.path])) as? [String: Any]
        Self.built = (directory, answers ?? [:])
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private func traces(_ arguments: [String]) throws -> [[String: Any]] {
        let outcome = try CLI.run(["trace"] + arguments + ["--json", "--detail", "full"])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        return outcome.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    private func int64s(_ value: Any?) -> [Int64] { (value as? [NSNumber] ?? []).map(\.int64Value) }

    func testIVFMissesNameTheirListAndItsCoarseRankAndTheNprobeNeeded() throws {
        let exact = (answers["ivfExact"] as? [[NSNumber]] ?? []).map { $0.map(\.int64Value) }
        var reasons: [String: Int] = [:]
        for name in ["ivfflat", "ivfpq"] {
            let faiss = answers[name] as? [String: Any] ?? [:]
            let results = (faiss["ids"] as? [[NSNumber]] ?? []).map { $0.map(\.int64Value) }
            let order = (faiss["order"] as? [[NSNumber]] ?? []).map { $0.map(\.intValue) }
            let listOf = (faiss["listOf"] as? [NSNumber] ?? []).map(\.intValue)
            let foundAt = (faiss["foundAt"] as? [NSNumber] ?? []).map(\.intValue)
            // The PQ index keeps codes: its truth comes from the vectors that were added.
            let truth = name == "ivfpq" ? ["--vectors", path("ivf-base.npy")] : []
            let traced = try traces([path("\(name).faiss"), "--vector", path("ivf-q.npy"), "--k", "10"] + truth)
            XCTAssertEqual(traced.count, exact.count)
            for (row, trace) in traced.enumerated() where row < exact.count && row < results.count {
                let misses = trace["misses"] as? [[String: Any]] ?? []
                // A miss is exactly an exact neighbour faiss did not return.
                XCTAssertEqual(
                    misses.compactMap { ($0["id"] as? NSNumber)?.int64Value }, exact[row].filter { !results[row].contains($0) },
                    "\(name) row \(row)")
                for miss in misses {
                    guard let id = (miss["id"] as? NSNumber)?.intValue, let reason = miss["reason"] as? String else { continue }
                    reasons[reason, default: 0] += 1
                    XCTAssertEqual(miss["list"] as? Int, listOf[id], "\(name) row \(row) id \(id)")
                    let rank = (order[row].firstIndex(of: listOf[id]) ?? -1) + 1
                    XCTAssertEqual(miss["listRank"] as? Int, rank, "\(name) row \(row) id \(id)")
                    XCTAssertEqual(reason == "unprobed-list", rank > 3, "\(name) row \(row) id \(id): \(reason)")
                    if reason != "unprobed-list" {
                        XCTAssertEqual(reason, name == "ivfpq" ? "quantization" : "tie")
                        if name == "ivfpq" { XCTAssertNotNil(miss["approximateDistance"]) }
                    }
                }
                // The nprobe needed: the worst coarse rank of an exact neighbour's list …
                let worst = exact[row].map { (order[row].firstIndex(of: listOf[Int($0)]) ?? -1) + 1 }.max()
                let needed = (trace["needed"] as? [String: Any])?["nprobe"] as? Int
                XCTAssertEqual(needed, worst, "\(name) row \(row)")
                // … and for float vectors, where faiss itself first returns them all.
                if name == "ivfflat", row < foundAt.count { XCTAssertEqual(needed, foundAt[row], "row \(row)") }
            }
        }
        XCTAssertGreaterThan(reasons["unprobed-list"] ?? 0, 0, "\(reasons)")
        XCTAssertGreaterThan(reasons["quantization"] ?? 0, 0, "\(reasons)")
    }

    func testHNSWMissesAreUnreachableExactlyWhereNoEfFindsThem() throws {
        let hnsw = answers["hnsw"] as? [String: Any] ?? [:]
        let at10 = (hnsw["at10"] as? [[NSNumber]] ?? []).map { $0.map(\.int64Value) }
        let atN = (hnsw["atN"] as? [[NSNumber]] ?? []).map { $0.map(\.int64Value) }
        let exact = (hnsw["exact"] as? [[NSNumber]] ?? []).map { $0.map(\.int64Value) }
        let links = (hnsw["links"] as? [[NSNumber]] ?? []).map { $0.map(\.intValue) }
        let deleted = (hnsw["deleted"] as? [Bool] ?? [])
        XCTAssertEqual(links.count, 2000)
        /// Hop counts of a breadth-first walk along layer-0 links (labels are element ids here).
        func walk(from sources: [Int], throughDeleted: Bool) -> [Int: Int] {
            var depth = Dictionary(sources.map { ($0, 0) }, uniquingKeysWith: { first, _ in first })
            var frontier = sources
            while !frontier.isEmpty {
                var next: [Int] = []
                for node in frontier where throughDeleted || !deleted[node] {
                    for neighbor in links[node] where depth[neighbor] == nil {
                        depth[neighbor] = (depth[node] ?? 0) + 1
                        next.append(neighbor)
                    }
                }
                frontier = next
            }
            return depth
        }
        let traced = try traces([path("tight.hnsw"), "--vector", path("hnsw-q.npy"), "--k", "10", "--ef", "10"])
        var reasons: [String: Int] = [:]
        for (row, trace) in traced.enumerated() where row < exact.count {
            let misses = trace["misses"] as? [[String: Any]] ?? []
            XCTAssertEqual(
                misses.compactMap { ($0["id"] as? NSNumber)?.int64Value }, exact[row].filter { !at10[row].contains($0) }, "row \(row)")
            let search = trace["hnsw"] as? [String: Any] ?? [:]
            let entry = ((search["level0"] as? [String: Any])?["entry"] as? Int) ?? -1
            let fromEntry = walk(from: [entry], throughDeleted: true)
            let fromEntryLive = walk(from: [entry], throughDeleted: false)
            let fromVisited = walk(from: (search["visited"] as? [Int]) ?? [], throughDeleted: true)
            for miss in misses {
                guard let id = (miss["id"] as? NSNumber)?.intValue, let reason = miss["reason"] as? String else { continue }
                reasons[reason, default: 0] += 1
                // Unreachable exactly where hnswlib with ef = n does not find it either.
                XCTAssertEqual(reason == "unreachable", !atN[row].contains(Int64(id)), "row \(row) id \(id): \(reason)")
                XCTAssertEqual(reason == "unreachable", fromEntry[id] == nil, "row \(row) id \(id)")
                if reason == "not-reached" || reason == "deleted-path" {
                    XCTAssertEqual(reason == "deleted-path", fromEntryLive[id] == nil, "row \(row) id \(id)")
                    XCTAssertEqual(miss["hops"] as? Int, fromVisited[id], "row \(row) id \(id)")
                }
            }
        }
        for reason in ["unreachable", "not-reached"] { XCTAssertGreaterThan(reasons[reason] ?? 0, 0, "\(reasons)") }
        // The ef each query needed: hnswlib itself, tried at every ef from k up (none where a neighbour is unreachable).
        let neededEF = (hnsw["neededEF"] as? [Any]) ?? []
        var compared = 0
        for (row, trace) in traced.enumerated() where row < neededEF.count {
            let ours = (trace["needed"] as? [String: Any])?["ef"] as? Int
            if let theirs = neededEF[row] as? Int {
                XCTAssertEqual(ours, theirs, "row \(row)")
                compared += 1
            } else {
                XCTAssertTrue(ours == nil || ours ?? 0 > 300, "row \(row): \(ours ?? -1)")
            }
        }
        XCTAssertGreaterThanOrEqual(compared, 5, "queries whose every exact neighbour some ef returns")
    }

    /// `health` against the libraries' own numbers and a walk written here over the file's links: faiss's
    /// imbalance factor, every unreachable label, nodes nothing links to, layer 0's components.
    func testHealthAgainstTheLibrariesAndAWalkOverTheLinks() throws {
        func health(_ file: String) throws -> [String: Any] {
            let outcome = try CLI.run(["health", path(file), "--json"])
            XCTAssertEqual(outcome.status, 0, outcome.stderr)
            return try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any] ?? [:]
        }
        for name in ["ivfflat", "ivfpq"] {
            let faiss = answers[name] as? [String: Any] ?? [:]
            let ivf = try health("\(name).faiss")["ivf"] as? [String: Any] ?? [:]
            let expected = try XCTUnwrap(faiss["imbalance"] as? Double)
            XCTAssertEqual(try XCTUnwrap(ivf["imbalanceFactor"] as? Double), expected, accuracy: 1e-12 * expected, name)
            let sizes = (faiss["sizes"] as? [Int]) ?? []
            XCTAssertEqual(ivf["emptyLists"] as? Int, sizes.count { $0 == 0 })
            let top = sizes.sorted().suffix(max(1, Int((Double(sizes.count) * 0.01).rounded(.up)))).reduce(0, +)
            XCTAssertEqual(try XCTUnwrap(ivf["largestListsShare"] as? Double), Double(top) / 3000, accuracy: 1e-12)
        }
        let libraries: [(file: String, answers: String)] = [("tight.hnsw", "hnsw"), ("tight.faiss", "faissHNSW")]
        var unreachableSeen = 0
        var unreachableIn: [String: Int] = [:]
        for (file, key) in libraries {
            let graph = answers[key] as? [String: Any] ?? [:]
            let links = (graph["links"] as? [[NSNumber]] ?? []).map { $0.map(\.intValue) }
            let deleted = (graph["deleted"] as? [Bool]) ?? [Bool](repeating: false, count: links.count)
            let entry = try XCTUnwrap(graph["entry"] as? Int)
            // A plain depth-first walk from the entry point, through deleted nodes too.
            var seen = [Bool](repeating: false, count: links.count)
            var stack = [entry]
            seen[entry] = true
            while let node = stack.popLast() {
                for neighbor in links[node] where !seen[neighbor] {
                    seen[neighbor] = true
                    stack.append(neighbor)
                }
            }
            let unreachable = links.indices.filter { !seen[$0] && !deleted[$0] }
            var linkedTo = Set<Int>()
            for list in links { linkedTo.formUnion(list) }
            // Components with links taken both ways: repeated relabelling to the smallest id until nothing changes.
            var component = Array(links.indices)
            var changed = true
            while changed {
                changed = false
                for (node, list) in links.enumerated() {
                    for neighbor in list where component[neighbor] != component[node] {
                        let low = min(component[neighbor], component[node])
                        component[neighbor] = low
                        component[node] = low
                        changed = true
                    }
                }
            }
            let hnsw = try health(file)["hnsw"] as? [String: Any] ?? [:]
            XCTAssertEqual(hnsw["unreachable"] as? Int, unreachable.count, file)
            XCTAssertEqual((hnsw["unreachableLabels"] as? [Int]) ?? [], unreachable, file)
            XCTAssertEqual(hnsw["inDegreeZero"] as? Int, links.indices.count { !linkedTo.contains($0) && !deleted[$0] }, file)
            XCTAssertEqual(hnsw["components"] as? Int, Set(component).count, file)
            XCTAssertEqual(hnsw["deleted"] as? Int, deleted.count { $0 }, file)
            unreachableSeen += unreachable.count
            unreachableIn[file] = unreachable.count
        }
        XCTAssertGreaterThan(unreachableSeen, 0, "the tight clusters leave nodes no search reaches")

        // The same numbers gate a report: per index, named with its file.
        let spec = directory.appendingPathComponent("health.json")
        try Data(
            """
            {"indexes": {"tight": {"file": "tight.hnsw"}, "lists": {"file": "ivfflat.faiss"}},
             "queries": {"q": {"vector": "hnsw-q.npy", "row": 0}}, "params": {"k": 10, "ef": 10},
             "comparisons": [{"title": "t", "left": {"index": "tight", "query": "q"}, "right": {"index": "tight", "query": "q"}}]}
            """.utf8
        ).write(to: spec)
        let imbalance = try XCTUnwrap((answers["ivfflat"] as? [String: Any])?["imbalance"] as? Double)
        let gated = try CLI.run([
            spec.path, "-o", path("health.pdf"), "--quiet", "--fail-if", "unreachable>0", "--fail-if", "imbalance>\(imbalance - 0.01)",
            "--fail-if", "imbalance>\(imbalance + 0.01)",
        ])
        XCTAssertEqual(gated.status, 1)
        let lines = gated.stderr.split(separator: "\n").filter { $0.contains("fail-if") }
        XCTAssertEqual(lines.count, 2, gated.stderr)
        XCTAssertTrue(lines.contains { $0.contains("index 'tight' (") && $0.contains("unreachable ") }, gated.stderr)
        XCTAssertTrue(lines.contains { $0.contains("index 'lists' (") && $0.contains("imbalance ") }, gated.stderr)
        if let text = try pdfText(path("health.pdf")) { XCTAssertTrue(text.contains("Index health"), text) }
        // The view draws it too: where the unreachable nodes sit, and the in-degrees.
        let view = try CLI.run(["view", path("tight.hnsw"), "--vector", path("hnsw-q.npy"), "--row", "0", "-o", path("view.pdf")])
        XCTAssertEqual(view.status, 0, view.stderr)
        if let text = try pdfText(path("view.pdf")) {
            XCTAssertTrue(text.contains("HNSW health — reachability"), text)
            XCTAssertTrue(text.contains("unreachable (\(min(unreachableIn["tight.hnsw"] ?? 0, 4000)))"), text)
        }
    }

    /// An nprobe sweep of IVF over float vectors comes from one coarse ranking per query, and gives what faiss
    /// gives searching at every point: the same mean recall and the same distance computations.
    func testCoarseOrderSweepMatchesFaissAtEveryPoint() throws {
        let spec = directory.appendingPathComponent("sweep.json")
        try Data(
            """
            {"indexes": {"ivf": {"file": "ivfflat.faiss"}}, "queries": {"q": {"vector": "ivf-q.npy"}}, "params": {"k": 10},
             "comparisons": [{"title": "s", "left": {"index": "ivf", "query": "q"}, "right": {"index": "ivf", "query": "q"},
                              "sweep": {"nprobe": [1, 2, 4, 8, 32]}}]}
            """.utf8
        ).write(to: spec)
        let outcome = try CLI.run([spec.path, "-o", path("sweep.pdf"), "--summary", path("sweep.json"), "--quiet"])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("sweep.json")))) as? [String: Any]
        let sweep = (summary?["comparisons"] as? [[String: Any]])?.first?["sweep"] as? [String: Any] ?? [:]
        XCTAssertEqual(sweep["fromCoarseOrder"] as? [String], ["left", "right"])
        let faiss = ((answers["ivfflat"] as? [String: Any])?["sweep"] as? [[String: Any]]) ?? []
        let ours = sweep["left"] as? [[String: Any]] ?? []
        XCTAssertEqual(ours.count, faiss.count)
        for (point, expected) in zip(ours, faiss) {
            XCTAssertEqual(point["value"] as? Int, expected["nprobe"] as? Int)
            XCTAssertEqual(try XCTUnwrap(point["recall"] as? Double), try XCTUnwrap(expected["recall"] as? Double), accuracy: 1e-12)
            XCTAssertEqual(
                try XCTUnwrap(point["distanceComputations"] as? Double), try XCTUnwrap(expected["ndis"] as? Double), accuracy: 1e-9)
        }
    }
}
