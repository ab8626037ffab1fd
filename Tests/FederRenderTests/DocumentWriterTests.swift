import CCairo
import FederLayout
import FederRender
import FederTestSupport
import Foundation
import XCTest

final class DocumentWriterTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-render-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func scene(title: String = "Render test") -> Scene {
        let theme = Theme.light
        var scene = Scene(size: Size(300, 200), background: theme.background, title: title)
        scene.marks = [
            .rect(Rect(x: 10, y: 10, width: 120, height: 80), fill: theme.accent, stroke: Stroke(theme.text), cornerRadius: 6),
            .circle(center: Point(200, 60), radius: 30, fill: theme.result, stroke: nil),
            .arrow(from: Point(20, 150), to: Point(180, 150), stroke: Stroke(theme.query, width: 2), head: 8),
            .text(TextMark(title, at: Point(150, 170), font: Font(size: 12, weight: .bold), color: theme.text, alignment: .center)),
            .image(
                ImageMark(
                    rect: Rect(x: 240, y: 120, width: 50, height: 50), path: directory.appendingPathComponent("missing.png").path,
                    label: "missing")),
            .group(
                [.polygon([Point(0, 0), Point(300, 0), Point(0, 200)], fill: theme.truth.withAlpha(0.2), stroke: nil)],
                clip: Rect(x: 0, y: 0, width: 60, height: 60)),
        ]
        return scene
    }

    func testPNGIsDeterministicAndSizedByDPI() throws {
        let first = directory.appendingPathComponent("a.png").path
        let second = directory.appendingPathComponent("b.png").path
        let warnings = try DocumentWriter.write([scene()], to: first, dpi: 144)
        try DocumentWriter.write([scene()], to: second, dpi: 144)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: first)), try Data(contentsOf: URL(fileURLWithPath: second)))
        XCTAssertEqual(warnings.count, 1, "the missing image becomes a placeholder and a warning")
        XCTAssertTrue(warnings[0].contains("missing.png"), warnings[0])
        // IHDR: width and height at bytes 16…23, big-endian.
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: first)))
        let width = bytes[16..<20].reduce(0) { $0 << 8 | Int($1) }
        let height = bytes[20..<24].reduce(0) { $0 << 8 | Int($1) }
        XCTAssertEqual(width, 600)
        XCTAssertEqual(height, 400)
        XCTAssertGreaterThan(bytes.count, 2000, "not a blank image")
    }

    /// (SVG ids come from cairo's process-wide counters: SVG output is compared across runs in the CLI tests.)
    func testPDFIsDeterministic() throws {
        for ext in ["pdf"] {
            let first = directory.appendingPathComponent("a.\(ext)").path
            let second = directory.appendingPathComponent("b.\(ext)").path
            try DocumentWriter.write([scene()], to: first)
            try DocumentWriter.write([scene()], to: second)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: first)), try Data(contentsOf: URL(fileURLWithPath: second)), ext)
        }
        let pdf = try String(decoding: Data(contentsOf: directory.appendingPathComponent("a.pdf")), as: UTF8.self)
        XCTAssertTrue(pdf.contains("/CreationDate (20000101000000Z)"), "fixed creation date")
    }

    func testPDFHasOnePagePerSceneAndItsText() throws {
        let path = directory.appendingPathComponent("pages.pdf").path
        try DocumentWriter.write([scene(title: "First page"), scene(title: "Second page")], to: path, title: "Doc")
        guard let text = try pdftotext(path) else { throw XCTSkip("pdftotext (poppler-utils) is not installed") }
        XCTAssertTrue(text.contains("First page"), text)
        XCTAssertTrue(text.contains("Second page"), text)
        XCTAssertEqual(
            text.components(separatedBy: "\u{0C}").filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }.count, 2)
    }

    func testSinglePageFormatsRefuseSeveralScenes() {
        XCTAssertThrowsError(try DocumentWriter.write([scene(), scene()], to: directory.appendingPathComponent("x.png").path)) { error in
            XCTAssertEqual(error as? RenderError, .multiplePagesInSingleFileFormat(format: "PNG", pages: 2))
        }
        XCTAssertThrowsError(try DocumentWriter.write([scene()], to: directory.appendingPathComponent("x.gif").path))
    }

    func testAFailedWriteLeavesTheOldFileAndNoPartialFile() throws {
        let path = directory.appendingPathComponent("keep.png")
        try Data("old report".utf8).write(to: path)
        // A scene too large for cairo's image surface fails before anything is renamed over the old file.
        let huge = Scene(size: Size(100_000, 100_000), background: Theme.light.background)
        XCTAssertThrowsError(try DocumentWriter.write([huge], to: path.path, dpi: 144))
        XCTAssertEqual(try Data(contentsOf: path), Data("old report".utf8))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".partial") }
        XCTAssertEqual(leftovers, [])
    }

    func testPangoMeasuresWiderTextWider() {
        let measurer = PangoTextMeasurer()
        let short = measurer.measure("ab", font: Font(size: 10), width: nil)
        let long = measurer.measure("abcdefghij", font: Font(size: 10), width: nil)
        XCTAssertGreaterThan(long.width, short.width * 3)
        XCTAssertEqual(short.height, long.height, accuracy: 0.01)
        let wrapped = measurer.measure("one two three four five six seven", font: Font(size: 10), width: 40)
        XCTAssertGreaterThan(wrapped.height, short.height * 2)
    }

    private func pdftotext(_ path: String) throws -> String? { try pdfText(path) }
}

final class NonFiniteMarkTests: XCTestCase {
    func testNaNCoordinatesAreSkippedNotFatal() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-nan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var scene = Scene(size: Size(100, 100), background: Theme.light.background, title: "nan")
        scene.marks = [
            .circle(center: Point(.nan, 10), radius: 3, fill: Theme.light.accent, stroke: nil),
            .polyline([Point(0, 0), Point(.infinity, 5)], stroke: Stroke(Theme.light.text)),
            .rect(Rect(x: 10, y: 10, width: 30, height: 30), fill: Theme.light.result, stroke: nil, cornerRadius: 2),
        ]
        for ext in ["pdf", "png", "svg"] {
            XCTAssertEqual(try DocumentWriter.write([scene], to: directory.appendingPathComponent("nan.\(ext)").path), [], ext)
        }
        // PNG at the default 144 dpi: 100 pt → 200 px. The finite rectangle (10…40 pt → 20…80 px) is drawn in
        // the result colour; the corner far from every mark keeps the background.
        let png = try XCTUnwrap(cairo_image_surface_create_from_png(directory.appendingPathComponent("nan.png").path))
        defer { cairo_surface_destroy(png) }
        XCTAssertEqual(cairo_surface_status(png), CAIRO_STATUS_SUCCESS)
        XCTAssertEqual(cairo_image_surface_get_width(png), 200)
        XCTAssertEqual(cairo_image_surface_get_height(png), 200)
        func pixel(_ x: Int, _ y: Int) throws -> [Int] {
            let data = try XCTUnwrap(cairo_image_surface_get_data(png))
            let p = data + y * Int(cairo_image_surface_get_stride(png)) + x * 4
            return [Int(p[2]), Int(p[1]), Int(p[0])]
        }
        func rgb(_ color: Color) -> [Int] { [color.red, color.green, color.blue].map { Int(($0 * 255).rounded()) } }
        func assertNear(_ got: [Int], _ want: [Int], _ what: String) {
            XCTAssertTrue(zip(got, want).allSatisfy { abs($0 - $1) <= 2 }, "\(what): \(got) vs \(want)")
        }
        assertNear(try pixel(50, 50), rgb(Theme.light.result), "inside the rectangle")
        assertNear(try pixel(190, 190), rgb(Theme.light.background), "empty corner")
        // SVG: the rectangle is there and no coordinate was written as nan or inf.
        let svg = try String(contentsOf: directory.appendingPathComponent("nan.svg"), encoding: .utf8)
        XCTAssertTrue(svg.contains("<svg"), svg)
        XCTAssertFalse(svg.lowercased().contains("nan") || svg.lowercased().contains("inf"), svg)
        let pdf = try Data(contentsOf: directory.appendingPathComponent("nan.pdf"))
        XCTAssertTrue(pdf.starts(with: Data("%PDF".utf8)))
        XCTAssertTrue(String(decoding: pdf.suffix(32), as: UTF8.self).contains("%%EOF"), "a complete PDF")
    }
}
