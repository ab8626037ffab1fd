import FederIndex
import FederTestSupport
import Foundation
import XCTest

@testable import FederSearch

/// Voyager's E4M3 pieces against the library itself: the `E4M3(float)` constructor, the decoding table, which
/// kernel each stored width takes, and the queries the trace refuses because the wheel's answer is not defined.
final class VoyagerE4M3Tests: XCTestCase {
    /// Every float32 exponent from far below E4M3's smallest value to above 448, both signs, all 256 patterns of the
    /// top eight mantissa bits, and low bits that do and do not decide the rounding, encoded by `voyager.E4M3T`.
    func testEncodingIsTheLibrarysConstructor() throws {
        guard LibraryScript.isAvailable else { throw XCTSkip("no .venv with voyager") }
        let script = """
            import json
            import numpy as np, voyager
            rng = np.random.default_rng(3)
            bits, codes = [], []
            for sign in (0, 1):
                for exponent in range(100, 141):
                    for top in range(256):
                        for low in (0, 1, 0x4000, 0x7FFF, int(rng.integers(0, 0x8000))):
                            pattern = (sign << 31) | (exponent << 23) | (top << 15) | low
                            value = float(np.array([pattern], dtype=np.uint32).view(np.float32)[0])
                            try:
                                e = voyager.E4M3T(value)
                                code = e.sign | (e.raw_exponent << 1) | (e.raw_mantissa << 5)
                            except ValueError:
                                code = -1
                            bits.append(pattern)
                            codes.append(code)
            print(json.dumps({"bits": bits, "codes": codes}))
            """
        let data = try LibraryScript.run(script, arguments: [])
        let answer = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: [Int]])
        let bits = try XCTUnwrap(answer["bits"])
        let codes = try XCTUnwrap(answer["codes"])
        XCTAssertEqual(bits.count, 2 * 41 * 256 * 5)
        var mismatches: [String] = []
        var refused = 0
        for (pattern, code) in zip(bits, codes) {
            let value = Float(bitPattern: UInt32(pattern))
            let ours = VoyagerE4M3.encode(value).map(Int.init) ?? -1
            if code == -1 { refused += 1 }
            if ours != code { mismatches.append("\(value) (0x\(String(pattern, radix: 16))): library \(code), here \(ours)") }
        }
        XCTAssertEqual(mismatches.prefix(10), [], "\(mismatches.count) values encoded differently")
        XCTAssertGreaterThan(refused, 1000, "values beyond ±448 are refused as the library refuses them")
    }

    /// The library decodes a stored byte through `ALL_E4M3_VALUES`; `E4M3T.from_char` takes the sign, exponent and
    /// mantissa in the other order (s eeee mmm), and its float is that table's entry for the struct's byte.
    func testTheDecodingTableIsTheLibrarys() throws {
        guard LibraryScript.isAvailable else { throw XCTSkip("no .venv with voyager") }
        let script = """
            import json
            import numpy as np, voyager
            out = []
            for byte in range(256):
                s, e, m = byte & 1, (byte >> 1) & 15, byte >> 5
                value = np.float32(float(voyager.E4M3T.from_char((s << 7) | (e << 3) | m)))
                out.append(int(np.array([value]).view(np.uint32)[0]))
            print(json.dumps(out))
            """
        let bits = try XCTUnwrap(try JSONSerialization.jsonObject(with: LibraryScript.run(script, arguments: [])) as? [Int])
        XCTAssertEqual(VoyagerE4M3.table.map { Int($0.bitPattern) }, bits)
    }

    /// The constructors' choice by stored width (the user's dimensions, plus one for inner product).
    func testKernelShapeByStoredWidth() {
        let expected: [(Int, VoyagerE4M3.Shape)] = [
            (1, .sequential), (3, .sequential), (4, .blocks(4)), (5, .atLeast(4)), (7, .atLeast(4)), (8, .blocks(8)),
            (9, .atLeast(8)), (12, .blocks(4)), (15, .atLeast(8)), (16, .blocks(16)), (17, .atLeast(16)), (20, .blocks(4)),
            (24, .blocks(8)), (31, .atLeast(16)), (32, .sequential), (33, .atLeast(32)), (48, .blocks(16)), (63, .atLeast(32)),
            (64, .sequential), (65, .atLeast(64)), (127, .atLeast(64)), (128, .sequential), (129, .atLeast(128)),
            (384, .sequential), (385, .atLeast(128)), (769, .atLeast(128)), (1000, .blocks(8)), (1025, .atLeast(128)),
        ]
        for (width, shape) in expected { XCTAssertEqual(VoyagerE4M3.shape(storedDim: width), shape, "width \(width)") }
    }

    /// A zero first component: refused for cosine (the wheel ORs in a sign register it has not set yet, so its
    /// answer is undefined), traced exactly in the other spaces (their encoder keeps a 0 or 1 there, both +0). A
    /// component beyond ±448 is refused in those spaces, as the library raises on it (cosine normalises first).
    func testLeadingZerosAndOutOfRangeComponents() throws {
        guard LibraryScript.isAvailable else { throw XCTSkip("no .venv with voyager") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-e4m3-zero-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = """
            import json, sys
            import numpy as np, voyager
            out = sys.argv[1]
            rng = np.random.default_rng(11)
            spaces = {"euclidean": voyager.Space.Euclidean, "ip": voyager.Space.InnerProduct, "cosine": voyager.Space.Cosine}
            answers = {}
            for name, space in spaces.items():
                x = rng.integers(-2, 3, size=(60, 9)).astype(np.float32)
                x[:, 0] = rng.choice([-2.0, -1.0, 1.0, 2.0], size=60)
                index = voyager.Index(space, num_dimensions=9, M=8, ef_construction=32, random_seed=1,
                                      storage_data_type=voyager.StorageDataType.E4M3)
                index.add_items(x, num_threads=1)
                index.save(f"{out}/{name}.voy")
                queries = rng.integers(-2, 3, size=(6, 9)).astype(np.float32)
                queries[:, 0] = 0
                queries[1, :3] = 0
                np.save(f"{out}/{name}.queries.npy", queries)
                if name == "cosine":
                    continue
                back = voyager.Index.load(f"{out}/{name}.voy")
                rows = []
                for q in queries:
                    labels, distances = back.query(q, k=8, query_ef=20)
                    rows.append({"ids": labels.astype(np.int64).tolist(), "bits": distances.view(np.uint32).tolist()})
                try:
                    back.query(np.full(9, 448.5, dtype=np.float32), k=1)
                    raised = False
                except ValueError:
                    raised = True
                answers[name] = {"rows": rows, "raised": raised}
            print(json.dumps(answers))
            """
        let data = try LibraryScript.run(script, arguments: [directory.path])
        let answers = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: [String: Any]])
        for space in ["euclidean", "ip", "cosine"] {
            let index = try IndexFile.open(path: directory.appendingPathComponent("\(space).voy").path)
            let queries = try VectorFile.read(path: directory.appendingPathComponent("\(space).queries.npy").path)
            guard let answer = answers[space] else {
                XCTAssertEqual(space, "cosine")
                for row in 0..<queries.count {
                    XCTAssertThrowsError(try Searcher.trace(index, query: queries.row(row), request: SearchRequest(k: 8, ef: 20))) {
                        error in
                        guard case FederSearchError.unsupported(let message) = error else { return XCTFail("\(error)") }
                        XCTAssertTrue(message.contains("first component is 0"), message)
                        XCTAssertTrue(message.contains("undefined behaviour"), message)
                    }
                }
                // A first component that is not 0 is traced, zeros after it included.
                var query = queries.row(1)
                query[0] = 1
                XCTAssertNoThrow(try Searcher.trace(index, query: query, request: SearchRequest(k: 8, ef: 20)))
                continue
            }
            XCTAssertEqual(answer["raised"] as? Bool, true, space)
            XCTAssertThrowsError(
                try Searcher.trace(index, query: [Float](repeating: 448.5, count: 9), request: SearchRequest(k: 1)), space
            ) { error in
                XCTAssertTrue("\(error)".contains("-448 to 448"), "\(error)")
            }
            let rows = try XCTUnwrap(answer["rows"] as? [[String: Any]])
            XCTAssertEqual(rows.count, queries.count)
            for (row, expected) in rows.enumerated() {
                let (trace, _) = try Searcher.trace(index, query: queries.row(row), request: SearchRequest(k: 8, ef: 20))
                XCTAssertEqual(trace.results.map(\.id), try XCTUnwrap(expected["ids"] as? [Int64]), "\(space) query \(row)")
                XCTAssertEqual(
                    trace.results.map(\.distance.bitPattern), try XCTUnwrap(expected["bits"] as? [UInt32]), "\(space) query \(row)")
            }
        }
    }
}
