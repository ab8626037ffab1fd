import FederIndex
import FederTestSupport
import Foundation
import XCTest

final class TraceCommandTests: XCTestCase {
    private func fixture(_ name: String) -> String { FixtureManifest.committedDirectory().appendingPathComponent(name).path }

    func testJSONMatchesTheLibraryOnAnIntegerIVF() throws {
        let manifest = try FixtureManifest.load(committed: true)
        let entry = try XCTUnwrap(manifest.fixtures.first { $0.name == "ivf_flat_l2_int" })
        let search = try XCTUnwrap(entry.searches.first { $0.k == 10 && $0.nprobe != nil })
        let nprobe = try XCTUnwrap(search.nprobe)
        let outcome = try CLI.run([
            "trace", fixture(entry.file), "--vector", fixture(entry.queries ?? ""), "--k", "10",
            "--nprobe", "\(nprobe)", "--json", "--detail", "full",
        ])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let lines = outcome.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, search.results.count, "one JSON object per query row")
        for (line, expected) in zip(lines, search.results) {
            let json = try JSONValue.parse(Data(line.utf8))
            let ids = json["results"]?.array?.compactMap { $0["id"]?.number }.map { Int64($0) }
            XCTAssertEqual(ids, expected.ids)
            let distances = json["results"]?.array?.compactMap { $0["distance"]?.number }.map { Float($0) }
            XCTAssertEqual(distances, expected.distances.map { Float($0) })
            XCTAssertNotNil(json["counts"]?["scanned"])
            XCTAssertNotNil(json["counts"]?["probedLists"])
            XCTAssertNotNil(json["recall"]?.number)
            XCTAssertEqual(json["ivf"]?["probes"]?.array?.count, nprobe)
        }
    }

    func testHNSWTraceHasLevels() throws {
        let outcome = try CLI.run(["trace", fixture("hnsw_flat_l2.faiss"), "--id", "5", "--json", "--detail", "full"])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let json = try JSONValue.parse(Data(outcome.stdout.utf8))
        XCTAssertEqual(json["results"]?.array?.first?["id"], .number(5))
        XCTAssertEqual(json["results"]?.array?.first?["distance"], .number(0))
        XCTAssertNotNil(json["hnsw"]?["upperLevels"]?.array)
        XCTAssertNotNil(json["hnsw"]?["level0"]?["steps"]?.array)
        XCTAssertNotNil(json["counts"]?["hops"])
    }

    /// `--detail` decides what each JSON line holds: results alone (no exact search), the summary (the default:
    /// counts, recall, exact top-k, misses, needed) or the whole trace; the results are the same at every level.
    func testDetailLevels() throws {
        var lines: [String: [JSONValue]] = [:]
        for detail in ["results", "summary", "full"] {
            let outcome = try CLI.run([
                "trace", fixture("hnswlib_l2.hnsw"), "--space", "l2", "--vector", fixture("hnswlib_l2.queries.npy"), "--ef", "10",
                "--json", "--detail", detail,
            ])
            XCTAssertEqual(outcome.status, 0, outcome.stderr)
            lines[detail] = try outcome.stdout.split(separator: "\n").map { try JSONValue.parse(Data($0.utf8)) }
        }
        let results = try XCTUnwrap(lines["results"])
        let summary = try XCTUnwrap(lines["summary"])
        let full = try XCTUnwrap(lines["full"])
        XCTAssertGreaterThan(results.count, 1)
        XCTAssertEqual(results.count, summary.count)
        XCTAssertEqual(results.count, full.count)
        for (row, (first, (second, third))) in zip(results, zip(summary, full)).enumerated() {
            XCTAssertEqual(first["results"], second["results"], "row \(row)")
            XCTAssertEqual(second["results"], third["results"], "row \(row)")
            XCTAssertNil(first["recall"])
            XCTAssertNil(first["exact"])
            XCTAssertNotNil(second["recall"])
            XCTAssertNotNil(second["counts"])
            XCTAssertNil(second["hnsw"])
            XCTAssertEqual(second["recall"], third["recall"])
            XCTAssertNotNil(third["hnsw"]?["level0"]?["steps"]?.array)
        }
        let bad = try CLI.run(["trace", fixture("hnswlib_l2.hnsw"), "--space", "l2", "--id", "1", "--json", "--detail", "all"])
        XCTAssertEqual(bad.status, 64)
        XCTAssertTrue(bad.stderr.contains("--detail must be results, summary or full"), bad.stderr)
    }

    /// Queries from big-ann `.fbin` / `.u8bin` and TEXMEX `.bvecs`, and ground truth from `.ivecs`, `.ibin` and
    /// integer `.npy`: recall and misses against the file's ids as given, each query row with its truth row.
    func testBenchmarkFilesAndGroundTruth() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-gt-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let index = fixture("hnswlib_l2.hnsw")
        let queries = try VectorFile.read(path: fixture("hnswlib_l2.queries.npy"))
        let rows = (0..<queries.count).map { queries.row($0) }
        func data(_ words: [UInt32]) -> Data { words.withUnsafeBytes { Data($0) } }
        func file(_ name: String, _ bytes: Data) throws -> String {
            let url = directory.appendingPathComponent(name)
            try bytes.write(to: url)
            return url.path
        }
        let dim = rows.first?.count ?? 0
        var fbin = data([UInt32(rows.count), UInt32(dim)])
        Array(rows.joined()).withUnsafeBufferPointer { fbin.append(Data(buffer: $0)) }
        // Whole-number queries, so the byte formats hold them exactly.
        let bytes = rows.map { $0.map { UInt8(max(0, min(255, $0.rounded()))) } }
        var u8bin = data([UInt32(rows.count), UInt32(dim)])
        var bvecs = Data()
        for row in bytes {
            u8bin.append(contentsOf: row)
            bvecs.append(data([UInt32(dim)]))
            bvecs.append(contentsOf: row)
        }
        let exactRun = { (vectors: String) throws -> [[String: Any]] in
            let outcome = try CLI.run(["trace", index, "--space", "l2", "--vector", vectors, "--ef", "10", "--json"])
            XCTAssertEqual(outcome.status, 0, outcome.stderr)
            return outcome.stdout.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }
        let fromNpy = try exactRun(fixture("hnswlib_l2.queries.npy"))
        let fromFbin = try exactRun(try file("q.fbin", fbin))
        XCTAssertEqual(fromNpy.map { $0["results"] as? NSArray }, fromFbin.map { $0["results"] as? NSArray })
        let fromU8 = try exactRun(try file("q.u8bin", u8bin))
        let fromBvecs = try exactRun(try file("q.bvecs", bvecs))
        XCTAssertEqual(fromU8.count, rows.count)
        XCTAssertEqual(fromU8.map { $0["results"] as? NSArray }, fromBvecs.map { $0["results"] as? NSArray })

        // Ground truth: each query's own results, so recall is 1 whatever exact search says.
        let found = fromNpy.map { ($0["results"] as? [[String: Any]] ?? []).compactMap { ($0["id"] as? NSNumber)?.int64Value } }
        let k = found.first?.count ?? 0
        var ivecs = Data()
        var ibin = data([UInt32(found.count), UInt32(k)])
        for ids in found {
            ivecs.append(data([UInt32(k)] + ids.map { UInt32($0) }))
            ibin.append(data(ids.map { UInt32($0) }))
        }
        var npy = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        var header = "{'descr': '<i8', 'fortran_order': False, 'shape': (\(found.count), \(k)), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        npy.append(contentsOf: [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
        npy.append(contentsOf: Array(header.utf8))
        Array(found.joined()).withUnsafeBufferPointer { npy.append(Data(buffer: $0)) }
        for truth in [try file("gt.ivecs", ivecs), try file("gt.ibin", ibin), try file("gt.npy", npy)] {
            let outcome = try CLI.run([
                "trace", index, "--space", "l2", "--vector", fixture("hnswlib_l2.queries.npy"), "--ef", "10", "--json", "--ground-truth",
                truth,
            ])
            XCTAssertEqual(outcome.status, 0, outcome.stderr)
            let lines = outcome.stdout.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            XCTAssertEqual(lines.count, found.count, truth)
            for line in lines {
                XCTAssertEqual(line["recall"] as? Double, 1, truth)
                XCTAssertEqual(line["groundTruth"] as? String, truth)
            }
            // One row of the query file takes the same row of the truth.
            let single = try CLI.run([
                "trace", index, "--space", "l2", "--vector", fixture("hnswlib_l2.queries.npy"), "--row", "2", "--ef", "10",
                "--ground-truth",
                truth,
            ])
            XCTAssertTrue(single.stdout.contains("recall@\(k) 1.00"), single.stdout)
            XCTAssertTrue(single.stdout.contains("as given"), single.stdout)
        }
        let short = try file("short.ivecs", data([UInt32(k)] + (found.first ?? []).map { UInt32($0) }))
        let mismatch = try CLI.run([
            "trace", index, "--space", "l2", "--vector", fixture("hnswlib_l2.queries.npy"), "--ground-truth", short,
        ])
        XCTAssertEqual(mismatch.status, 65)
        XCTAssertTrue(mismatch.stderr.contains("short.ivecs") && mismatch.stderr.contains("1 rows"), mismatch.stderr)
    }

    func testReadableTrace() throws {
        let outcome = try CLI.run(["trace", fixture("hnswlib_l2.hnsw"), "--id", "7", "--k", "3"])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertTrue(outcome.stdout.contains("recall@3"), outcome.stdout)
        XCTAssertTrue(outcome.stdout.contains("L0"), outcome.stdout)
    }

    func testNprobeAboveNlistIsClampedWithAWarning() throws {
        let outcome = try CLI.run(["trace", fixture("ivf_flat_l2_full.faiss"), "--id", "3", "--nprobe", "99", "--json"])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("nprobe 99 is larger than nlist 16"), outcome.stderr)
        XCTAssertEqual(try JSONValue.parse(Data(outcome.stdout.utf8))["parameters"]?["nprobe"], .number(16))
    }

    func testErrors() throws {
        let cases: [([String], Int32, String)] = [
            (["trace", fixture("flat_l2_int.faiss"), "--id", "99999"], 65, "error: id 99999 is not in \(fixture("flat_l2_int.faiss"))"),
            (["trace", fixture("hnswlib_l2_deleted.hnsw"), "--id", "\(try deletedLabel())"], 65, "is deleted in"),
            (["trace", fixture("flat_l2_int.faiss"), "--vector-json", "[1, 2]"], 65, "dimension 2"),
            (["trace", fixture("flat_l2_int.faiss"), "--id", "1", "--k", "0"], 64, "--k must be at least 1"),
            (["trace", fixture("flat_l2_int.faiss"), "--id", "1", "--vector-json", "[1]"], 64, "exactly one query"),
            (["trace", fixture("flat_l2_int.faiss"), "--vector", fixture("flat_l2_int.queries.npy"), "--row", "99"], 65, "row 99"),
            (["trace", fixture("flat_l2_int.faiss"), "--ids", "1,x"], 64, "--ids takes comma-separated integers (got '1,x')"),
            (["trace", fixture("flat_l2_int.faiss"), "--ids", ""], 64, "--ids takes comma-separated integers"),
            (["trace", fixture("ivf_pq_l2.faiss"), "--id", "1"], 65, "keeps codes or transformed vectors"),
            (["trace", "/nonexistent.faiss", "--id", "1"], 66, "cannot open"),
        ]
        for (arguments, status, message) in cases {
            let outcome = try CLI.run(arguments)
            XCTAssertEqual(outcome.status, status, "\(arguments): \(outcome.stderr)")
            XCTAssertTrue(outcome.stderr.contains(message), "\(arguments): \(outcome.stderr)")
        }
    }

    /// A label of the deleted-elements fixture that hnswlib marks deleted (read from the file, not assumed).
    private func deletedLabel() throws -> Int64 {
        guard case .hnswlib(let index) = try IndexFile.open(path: fixture("hnswlib_l2_deleted.hnsw")) else {
            throw XCTSkip("not an hnswlib file")
        }
        let element = try XCTUnwrap((0..<index.count).first(where: index.isDeleted))
        return Int64(index.label(element))
    }
}
