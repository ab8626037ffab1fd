import CCairo
import CTurboJPEG
import Foundation
import XCTest

@testable import FederRender

/// Thumbnails of PNG and JPEG files made at run time: sizes, DCT scaling, MIME attachment, pixels, errors.
final class ThumbnailTests: XCTestCase {
    private var folder = URL(fileURLWithPath: NSTemporaryDirectory())

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("thumbnail-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    // MARK: - Fixtures

    /// Writes a solid-colour PNG with cairo and returns its path.
    private func makePNG(_ name: String, width: Int32, height: Int32) throws -> String {
        let path = folder.appendingPathComponent(name).path
        let surface = try XCTUnwrap(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height))
        defer { cairo_surface_destroy(surface) }
        let context = try XCTUnwrap(cairo_create(surface))
        cairo_set_source_rgb(context, 1, 0, 0)
        cairo_paint(context)
        cairo_destroy(context)
        XCTAssertEqual(cairo_surface_write_to_png(surface, path), CAIRO_STATUS_SUCCESS)
        return path
    }

    /// JPEG bytes of a solid red image, compressed with turbojpeg.
    private func jpegBytes(width: Int, height: Int) throws -> [UInt8] {
        let handle = try XCTUnwrap(tjInitCompress())
        defer { tjDestroy(handle) }
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        for index in stride(from: 0, to: rgb.count, by: 3) { rgb[index] = 255 }
        var buffer: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        let status = tjCompress2(
            handle, rgb, Int32(width), 0, Int32(height), Int32(TJPF_RGB.rawValue), &buffer, &size,
            Int32(TJSAMP_420.rawValue), 90, 0)
        XCTAssertEqual(status, 0)
        let jpeg = try XCTUnwrap(buffer)
        defer { tjFree(jpeg) }
        return Array(UnsafeBufferPointer(start: jpeg, count: Int(size)))
    }

    private func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    /// The (r, g, b, a) of the centre pixel of an ARGB32 or RGB24 thumbnail (BGRA in memory, little-endian).
    private func centrePixel(_ thumbnail: Thumbnail) throws -> (UInt8, UInt8, UInt8, UInt8) {
        let format = cairo_image_surface_get_format(thumbnail.surface)
        XCTAssertTrue(format == CAIRO_FORMAT_ARGB32 || format == CAIRO_FORMAT_RGB24, "format \(format)")
        let data = try XCTUnwrap(cairo_image_surface_get_data(thumbnail.surface))
        let stride = Int(cairo_image_surface_get_stride(thumbnail.surface))
        let pixel = data + (thumbnail.height / 2) * stride + (thumbnail.width / 2) * 4
        return (pixel[2], pixel[1], pixel[0], format == CAIRO_FORMAT_RGB24 ? 255 : pixel[3])
    }

    private func assertRed(_ thumbnail: Thumbnail, file: StaticString = #filePath, line: UInt = #line) throws {
        let (r, g, b, a) = try centrePixel(thumbnail)
        XCTAssertGreaterThan(r, 240, file: file, line: line)
        XCTAssertLessThan(g, 16, file: file, line: line)
        XCTAssertLessThan(b, 16, file: file, line: line)
        XCTAssertEqual(a, 255, file: file, line: line)
    }

    private func assertError(
        _ path: String, maxPixels: Int = 128, file: StaticString = #filePath, line: UInt = #line,
        _ check: (RenderError) -> Bool
    ) {
        XCTAssertThrowsError(try Thumbnail.load(path: path, maxPixels: maxPixels), file: file, line: line) { error in
            guard let error = error as? RenderError else {
                return XCTFail("not a RenderError: \(error)", file: file, line: line)
            }
            XCTAssertTrue(check(error), "unexpected \(error)", file: file, line: line)
            let message = error.localizedDescription
            XCTAssertTrue(message.contains(path), message, file: file, line: line)
            XCTAssertFalse(message.contains("\n"), message, file: file, line: line)
        }
    }

    // MARK: - Sizes and pixels

    /// The tooltip pictures of the HTML report: a thumbnail as PNG and as JPEG over white (a transparent half turns
    /// white, a blue half stays blue), each read back as the image it was.
    func testThumbnailsEncodeAsPNGAndAsJPEGOverWhite() throws {
        let path = folder.appendingPathComponent("half.png").path
        let surface = try XCTUnwrap(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 64, 32))
        let context = try XCTUnwrap(cairo_create(surface))
        cairo_set_source_rgb(context, 0, 0, 1)
        cairo_rectangle(context, 32, 0, 32, 32)
        cairo_fill(context)
        cairo_destroy(context)
        XCTAssertEqual(cairo_surface_write_to_png(surface, path), CAIRO_STATUS_SUCCESS)
        cairo_surface_destroy(surface)
        let thumbnail = try Thumbnail.load(path: path, maxPixels: 64)
        let png = try XCTUnwrap(thumbnail.pngData())
        let jpeg = try XCTUnwrap(thumbnail.encodedJPEG())
        XCTAssertEqual(Array(jpeg.prefix(3)), [0xFF, 0xD8, 0xFF])
        for (name, data) in [("again.png", png), ("again.jpg", jpeg)] {
            let again = try Thumbnail.load(path: try write(Array(data), name), maxPixels: 64)
            XCTAssertEqual([again.width, again.height], [64, 32], name)
            let pixels = try XCTUnwrap(cairo_image_surface_get_data(again.surface))
            let stride = Int(cairo_image_surface_get_stride(again.surface))
            let left = pixels + 16 * stride + 8 * 4
            let right = pixels + 16 * stride + 56 * 4
            if name.hasSuffix(".jpg") {
                XCTAssertGreaterThan(min(left[0], left[1], left[2]), 240, "transparent is white in \(name)")
            } else {
                XCTAssertEqual(left[3], 0, "transparent stays transparent in \(name)")
            }
            XCTAssertGreaterThan(right[0], 230, "blue in \(name)")
            XCTAssertLessThan(max(right[1], right[2]), 25, "blue in \(name)")
        }
    }

    func testPNGIsDownscaledToMaxPixels() throws {
        let thumbnail = try Thumbnail.load(path: try makePNG("red.png", width: 400, height: 300), maxPixels: 128)
        XCTAssertEqual(thumbnail.width, 128)
        XCTAssertEqual(thumbnail.height, 96)
        XCTAssertNil(thumbnail.jpegData)
        try assertRed(thumbnail)
    }

    func testSmallPNGKeepsItsSize() throws {
        let thumbnail = try Thumbnail.load(path: try makePNG("small.png", width: 40, height: 30), maxPixels: 128)
        XCTAssertEqual(thumbnail.width, 40)
        XCTAssertEqual(thumbnail.height, 30)
        try assertRed(thumbnail)
    }

    func testScaleChoosesSmallestFactorStillCoveringMaxPixels() {
        XCTAssertTrue(Thumbnail.jpegScale(width: 1600, height: 1200, maxPixels: 128) == (1, 8))  // 200×150
        XCTAssertTrue(Thumbnail.jpegScale(width: 1600, height: 1200, maxPixels: 256) == (1, 4))  // 400×300
        XCTAssertTrue(Thumbnail.jpegScale(width: 1200, height: 1600, maxPixels: 1000) == (5, 8))  // 1000 tall
        XCTAssertTrue(Thumbnail.jpegScale(width: 20000, height: 20000, maxPixels: 512) == (1, 8))
        XCTAssertTrue(Thumbnail.jpegScale(width: 64, height: 48, maxPixels: 128) == (1, 1))
        XCTAssertTrue(Thumbnail.jpegScale(width: 128, height: 96, maxPixels: 128) == (1, 1))
        XCTAssertEqual(Thumbnail.scaled(1201, 1, 8), 151)  // TJSCALED rounds up
    }

    func testLargeJPEGIsDecodedScaledThenResampled() throws {
        let path = try write(try jpegBytes(width: 1600, height: 1200), "big.jpg")
        let thumbnail = try Thumbnail.load(path: path, maxPixels: 128)
        XCTAssertEqual(thumbnail.width, 128)
        XCTAssertEqual(thumbnail.height, 96)
        XCTAssertNil(thumbnail.jpegData, "a resampled thumbnail must not carry the full JPEG")
        try assertRed(thumbnail)
    }

    func testJPEGAtExactScaleIsNotResampled() throws {
        let path = try write(try jpegBytes(width: 1600, height: 1200), "exact.jpg")
        let thumbnail = try Thumbnail.load(path: path, maxPixels: 200)  // 1/8 gives 200×150 exactly
        XCTAssertEqual(thumbnail.width, 200)
        XCTAssertEqual(thumbnail.height, 150)
        XCTAssertNil(thumbnail.jpegData, "a scaled decode must not carry the full JPEG")
    }

    func testSmallJPEGKeepsFullSizeAndMIMEData() throws {
        let bytes = try jpegBytes(width: 64, height: 48)
        let thumbnail = try Thumbnail.load(path: try write(bytes, "small.jpg"), maxPixels: 128)
        XCTAssertEqual(thumbnail.width, 64)
        XCTAssertEqual(thumbnail.height, 48)
        XCTAssertEqual(thumbnail.jpegData, bytes)
        var data: UnsafePointer<UInt8>? = nil
        var length: UInt = 0
        cairo_surface_get_mime_data(thumbnail.surface, CAIRO_MIME_TYPE_JPEG, &data, &length)
        XCTAssertNotNil(data)
        XCTAssertEqual(Int(length), bytes.count)
        try assertRed(thumbnail)
    }

    func testPDFEmbedsTheAttachedJPEG() throws {
        let thumbnail = try Thumbnail.load(path: try write(try jpegBytes(width: 64, height: 48), "s.jpg"), maxPixels: 64)
        let pdfPath = folder.appendingPathComponent("out.pdf").path
        let pdf = try XCTUnwrap(cairo_pdf_surface_create(pdfPath, 100, 100))
        let context = try XCTUnwrap(cairo_create(pdf))
        cairo_set_source_surface(context, thumbnail.surface, 0, 0)
        cairo_paint(context)
        cairo_destroy(context)
        cairo_surface_finish(pdf)
        cairo_surface_destroy(pdf)
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: pdfPath)), as: UTF8.self)
        XCTAssertTrue(text.contains("/DCTDecode"), "the PDF should hold the JPEG stream, not raw pixels")
    }

    func testJPEGIsRecognisedByContentNotExtension() throws {
        let path = try write(try jpegBytes(width: 64, height: 48), "photo.png")
        XCTAssertEqual(try Thumbnail.load(path: path, maxPixels: 32).width, 32)
    }

    // MARK: - Errors

    func testTruncatedJPEGFails() throws {
        let bytes = try jpegBytes(width: 640, height: 480)
        let half = try write(Array(bytes.prefix(bytes.count / 2)), "half.jpg")
        assertError(half) {
            if case .cannotDecodeImage(_, let reason) = $0 { return reason.contains("Premature end") } else { return false }
        }
        let header = try write(Array(bytes.prefix(40)), "header.jpg")
        assertError(header) { if case .cannotDecodeImage = $0 { return true } else { return false } }
    }

    func testTextFileIsNotAnImage() throws {
        let path = try write(Array("hello, world\n".utf8), "notes.jpg")
        assertError(path) { $0 == .notAnImage(path: path) }
        let empty = try write([], "empty.png")
        assertError(empty) { $0 == .notAnImage(path: empty) }
    }

    func testMissingFileAndDirectoryCannotBeRead() {
        let missing = folder.appendingPathComponent("nope.png").path
        assertError(missing) { if case .cannotReadImage = $0 { return true } else { return false } }
        assertError(folder.path) { if case .cannotReadImage = $0 { return true } else { return false } }
    }

    func testHugePNGHeaderIsRefusedBeforeDecoding() throws {
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: try makePNG("tiny.png", width: 4, height: 4))))
        let side: UInt32 = 100_000
        let encoded = withUnsafeBytes(of: side.bigEndian) { Array($0) }
        bytes.replaceSubrange(16..<20, with: encoded)
        bytes.replaceSubrange(20..<24, with: encoded)
        let path = try write(bytes, "huge.png")
        assertError(path) { $0 == .imageTooLarge(path: path, width: 100_000, height: 100_000, limit: 16384) }
    }

    func testCorruptPNGFails() throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: try makePNG("ok.png", width: 50, height: 50))))
        let path = try write(Array(bytes.prefix(40)), "cut.png")
        assertError(path) { if case .cannotDecodeImage = $0 { return true } else { return false } }
        let stub = try write(Array(bytes.prefix(10)), "stub.png")
        assertError(stub) { if case .cannotDecodeImage = $0 { return true } else { return false } }
    }
}
