import CCairo
import FederIndex
import FederLayout
import Foundation

/// Output formats by file extension.
public enum OutputFormat: String, Sendable, CaseIterable {
    case pdf, png, svg, html

    /// Whether one file holds every page (PDF, HTML); PNG and SVG are one page a file.
    public var holdsPages: Bool { self == .pdf || self == .html }

    public init(path: String) throws {
        let ext = (path as NSString).pathExtension.lowercased()
        guard let format = OutputFormat(rawValue: ext) else { throw RenderError.unsupportedFormat(ext) }
        self = format
    }
}

/// Writes scenes to PDF or HTML (one page each), PNG or SVG (one scene per file), deterministically: the same scenes
/// give the same bytes (the PDF creation date is fixed, from `SOURCE_DATE_EPOCH` when set). Files are written
/// to a temporary name in the target folder and renamed, so an existing file is never left half-written.
public enum DocumentWriter {
    /// Renders `scenes` to `path`; returns warnings (images drawn as placeholders).
    /// - Parameter dpi: PNG pixels per inch (a 72-point-wide page is `dpi` pixels wide).
    @discardableResult
    public static func write(_ scenes: [Scene], to path: String, dpi: Double = 144, title: String = "") throws -> [String] {
        let format = try OutputFormat(path: path)
        if !format.holdsPages, scenes.count != 1 {
            throw RenderError.multiplePagesInSingleFileFormat(format: format.rawValue.uppercased(), pages: scenes.count)
        }
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        if let problem = FileAccess.problem(writingInto: directory.path) { throw RenderError.cannotWrite(path: path, reason: problem) }
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).partial")
        PartialFiles.begin(temporary.path)
        defer {
            try? FileManager.default.removeItem(at: temporary)
            PartialFiles.end()
        }
        let warnings: [String]
        do {
            switch format {
            case .pdf: warnings = try writePDF(scenes, to: temporary.path, title: title)
            case .png: warnings = try writePNG(scenes[0], to: temporary.path, dpi: dpi)
            case .svg: warnings = try writeSVG(scenes[0], to: temporary.path)
            case .html:
                let (data, drawn) = try HTMLDocument.render(scenes, title: title)
                do {
                    try data.write(to: temporary)
                } catch {
                    throw RenderError.cannotWrite(path: path, reason: error.localizedDescription)
                }
                warnings = drawn
            }
        } catch RenderError.cannotWrite(let written, let reason) where written == temporary.path {
            // The temporary name is ours; the user named `path`.
            throw RenderError.cannotWrite(path: path, reason: reason)
        }
        guard rename(temporary.path, url.path) == 0 else {
            throw RenderError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
        return warnings
    }

    /// The PDF creation date: `SOURCE_DATE_EPOCH` when set, else a fixed date, so output is reproducible.
    static var creationDate: String {
        var seconds: TimeInterval = 946_684_800  // 2000-01-01T00:00:00Z
        if let epoch = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"], let value = TimeInterval(epoch) {
            seconds = value
        }
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }

    private static func check(_ surface: OpaquePointer?, path: String) throws -> OpaquePointer {
        guard let surface else { throw RenderError.cairo(status: "no surface", path: path) }
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            let message = String(cString: cairo_status_to_string(status))
            cairo_surface_destroy(surface)
            throw RenderError.cannotWrite(path: path, reason: message)
        }
        return surface
    }

    private static func finish(_ surface: OpaquePointer, path: String) throws {
        cairo_surface_finish(surface)
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw RenderError.cannotWrite(path: path, reason: String(cString: cairo_status_to_string(status)))
        }
    }

    private static func writePDF(_ scenes: [Scene], to path: String, title: String) throws -> [String] {
        let first = scenes.first?.size ?? Size(595, 842)
        let surface = try check(cairo_pdf_surface_create(path, first.width, first.height), path: path)
        defer { cairo_surface_destroy(surface) }
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, creationDate)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "feder-report")
        if !title.isEmpty { cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title) }
        guard let context = cairo_create(surface) else { throw RenderError.cairo(status: "no context", path: path) }
        defer { cairo_destroy(context) }
        let canvas = CairoCanvas(context: context, pixelsPerPoint: 2)
        for (page, scene) in scenes.enumerated() {
            cairo_pdf_surface_set_size(surface, scene.size.width, scene.size.height)
            if !scene.title.isEmpty {
                cairo_pdf_surface_add_outline(
                    surface, Int32(CAIRO_PDF_OUTLINE_ROOT), scene.title, "page=\(page + 1)", cairo_pdf_outline_flags_t(0))
            }
            canvas.draw(scene)
            cairo_show_page(context)
        }
        try finish(surface, path: path)
        return canvas.warnings
    }

    private static func writePNG(_ scene: Scene, to path: String, dpi: Double) throws -> [String] {
        let scale = dpi / 72
        let width = Int32((scene.size.width * scale).rounded())
        let height = Int32((scene.size.height * scale).rounded())
        let surface = try check(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height), path: path)
        defer { cairo_surface_destroy(surface) }
        guard let context = cairo_create(surface) else { throw RenderError.cairo(status: "no context", path: path) }
        defer { cairo_destroy(context) }
        cairo_scale(context, scale, scale)
        let canvas = CairoCanvas(context: context, pixelsPerPoint: scale)
        canvas.draw(scene)
        cairo_surface_flush(surface)
        let status = cairo_surface_write_to_png(surface, path)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw RenderError.cannotWrite(path: path, reason: String(cString: cairo_status_to_string(status)))
        }
        return canvas.warnings
    }

    private static func writeSVG(_ scene: Scene, to path: String) throws -> [String] {
        let surface = try check(cairo_svg_surface_create(path, scene.size.width, scene.size.height), path: path)
        defer { cairo_surface_destroy(surface) }
        cairo_svg_surface_set_document_unit(surface, CAIRO_SVG_UNIT_PT)
        guard let context = cairo_create(surface) else { throw RenderError.cairo(status: "no context", path: path) }
        defer { cairo_destroy(context) }
        let canvas = CairoCanvas(context: context, pixelsPerPoint: 2)
        canvas.draw(scene)
        cairo_show_page(context)
        try finish(surface, path: path)
        return canvas.warnings
    }
}
