import FederTestSupport
import Foundation
import XCTest

final class ViewCommandTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-view-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func fixture(_ name: String) -> String { FixtureManifest.committedDirectory().appendingPathComponent(name).path }
    private func out(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private func pdftotext(_ path: String) throws -> String? { try pdfText(path, layout: true) }

    func testIVFPDFHasEveryViewWithTitlesAndLegends() throws {
        let outcome = try CLI.run(["view", fixture("ivf_flat_l2_full.faiss"), "--id", "7", "--nprobe", "4", "-o", out("ivf.pdf")])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        guard let text = try pdftotext(out("ivf.pdf")) else { throw XCTSkip("pdftotext is not installed") }
        for expected in [
            "IVF overview", "IVF coarse search", "IVF fine search", "projection", "Top-10 results", "probed, by rank",
            "nearest centroid", "squared L2 distance", "recall@10",
        ] {
            XCTAssertTrue(text.contains(expected), "missing '\(expected)'")
        }
        XCTAssertEqual(
            text.components(separatedBy: "\u{0C}").filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }.count, 6,
            "overview + 5 views")
        XCTAssertTrue(text.contains("IVF health — list sizes"))
    }

    func testHNSWPagesAndDeterminismAcrossRuns() throws {
        for ext in ["pdf", "png", "svg"] {
            let first = out("a.\(ext)")
            let second = out("b.\(ext)")
            for path in [first, second] {
                let outcome = try CLI.run(["view", fixture("hnswlib_l2.hnsw"), "--id", "9", "--ef", "16", "-o", path])
                XCTAssertEqual(outcome.status, 0, outcome.stderr)
            }
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: first)), try Data(contentsOf: URL(fileURLWithPath: second)), ext)
        }
        let svg = try String(contentsOfFile: out("a.svg"), encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<?xml") && svg.contains("<svg"), "an SVG document")
        let png = [UInt8](try Data(contentsOf: URL(fileURLWithPath: out("a.png"))))
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47], "a PNG")
        guard let text = try pdftotext(out("a.pdf")) else { throw XCTSkip("pdftotext is not installed") }
        for expected in ["HNSW overview", "HNSW search", "greedy path", "expanded (layer 0)", "result, by rank"] {
            XCTAssertTrue(text.contains(expected), "missing '\(expected)'")
        }
    }

    /// Without -o, INDEX-view.pdf in the current directory (not beside the index, which may be read-only), and
    /// the path written said with and without -o.
    func testWithoutOutputItWritesIntoTheCurrentDirectoryAndSaysWhere() throws {
        let elsewhere = directory.appendingPathComponent("indexes")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let copy = elsewhere.appendingPathComponent("small.faiss").path
        try FileManager.default.copyItem(atPath: fixture("flat_l2_int.faiss"), toPath: copy)
        let outcome = try CLI.run(["view", copy, "--id", "1"], in: directory)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertTrue(outcome.stdout.contains("wrote small-view.pdf: "), outcome.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: elsewhere.appendingPathComponent("small-view.pdf").path))
        let named = try CLI.run(["view", copy, "--id", "1", "-o", out("named.png")])
        XCTAssertEqual(named.status, 0, named.stderr)
        XCTAssertTrue(named.stdout.contains("wrote \(out("named.png")): 1 page"), named.stdout)
        let pdf = try Data(contentsOf: URL(fileURLWithPath: out("small-view.pdf")))
        XCTAssertTrue(pdf.starts(with: Data("%PDF".utf8)))
        XCTAssertTrue(String(decoding: pdf.suffix(32), as: UTF8.self).contains("%%EOF"), "a complete PDF")
        guard let text = try pdftotext(out("small-view.pdf")) else { throw XCTSkip("pdftotext is not installed") }
        XCTAssertTrue(text.contains("small.faiss"), "the page names the index it drew")
    }

    func testMediaThumbnailsAndMissingMediaWarn() throws {
        // A media list whose first entries point at files that do not exist: placeholders and warnings, no abort.
        let list = out("media.txt")
        try (0..<300).map { "img-\($0).png" }.joined(separator: "\n").write(toFile: list, atomically: true, encoding: .utf8)
        let outcome = try CLI.run(["view", fixture("ivf_flat_l2_int.faiss"), "--id", "2", "--media", list, "-o", out("m.png")])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("warning"), outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("img-"), "the warning names a missing file: \(outcome.stderr)")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: out("m.png"))))
        XCTAssertEqual(Array(bytes.prefix(4)), [0x89, 0x50, 0x4E, 0x47], "a PNG")
        let width = bytes[16..<20].reduce(0) { $0 << 8 | Int($1) }
        let height = bytes[20..<24].reduce(0) { $0 << 8 | Int($1) }
        // Every view on one page, two columns 900 points wide at the default 144 dpi, as tall as its rows need.
        XCTAssertEqual(width, 1800)
        XCTAssertGreaterThan(height, 1000)
    }

    func testBadArguments() throws {
        let cases: [([String], Int32)] = [
            (["view", fixture("flat_l2_int.faiss"), "--id", "1", "--theme", "neon", "-o", out("x.pdf")], 64),
            (["view", fixture("flat_l2_int.faiss"), "--id", "1", "-o", out("x.gif")], 64),
            (["view", fixture("flat_l2_int.faiss"), "--ids", "1,2", "-o", out("x.pdf")], 64),
            (["view", fixture("flat_l2_int.faiss"), "--id", "99999", "-o", out("x.pdf")], 65),
            (["view", fixture("flat_l2_int.faiss"), "--id", "1", "-o", "/nonexistent-dir/x.pdf"], 73),
        ]
        let messages = ["neon", "gif", "--ids", "99999", "/nonexistent-dir"]
        for ((arguments, status), message) in zip(cases, messages) {
            let outcome = try CLI.run(arguments)
            XCTAssertEqual(outcome.status, status, "\(arguments): \(outcome.stderr)")
            XCTAssertTrue(outcome.stderr.contains(message), "\(arguments): the error names '\(message)': \(outcome.stderr)")
            XCTAssertEqual(outcome.stdout, "", "\(arguments)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: out("x.pdf")), "\(arguments) wrote nothing")
        }
    }
}
