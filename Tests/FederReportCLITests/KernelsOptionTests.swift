import FederIndex
import FederTestSupport
import Foundation
import XCTest

/// `--kernels` names the library build whose float bits `trace` reproduces, and the output says which: with
/// `faiss-avx2` the ids and distance bits are faiss's under `FAISS_SIMD_LEVEL=AVX2`, and so on for every level
/// up to the one faiss picks on this CPU (the default). Unknown names are a usage error.
final class KernelsOptionTests: XCTestCase {
    struct Trace: Decodable {
        struct Result: Decodable {
            var id: Int64
            var distance: Float
        }
        var kernels: String
        var results: [Result]
    }

    private func trace(_ arguments: [String]) throws -> Trace {
        let outcome = try CLI.run(["trace"] + arguments + ["--json"])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        return try JSONDecoder().decode(Trace.self, from: Data(outcome.stdout.utf8))
    }

    func testKernelsOptionSelectsTheFaissLevelWhoseBitsTraceGives() throws {
        guard LibraryScript.isAvailable else { throw XCTSkip("no .venv with faiss") }
        let manifest = try FixtureManifest.load(committed: true)
        let fixture = try XCTUnwrap(manifest.fixtures.first { $0.name == "flat_l2_d33" })
        let queries = try XCTUnwrap(manifest.queriesPath(of: fixture))
        let file = manifest.path(of: fixture)
        let query = ["--vector", queries, "--row", "0", "--k", "40"]
        let levels = ["NONE", "AVX2", "AVX512", "AVX512_SPR"]
        let native = try trace([file] + query).kernels
        let nativeLevel = try XCTUnwrap(levels.firstIndex { native == "faiss \($0)" }, native)
        let vector = try VectorFile.read(path: queries).row(0)
        var bits: Set<[UInt32]> = []
        for level in levels.prefix(nativeLevel + 1) {
            let ours = try trace([file] + query + ["--kernels", "faiss-\(level.lowercased())"])
            XCTAssertEqual(ours.kernels, "faiss \(level)")
            let request = LibraryOracle.Request(file: file, space: nil, k: 40, nprobe: nil, ef: nil, vector: vector)
            let answer = try XCTUnwrap(try LibraryOracle.search([request], environment: ["FAISS_SIMD_LEVEL": level]).first)
            XCTAssertEqual(ours.results.map(\.id), answer.ids, level)
            XCTAssertEqual(ours.results.map(\.distance.bitPattern), answer.bits, level)
            bits.insert(answer.bits)
        }
        // The levels sum differently: the option is not a no-op.
        if nativeLevel > 0 { XCTAssertGreaterThan(bits.count, 1) }
    }

    func testUnknownKernelsAreAUsageError() throws {
        let outcome = try CLI.run(["trace", "x.faiss", "--id", "1", "--kernels", "faiss-sse9"])
        XCTAssertEqual(outcome.status, 64)
        XCTAssertTrue(outcome.stderr.contains("unknown kernels 'faiss-sse9'"), outcome.stderr)
    }

    /// `--omp-threads` changes nothing where faiss does not split the search (a flat index under 10,000 vectors),
    /// says nothing about OpenBLAS there, and refuses 0.
    func testOMPThreadsLeaveSmallSearchesAloneAndRefuseZero() throws {
        let manifest = try FixtureManifest.load(committed: true)
        let fixture = try XCTUnwrap(manifest.fixtures.first { $0.name == "flat_l2_d33" })
        let queries = try XCTUnwrap(manifest.queriesPath(of: fixture))
        let query = [manifest.path(of: fixture), "--vector", queries, "--row", "0"]
        let one = try trace(query)
        let four = try trace(query + ["--omp-threads", "4"])
        XCTAssertEqual(four.results.map(\.id), one.results.map(\.id))
        XCTAssertEqual(four.results.map(\.distance.bitPattern), one.results.map(\.distance.bitPattern))
        XCTAssertFalse(four.kernels.contains("OpenBLAS"), four.kernels)
        let zero = try CLI.run(["trace"] + query + ["--omp-threads", "0"])
        XCTAssertEqual(zero.status, 64)
        XCTAssertTrue(zero.stderr.contains("--omp-threads must be within 1…1024"), zero.stderr)
    }

    func testUnknownOpenBLASCoresAreAUsageError() throws {
        let outcome = try CLI.run(["trace", "x.faiss", "--id", "1", "--kernels", "openblas-core2"])
        XCTAssertEqual(outcome.status, 64)
        XCTAssertTrue(outcome.stderr.contains("openblas-prescott"), outcome.stderr)
    }
}
