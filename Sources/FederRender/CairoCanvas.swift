import CCairo
import CPangoCairo
import FederLayout
import Foundation

/// Draws scene marks on one cairo context. Owns nothing but the thumbnail cache; all cairo calls of the
/// renderer go through here and `DocumentWriter`.
final class CairoCanvas {
    let context: OpaquePointer
    /// Device pixels per point (1 for PDF/SVG, dpi/72 for PNG): thumbnails are decoded at this density.
    let pixelsPerPoint: Double
    private var thumbnails: [String: Thumbnail] = [:]
    private var failedImages: [String: String] = [:]
    /// Images that could not be loaded (path → reason), reported as warnings, drawn as placeholders.
    var warnings: [String] { failedImages.keys.sorted().compactMap { failedImages[$0] } }

    init(context: OpaquePointer, pixelsPerPoint: Double) {
        self.context = context
        self.pixelsPerPoint = pixelsPerPoint
    }

    func draw(_ scene: Scene) {
        setColor(scene.background)
        cairo_rectangle(context, 0, 0, scene.size.width, scene.size.height)
        cairo_fill(context)
        for mark in scene.marks { draw(mark) }
    }

    func draw(_ mark: Mark) {
        // A NaN or infinite coordinate (from a non-finite vector) would put cairo into an error state and lose
        // the page: such a mark is skipped.
        guard Self.isFinite(mark) else { return }
        switch mark {
        case .rect(let rect, let fill, let stroke, let radius):
            roundedRectangle(rect, radius: radius)
            paint(fill: fill, stroke: stroke)
        case .circle(let center, let radius, let fill, let stroke):
            cairo_new_path(context)
            cairo_arc(context, center.x, center.y, max(radius, 0), 0, 2 * .pi)
            paint(fill: fill, stroke: stroke)
        case .polygon(let points, let fill, let stroke):
            guard let first = points.first else { return }
            cairo_new_path(context)
            cairo_move_to(context, first.x, first.y)
            for point in points.dropFirst() { cairo_line_to(context, point.x, point.y) }
            cairo_close_path(context)
            paint(fill: fill, stroke: stroke)
        case .polyline(let points, let stroke):
            guard let first = points.first, points.count > 1 else { return }
            cairo_new_path(context)
            cairo_move_to(context, first.x, first.y)
            for point in points.dropFirst() { cairo_line_to(context, point.x, point.y) }
            paint(fill: nil, stroke: stroke)
        case .arrow(let from, let to, let stroke, let head):
            drawArrow(from: from, to: to, stroke: stroke, head: head)
        case .text(let text):
            drawText(text)
        case .image(let image):
            drawImage(image)
        case .hit:
            // Only the HTML report uses targets.
            return
        case .group(let marks, let clip):
            cairo_save(context)
            if let clip {
                cairo_new_path(context)
                cairo_rectangle(context, clip.x, clip.y, clip.width, clip.height)
                cairo_clip(context)
            }
            for inner in marks { draw(inner) }
            cairo_restore(context)
        }
    }

    static func isFinite(_ mark: Mark) -> Bool {
        func ok(_ point: Point) -> Bool { point.x.isFinite && point.y.isFinite }
        func ok(_ rect: Rect) -> Bool { rect.x.isFinite && rect.y.isFinite && rect.width.isFinite && rect.height.isFinite }
        switch mark {
        case .rect(let rect, _, _, let radius): return ok(rect) && radius.isFinite
        case .circle(let center, let radius, _, _): return ok(center) && radius.isFinite
        case .polygon(let points, _, _), .polyline(let points, _): return points.allSatisfy(ok)
        case .arrow(let from, let to, _, let head): return ok(from) && ok(to) && head.isFinite
        case .text(let text): return ok(text.origin) && (text.width?.isFinite ?? true) && text.rotation.isFinite
        case .image(let image): return ok(image.rect)
        case .group(_, let clip): return clip.map(ok) ?? true
        case .hit(let hit): return ok(hit.center) && hit.radius.isFinite && (hit.rect.map(ok) ?? true)
        }
    }

    // MARK: primitives

    private func setColor(_ color: Color) {
        cairo_set_source_rgba(context, color.red, color.green, color.blue, color.alpha)
    }

    private func roundedRectangle(_ rect: Rect, radius: Double) {
        cairo_new_path(context)
        let r = min(radius, rect.width / 2, rect.height / 2)
        if r <= 0 {
            cairo_rectangle(context, rect.x, rect.y, rect.width, rect.height)
            return
        }
        cairo_arc(context, rect.maxX - r, rect.minY + r, r, -.pi / 2, 0)
        cairo_arc(context, rect.maxX - r, rect.maxY - r, r, 0, .pi / 2)
        cairo_arc(context, rect.minX + r, rect.maxY - r, r, .pi / 2, .pi)
        cairo_arc(context, rect.minX + r, rect.minY + r, r, .pi, 1.5 * .pi)
        cairo_close_path(context)
    }

    private func applyStroke(_ stroke: Stroke) {
        setColor(stroke.color)
        cairo_set_line_width(context, stroke.width)
        cairo_set_line_join(context, CAIRO_LINE_JOIN_ROUND)
        cairo_set_line_cap(context, CAIRO_LINE_CAP_ROUND)
        if stroke.dash.isEmpty {
            cairo_set_dash(context, nil, 0, 0)
        } else {
            stroke.dash.withUnsafeBufferPointer { cairo_set_dash(context, $0.baseAddress, Int32($0.count), 0) }
        }
    }

    private func paint(fill: Color?, stroke: Stroke?) {
        if let fill {
            setColor(fill)
            if stroke != nil { cairo_fill_preserve(context) } else { cairo_fill(context) }
        }
        if let stroke {
            applyStroke(stroke)
            cairo_stroke(context)
        }
        cairo_new_path(context)
    }

    private func drawArrow(from: Point, to: Point, stroke: Stroke, head: Double) {
        let length = from.distance(to: to)
        guard length > 0.01 else { return }
        let ux = (to.x - from.x) / length
        let uy = (to.y - from.y) / length
        let headLength = min(head, length * 0.6)
        let base = Point(to.x - ux * headLength, to.y - uy * headLength)
        cairo_new_path(context)
        cairo_move_to(context, from.x, from.y)
        cairo_line_to(context, base.x + ux * 0.5, base.y + uy * 0.5)
        paint(fill: nil, stroke: stroke)
        let half = headLength * 0.45
        cairo_move_to(context, to.x, to.y)
        cairo_line_to(context, base.x - uy * half, base.y + ux * half)
        cairo_line_to(context, base.x + uy * half, base.y - ux * half)
        cairo_close_path(context)
        paint(fill: stroke.color, stroke: nil)
    }

    private func drawText(_ text: TextMark) {
        guard !text.text.isEmpty,
            let layout = PangoText.layout(
                on: context, text: text.text, font: text.font, width: text.width, maxLines: text.maxLines,
                alignment: text.alignment)
        else { return }
        defer { g_object_unref(UnsafeMutableRawPointer(layout)) }
        let x = text.origin.x - PangoText.alignmentShift(text, layout: layout)
        cairo_save(context)
        cairo_translate(context, text.origin.x, text.origin.y)
        if text.rotation != 0 { cairo_rotate(context, text.rotation * .pi / 180) }
        cairo_translate(context, x - text.origin.x, 0)
        setColor(text.color)
        cairo_move_to(context, 0, 0)
        pango_cairo_show_layout(context, layout)
        cairo_new_path(context)
        cairo_restore(context)
    }

    private func drawImage(_ image: ImageMark) {
        let rect = image.rect
        guard rect.width > 0, rect.height > 0 else { return }
        let maxPixels = Int((max(rect.width, rect.height) * pixelsPerPoint * 1.5).rounded(.up))
        if let path = image.path, let thumbnail = thumbnail(path: path, maxPixels: maxPixels) {
            let scale = min(rect.width / Double(thumbnail.width), rect.height / Double(thumbnail.height))
            let width = Double(thumbnail.width) * scale
            let height = Double(thumbnail.height) * scale
            cairo_save(context)
            cairo_translate(context, rect.x + (rect.width - width) / 2, rect.y + (rect.height - height) / 2)
            cairo_scale(context, scale, scale)
            cairo_set_source_surface(context, thumbnail.surface, 0, 0)
            if let pattern = cairo_get_source(context) { cairo_pattern_set_filter(pattern, CAIRO_FILTER_GOOD) }
            cairo_rectangle(context, 0, 0, Double(thumbnail.width), Double(thumbnail.height))
            cairo_fill(context)
            cairo_restore(context)
            return
        }
        // Placeholder: a grey tile with the label.
        roundedRectangle(rect, radius: 3)
        paint(fill: Color(hex: 0xD9D9D9), stroke: Stroke(Color(hex: 0xA6A6A6), width: 0.5))
        let size = max(5, min(9, rect.height / 4))
        drawText(
            TextMark(
                image.label, at: Point(rect.center.x, rect.center.y - size * 0.65), font: Font(size: size),
                color: Color(hex: 0x595959), alignment: .center, width: rect.width - 4, maxLines: 2))
    }

    private func thumbnail(path: String, maxPixels: Int) -> Thumbnail? {
        let key = "\(path)#\(maxPixels)"
        if let cached = thumbnails[key] { return cached }
        if failedImages[path] != nil { return nil }
        do {
            let thumbnail = try Thumbnail.load(path: path, maxPixels: maxPixels)
            thumbnails[key] = thumbnail
            return thumbnail
        } catch {
            failedImages[path] = (error as? LocalizedError)?.errorDescription ?? "\(path): \(error)"
            return nil
        }
    }
}
