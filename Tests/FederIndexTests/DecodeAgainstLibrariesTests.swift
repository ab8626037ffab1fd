import FederIndex
import FederTestSupport
import Foundation
import XCTest

/// Codes decoded for the views are the vectors faiss reconstructs from them (`reconstruct`,
/// `reconstruct_from_offset`): product-quantizer codewords side by side (plus the list's centroid with
/// residuals), every scalar-quantizer type, 4-bit fast-scan blocks. The arithmetic is the plain one, so the
/// comparison allows the last bits to differ.
final class DecodeAgainstLibrariesTests: XCTestCase {
    func testDecodedCodesAreFaissReconstructions() throws {
        guard LibraryScript.isAvailable else { throw XCTSkip("no .venv with faiss") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-decode-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = """
            import sys, json
            import numpy as np, faiss
            out = sys.argv[1]
            rng = np.random.default_rng(3)
            x = rng.normal(size=(700, 24)).astype(np.float32)
            answers = {}
            kinds = [("pq", "PQ6x6"), ("sq8", "SQ8"), ("sq4", "SQ4"), ("sq6", "SQ6"), ("sqfp16", "SQfp16"), ("sqbf16", "SQbf16"),
                     ("sq8u", None), ("pqfs", "PQ6x4fs"), ("ivfpq", "IVF8,PQ6"), ("ivfsq", "IVF8,SQ4"), ("ivfpqfs", "IVF8,PQ6x4fs"),
                     ("hnswsq", "HNSW8,SQ8")]
            for name, factory in kinds:
                if factory is None:
                    index = faiss.IndexScalarQuantizer(24, faiss.ScalarQuantizer.QT_8bit_uniform)
                else:
                    index = faiss.index_factory(24, factory)
                index.train(x)
                index.add(x)
                faiss.write_index(index, f"{out}/{name}.faiss")
                ivf = faiss.try_extract_index_ivf(index)
                rows = []
                if ivf is None:
                    for i in (0, 1, 33, 699):
                        rows.append({"row": i, "vector": index.reconstruct(i).tolist()})
                else:
                    invlists = ivf.invlists
                    for list_no in range(ivf.nlist):
                        if invlists.list_size(list_no) > 2:
                            for offset in (0, 1, invlists.list_size(list_no) - 1):
                                recons = np.empty(24, dtype=np.float32)
                                ivf.reconstruct_from_offset(list_no, offset, faiss.swig_ptr(recons))
                                rows.append({"list": list_no, "offset": offset, "vector": recons.tolist()})
                            break
                answers[name] = rows
            print(json.dumps(answers))
            """
        let data = try LibraryScript.run(script, arguments: [directory.path])
        let answers = try JSONSerialization.jsonObject(with: data) as? [String: [[String: Any]]] ?? [:]
        XCTAssertEqual(answers.count, 12)
        var compared = 0
        for (name, rows) in answers.sorted(by: { $0.key < $1.key }) {
            let file = try IndexFile.open(path: directory.appendingPathComponent("\(name).faiss").path)
            guard case .faiss(let index) = file else { return XCTFail("\(name): not read as faiss") }
            for row in rows {
                let expected = (row["vector"] as? [NSNumber] ?? []).map(\.floatValue)
                let ours: [Float]?
                if let list = row["list"] as? Int, let offset = row["offset"] as? Int {
                    guard case .ivf(let ivf) = index else { return XCTFail("\(name): not an IVF") }
                    ours = ivf.reconstruct(list: list, offset: offset)
                } else {
                    ours = index.reconstruct(row: row["row"] as? Int ?? -1)
                }
                guard let ours else {
                    XCTFail("\(name) \(row): no reconstruction")
                    continue
                }
                XCTAssertEqual(ours.count, expected.count, name)
                for (a, b) in zip(ours, expected) {
                    XCTAssertEqual(a, b, accuracy: 1e-5 * max(1, abs(b)), "\(name) \(row["row"] ?? row["list"] ?? "")")
                }
                compared += 1
            }
        }
        XCTAssertEqual(compared, 9 * 4 + 3 * 3)
    }
}
