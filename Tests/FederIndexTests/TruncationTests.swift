import FederIndex
import FederTestSupport
import Foundation
import XCTest

/// A file cut short anywhere is refused with a one-line message that names the file and the offset.
final class TruncationTests: XCTestCase {
    /// Offsets to cut at: every byte of small files; for larger ones every byte of the first and last KiB and
    /// a prime stride in between (a cut inside a run of vector data fails the same way wherever it falls).
    static func cuts(size: Int) -> [Int] {
        if size <= 8192 { return Array(0..<size) }
        var cuts = Set(0..<1024)
        cuts.formUnion(max(0, size - 1024)..<size)
        cuts.formUnion(stride(from: 1024, to: size, by: step(size: size)))
        return cuts.sorted()
    }

    /// The stride between the ends: 37 bytes up to about 740 KB, then the prime that keeps it near 20,000 cuts
    /// (the fresh set's 12 MB files of d = 128,100 would otherwise take a third of a million cuts each).
    static func step(size: Int) -> Int {
        var step = max(37, size / 20_000)
        while (2...Int(Double(step).squareRoot())).contains(where: { step % $0 == 0 }) { step += 1 }
        return step
    }

    func testEveryTruncationOfEveryFixtureIsAnError() throws {
        let manifest = try FixtureManifest.load()
        var checked = 0
        for fixture in manifest.fixtures + (manifest.binary ?? []) + (manifest.voyager ?? []) {
            let space = fixture.space.flatMap(Metric.init(name:)) ?? .l2
            let whole = try MappedFile(path: manifest.path(of: fixture))
            // The whole file decodes to what the library reported about it.
            let decoded = try IndexFile.decode(whole, space: space)
            XCTAssertEqual(fixture.expect["dim"]?.number.map { Int($0) }, decoded.dim, fixture.name)
            XCTAssertEqual(fixture.expect["count"]?.number.map { Int($0) }, decoded.count, fixture.name)
            for cut in Self.cuts(size: whole.count) {
                do {
                    _ = try IndexFile.decode(whole.prefix(cut), space: space)
                    XCTFail("\(fixture.name): a file cut at byte \(cut) of \(whole.count) was accepted")
                } catch let error as FederIndexError {
                    let message = error.localizedDescription
                    XCTAssertFalse(error.isCannotOpen, message)
                    XCTAssertTrue(message.contains(whole.path), message)
                    XCTAssertFalse(message.contains("\n"), message)
                    XCTAssertTrue(message.contains("byte "), message)
                }
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 10_000)
    }
}
