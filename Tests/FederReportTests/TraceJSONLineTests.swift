import FederIndex
import FederSearch
import FederTestSupport
import XCTest

@testable import FederReport

/// `trace --json --detail results` writes its lines itself; they must be the bytes `JSONOutput.encode` writes.
final class TraceJSONLineTests: XCTestCase {
    /// Every committed index file (faiss float and binary, hnswlib, Voyager), a few queries each, at the settings its
    /// fixture searched with: the line written directly equals the encoder's, byte for byte.
    func testEveryKindOfTraceIsWrittenAsTheEncoderWritesIt() throws {
        let manifest = try FixtureManifest.load()
        var compared = 0
        for fixture in manifest.fixtures + (manifest.binary ?? []) + (manifest.voyager ?? []) {
            let space = fixture.space.flatMap { Space(rawValue: $0)?.metric } ?? .l2
            guard let index = try? IndexFile.open(path: manifest.path(of: fixture), space: space) else { continue }
            let queries: VectorTable? = try manifest.queriesPath(of: fixture).map { path in
                index.model.vectors == .packedBits ? try VectorFile.readPackedBits(path: path) : try VectorFile.read(path: path)
            }
            for search in fixture.searches.prefix(2) {
                for row in 0..<min(queries?.count ?? 0, 3) {
                    guard let table = queries else { continue }
                    var request = SearchRequest(k: search.k, nprobe: search.nprobe, ef: search.ef)
                    request.recordSteps = false
                    guard let (trace, warnings) = try? Searcher.trace(index, query: table.row(row), request: request) else { continue }
                    let query = ResolvedQuery(source: "q.npy row \(row)", row: row, vector: table.row(row))
                    let output = TraceOutput(query: query, trace: trace, warnings: warnings, detail: .results)
                    let line: String = try XCTUnwrap(output.resultsJSONLine(), fixture.name)
                    XCTAssertEqual(line, try JSONOutput.encode(output), fixture.name)
                    compared += 1
                }
            }
        }
        XCTAssertGreaterThan(compared, 100)
    }

    /// Strings with every control character, quotes, backslashes, slashes and non-ASCII text; floats that are whole,
    /// tiny, huge, negative zero, subnormal and not finite; labels at both ends of both label kinds.
    func testHostileStringsNumbersAndLabelsAreWrittenAsTheEncoderWritesThem() throws {
        let control = String(decoding: (0..<32).map { UInt8($0) }, as: UTF8.self)
        let strings = [control, "a \"quoted\" \\ back/slash", "façade — ∑ 😀", "", "tab\there\u{7F}", "line\u{2028}sep"]
        let floats: [Float] = [
            0, -0.0, 1, 232_610, 1e-5, .leastNonzeroMagnitude, 3.4028235e38, -2.5, 0.1, 123_456_792, .infinity, -.infinity, .nan,
            16_777_218,
        ]
        for (position, text) in strings.enumerated() {
            let neighbors = floats.enumerated().map { offset, distance in
                Neighbor(id: Int64(offset) - 1, distance: distance, internalID: offset)
            }
            var trace = SearchTrace(
                kind: .hnswlib, metric: text, parameters: SearchParameters(k: 3, nprobe: position, ef: nil),
                results: neighbors + [Neighbor(id: -1, distance: 7, internalID: 3), Neighbor(id: .min, distance: 1, internalID: 0)],
                counts: SearchCounts(distanceComputations: 0, visited: 0),
                distance: DistanceConvention(position == 4 ? .hamming : .squaredL2), labels: position % 2 == 0 ? .unsigned : .signed)
            trace.codes = position == 1 ? text : nil
            trace.kernels = text
            var counts = SearchCounts(distanceComputations: position, visited: 0)
            counts.hops = position == 2 ? nil : 5
            counts.scanned = position
            trace.counts = counts
            let query = ResolvedQuery(source: text, row: position == 0 ? nil : position, id: position == 3 ? Int64.max : nil, vector: [])
            let output = TraceOutput(query: query, trace: trace, warnings: [text, "second"], detail: .results)
            let line: String = try XCTUnwrap(output.resultsJSONLine())
            XCTAssertEqual(line, try JSONOutput.encode(output), "strings[\(position)]")
        }
    }

    /// A property added to the output (or to what it nests) is one the direct writer does not know: this fails until
    /// the writer is brought up to date.
    func testTheWriterKnowsEveryPropertyOfTheOutput() {
        let trace = SearchTrace(
            kind: .hnswlib, metric: "l2", parameters: SearchParameters(k: 1), results: [],
            counts: SearchCounts(distanceComputations: 0, visited: 0), distance: DistanceConvention(.squaredL2), labels: .signed)
        let output = TraceOutput(query: ResolvedQuery(source: "x", vector: []), trace: trace, warnings: [], detail: .results)
        XCTAssertEqual(Mirror(reflecting: output).children.compactMap(\.label), TraceOutput.propertiesWrittenByJSONLine)
        XCTAssertEqual(
            Mirror(reflecting: SearchCounts(distanceComputations: 0, visited: 0)).children.compactMap(\.label),
            ["distanceComputations", "visited", "scanned", "probedLists", "hops", "visitedLevel0"])
        XCTAssertEqual(Mirror(reflecting: SearchParameters(k: 1)).children.compactMap(\.label), ["k", "nprobe", "ef", "ompThreads"])
        XCTAssertEqual(Mirror(reflecting: output.query).children.compactMap(\.label), ["source", "row", "id"])
    }

    /// More than results (counts of recall, misses, a step trace) is left to the encoder.
    func testAnOutputWithMoreThanResultsIsLeftToTheEncoder() throws {
        let index = try IndexFile.open(path: FixtureManifest.committedDirectory().appendingPathComponent("hnswlib_l2.hnsw").path)
        let query = try XCTUnwrap(index.storedVector(label: 2))
        var (trace, _) = try Searcher.trace(index, query: query, request: SearchRequest(k: 5))
        try Measures.measure(&trace, index: index, query: query)
        let resolved = ResolvedQuery(source: "id 2", id: 2, vector: query)
        XCTAssertNil(TraceOutput(query: resolved, trace: trace, warnings: [], detail: .summary).resultsJSONLine())
        XCTAssertNil(TraceOutput(query: resolved, trace: trace, warnings: [], detail: .full).resultsJSONLine())
        XCTAssertNotNil(TraceOutput(query: resolved, trace: trace, warnings: [], detail: .results).resultsJSONLine())
    }
}
