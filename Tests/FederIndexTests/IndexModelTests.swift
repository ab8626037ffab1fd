import FederIndex
import FederTestSupport
import Foundation
import XCTest

/// The index model says what the libraries do: the direction their answers are sorted in, the engine that wrote
/// the file, and the parameters their searches were run with.
final class IndexModelTests: XCTestCase {
    func testEveryFixturesModelAgreesWithTheLibrarysAnswers() throws {
        let manifest = try FixtureManifest.load()
        var directions: Set<Bool> = []
        for fixture in manifest.fixtures {
            let space = fixture.space.flatMap(Metric.init(name:)) ?? .l2
            let index = try IndexFile.open(path: manifest.path(of: fixture), space: space)
            let model = index.model
            XCTAssertEqual(model.engine, fixture.format, fixture.name)
            XCTAssertEqual(try IndexFile.engine(of: MappedFile(path: manifest.path(of: fixture))).name, fixture.format, fixture.name)
            XCTAssertEqual(model.labels, fixture.format == "hnswlib" ? .unsigned : .signed, fixture.name)
            XCTAssertEqual(model.dim, index.dim, fixture.name)
            for search in fixture.searches {
                if search.nprobe != nil { XCTAssertTrue(model.reads(.nprobe), "\(fixture.name) was searched with nprobe") }
                if search.ef != nil { XCTAssertTrue(model.reads(.ef), "\(fixture.name) was searched with ef") }
                for result in search.results {
                    // The library's own answers, padding left out, are sorted best first.
                    let answers = zip(result.ids, result.distances).filter { fixture.format == "hnswlib" || $0.0 >= 0 }.map(\.1)
                    for (a, b) in zip(answers, answers.dropFirst()) where a != b {
                        XCTAssertEqual(
                            a > b, model.distance.largerIsBetter, "\(fixture.name): \(a) before \(b) (\(model.distance))")
                        directions.insert(a > b)
                    }
                }
            }
        }
        XCTAssertEqual(directions, [true, false], "the fixtures hold both directions")
    }

    func testTheStructuresFollowTheIndexKind() throws {
        let manifest = try FixtureManifest.load()
        for fixture in manifest.fixtures {
            let space = fixture.space.flatMap(Metric.init(name:)) ?? .l2
            let model = try IndexFile.open(path: manifest.path(of: fixture), space: space).model
            let summary = try IndexSummary(IndexFile.open(path: manifest.path(of: fixture), space: space))
            // The structures a search goes through: an IDMap's or a pre-transform's inner index, a refine index's base
            // (its refine index only re-scores), an HNSW's graph but not its code storage.
            var next: IndexSummary? = summary
            var partition = false
            var graph = false
            while let current = next {
                partition = partition || current.nlist != nil
                graph = graph || current.levels != nil
                next = current.kFactor != nil ? current.base?.value : current.levels != nil ? nil : current.inner?.value
            }
            XCTAssertEqual(model.has(.partition), partition, fixture.name)
            XCTAssertEqual(model.has(.layeredGraph), graph, fixture.name)
        }
    }

    func testAFileNoEngineRecognisesNamesItsFirstBytes() throws {
        let file = MappedFile(name: "x.bin", data: Data([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08]))
        XCTAssertThrowsError(try IndexFile.decode(file)) { error in
            XCTAssertTrue("\(error)".contains("0x01020304"), "\(error)")
        }
    }
}
