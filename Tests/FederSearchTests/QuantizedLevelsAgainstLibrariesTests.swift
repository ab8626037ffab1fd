import CFederKernels
import FederIndex
import FederTestSupport
import Foundation
import XCTest

@testable import FederSearch

/// Quantized, fast-scan and pre-transform indexes build their tables, quantize and convert with float
/// arithmetic that differs between faiss's SIMD levels: every such fixture's searches must give faiss's ids
/// and float bits at each level this CPU runs (faiss started with FAISS_SIMD_LEVEL, the tool with that level).
final class QuantizedLevelsAgainstLibrariesTests: XCTestCase {
    /// Codes whose arithmetic depends on the level beyond the plain float kernels.
    static let levelDependent: Set<String> = ["IPfs", "IwPf", "IxPT", "IwPQ", "IxPq", "IHNp", "IwSq", "IwSQ", "IxSQ", "IHNs", "IxRF"]

    override func tearDown() { Kernels.select(.native) }

    func testQuantizedSearchesMatchEveryFaissLevelThisCPURuns() throws {
        guard LibraryScript.isAvailable else { throw XCTSkip("no .venv with faiss") }
        let manifest = try FixtureManifest.load()
        var cases: [(fixture: FixtureManifest.Fixture, search: FixtureManifest.Search, row: Int, query: [Float])] = []
        for fixture in manifest.fixtures where fixture.format == "faiss" {
            let codes = SearchAgainstLibrariesTests.codes(in: fixture.expect)
            guard codes.contains(where: Self.levelDependent.contains),
                !codes.contains(where: SearchAgainstLibrariesTests.untraceable.contains),
                let queriesPath = manifest.queriesPath(of: fixture)
            else { continue }
            let queries = try VectorFile.read(path: queriesPath)
            for search in fixture.searches {
                for row in 0..<queries.count { cases.append((fixture, search, row, queries.row(row))) }
            }
        }
        XCTAssertGreaterThan(cases.count, 100)
        for level in Kernels.FaissLevel.allCases where level.rawValue <= feder_cpu_faiss_level() {
            let requests = cases.map {
                LibraryOracle.Request(
                    file: manifest.path(of: $0.fixture), space: nil, k: $0.search.k, nprobe: $0.search.nprobe, ef: $0.search.ef,
                    vector: $0.query)
            }
            let answers = try LibraryOracle.search(requests, environment: ["FAISS_SIMD_LEVEL": level.name])
            var kernels = Kernels.native
            kernels.faiss = level
            Kernels.select(kernels)
            var indexes: [String: IndexFile] = [:]
            // The vector-unit kernels, then the portable ones (as on a CPU without AVX2): the same bits.
            for portable in [0, 1] {
                feder_kernels_portable(Int32(portable))
                defer { feder_kernels_portable(0) }
                var mismatches: [String] = []
                for (entry, answer) in zip(cases, answers) {
                    let path = manifest.path(of: entry.fixture)
                    let index = try indexes[path] ?? IndexFile.open(path: path)
                    indexes[path] = index
                    let request = SearchRequest(k: entry.search.k, nprobe: entry.search.nprobe, ef: entry.search.ef)
                    let (trace, _) = try Searcher.trace(index, query: entry.query, request: request)
                    if trace.results.map(\.id) != answer.ids || trace.results.map(\.distance.bitPattern) != answer.bits {
                        mismatches.append(
                            "\(entry.fixture.name) k \(entry.search.k) nprobe \(entry.search.nprobe.map(String.init) ?? "-") row \(entry.row)"
                        )
                    }
                }
                XCTAssertEqual(
                    mismatches.count, 0, "faiss \(level.name)\(portable == 1 ? " (portable kernels)" : ""): \(mismatches.prefix(8))")
            }
        }
    }
}
