import CCairo
import CPangoCairo
import FederLayout
import Foundation

/// The words of a page as invisible SVG text over its drawing, line by line where Pango set them: cairo draws text
/// as glyph outlines, which a browser can neither select, copy nor find. Each line is stretched (`textLength`) to
/// the width Pango gave it, so a selection covers the drawn words.
final class HTMLTextLayer {
    private let surface: OpaquePointer?
    private let context: OpaquePointer?

    init() {
        surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1)
        context = surface.flatMap { cairo_create($0) }
    }

    deinit {
        if let context { cairo_destroy(context) }
        if let surface { cairo_surface_destroy(surface) }
    }

    /// An SVG of the scene's texts (empty when it has none).
    func svg(_ scene: Scene) -> String {
        var lines: [String] = []
        func walk(_ marks: [Mark]) {
            for mark in marks {
                switch mark {
                case .text(let text): lines += self.lines(text)
                case .group(let inner, _): walk(inner)
                default: break
                }
            }
        }
        walk(scene.marks)
        guard !lines.isEmpty else { return "" }
        let size = "\(Self.number(scene.size.width)) \(Self.number(scene.size.height))"
        return "<svg class=\"words\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(size)\">\n" + lines.joined(separator: "\n")
            + "\n</svg>"
    }

    /// One `<text>` per line Pango set, placed as `CairoCanvas` draws the mark.
    func lines(_ text: TextMark) -> [String] {
        guard let context, !text.text.isEmpty,
            let layout = PangoText.layout(
                on: context, text: text.text, font: text.font, width: text.width, maxLines: text.maxLines, alignment: text.alignment)
        else { return [] }
        defer { g_object_unref(UnsafeMutableRawPointer(layout)) }
        let shift = -PangoText.alignmentShift(text, layout: layout)
        let bytes = Array(text.text.utf8)
        let scale = Double(PANGO_SCALE)
        var out: [String] = []
        guard let iterator = pango_layout_get_iter(layout) else { return [] }
        defer { pango_layout_iter_free(iterator) }
        // The family is the layer's (CSS); a monospaced text names its own.
        let style =
            "font-size:\(Self.number(text.font.size))px" + (text.font.monospace ? ";font-family:'DejaVu Sans Mono',monospace" : "")
            + (text.font.weight == .bold ? ";font-weight:bold" : "") + (text.font.italic ? ";font-style:oblique" : "")
        let transform =
            text.rotation == 0
            ? "" : " transform=\"rotate(\(Self.number(text.rotation)) \(Self.number(text.origin.x)) \(Self.number(text.origin.y)))\""
        repeat {
            guard let line = pango_layout_iter_get_line_readonly(iterator) else { break }
            let start = Int(pango_layout_line_get_start_index(line))
            let length = Int(pango_layout_line_get_length(line))
            guard start >= 0, length > 0, start + length <= bytes.count else { continue }
            let words = String(decoding: bytes[start..<start + length], as: UTF8.self).trimmingCharacters(in: .newlines)
            guard !words.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            var ink = PangoRectangle()
            var logical = PangoRectangle()
            pango_layout_iter_get_line_extents(iterator, &ink, &logical)
            let baseline = Double(pango_layout_iter_get_baseline(iterator)) / scale
            let x = text.origin.x + shift + Double(logical.x) / scale
            let y = text.origin.y + baseline
            let width = Double(logical.width) / scale
            guard width > 0, x.isFinite, y.isFinite else { continue }
            out.append(
                "<text x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" textLength=\"\(Self.number(width))\" "
                    + "lengthAdjust=\"spacingAndGlyphs\" style=\"\(style)\"\(transform)>\(HTMLDocument.escape(words))</text>")
        } while pango_layout_iter_next_line(iterator) != 0
        return out
    }

    static func number(_ value: Double) -> String { String(format: "%.2f", value) }
}
