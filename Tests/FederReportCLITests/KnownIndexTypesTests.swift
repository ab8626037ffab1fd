import FederTestSupport
import Foundation
import XCTest

/// Index types faiss writes that this version does not read (LSH, NSG, binary hash, …) are named as known but not
/// read yet (exit 65), never reported as an unknown format, on `inspect` and on `trace`.
final class KnownIndexTypesTests: XCTestCase {
    func testFaissIndexTypesNotReadYetAreNamed() throws {
        guard LibraryScript.isAvailable else { throw XCTSkip("no .venv with faiss") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-known-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = """
            import sys
            import numpy as np, faiss
            out = sys.argv[1]
            rng = np.random.default_rng(1)
            x = rng.normal(size=(600, 16)).astype(np.float32)
            for name, factory in (("lsh", "LSH"), ("nsg", "NSG8,Flat"), ("rq", "RQ2x4")):
                index = faiss.index_factory(16, factory)
                index.train(x)
                index.add(x)
                faiss.write_index(index, f"{out}/{name}.faiss")
            binary = faiss.IndexBinaryHash(64, 8)
            binary.add(rng.integers(0, 256, size=(20, 8)).astype(np.uint8))
            faiss.write_index_binary(binary, f"{out}/binary.faiss")
            """
        _ = try LibraryScript.run(script, arguments: [directory.path])
        for (file, name) in [
            ("lsh", "IndexLSH (IxHe)"), ("nsg", "IndexNSGFlat (INSf)"), ("rq", "IndexResidualQuantizer (IxRq)"),
            ("binary", "IndexBinaryHash (IBHh)"),
        ] {
            let path = directory.appendingPathComponent("\(file).faiss").path
            for arguments in [
                ["inspect", path], ["trace", path, "--vector-json", "[\(Array(repeating: "0", count: 16).joined(separator: ","))]"],
            ] {
                let outcome = try CLI.run(arguments)
                XCTAssertEqual(outcome.status, 65, "\(arguments): \(outcome.stderr)")
                XCTAssertTrue(outcome.stderr.contains("faiss \(name) is known but not read by this version yet"), outcome.stderr)
                XCTAssertFalse(outcome.stderr.contains("unknown"), outcome.stderr)
            }
        }
    }
}
