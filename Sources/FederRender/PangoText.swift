import CCairo
import CPangoCairo
import FederLayout
import Foundation
import Synchronization

/// Text through Pango on a cairo context at 72 dpi, so one point of font size is one point on the page.
enum PangoText {
    /// A Pango font description string for `font` (DejaVu ships with fontconfig on Debian).
    static func description(for font: Font) -> String {
        var name = font.monospace ? "DejaVu Sans Mono" : "DejaVu Sans"
        if font.weight == .bold { name += " Bold" }
        if font.italic { name += " Oblique" }
        return name
    }

    /// A layout for `text` on `context`, configured for the mark's font, width and line limit.
    /// The caller owns the result (`g_object_unref`).
    static func layout(
        on context: OpaquePointer, text: String, font: Font, width: Double?, maxLines: Int?,
        alignment: TextMark.Alignment
    ) -> OpaquePointer? {
        guard let layout = pango_cairo_create_layout(context) else { return nil }
        if let pangoContext = pango_layout_get_context(layout) {
            pango_cairo_context_set_resolution(pangoContext, 72)
            pango_layout_context_changed(layout)
        }
        let descriptionText = description(for: font)
        if let fontDescription = pango_font_description_from_string(descriptionText) {
            pango_font_description_set_absolute_size(fontDescription, font.size * Double(PANGO_SCALE))
            pango_layout_set_font_description(layout, fontDescription)
            pango_font_description_free(fontDescription)
        }
        pango_layout_set_text(layout, text, -1)
        if let width, width > 0 {
            pango_layout_set_width(layout, Int32(width * Double(PANGO_SCALE)))
            pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR)
            if let maxLines, maxLines > 0 {
                pango_layout_set_height(layout, -Int32(maxLines))
                pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END)
            }
        }
        switch alignment {
        case .left: pango_layout_set_alignment(layout, PANGO_ALIGN_LEFT)
        case .center: pango_layout_set_alignment(layout, PANGO_ALIGN_CENTER)
        case .right: pango_layout_set_alignment(layout, PANGO_ALIGN_RIGHT)
        }
        return layout
    }

    /// How far left of `text.origin.x` its box starts, as laid out in `layout`: 0 left-aligned, half the box
    /// centred, the whole box right-aligned (the box is the mark's width, or the layout's own when it has none).
    static func alignmentShift(_ text: TextMark, layout: OpaquePointer) -> Double {
        let boxWidth = text.width ?? size(of: layout).width
        switch text.alignment {
        case .left: return 0
        case .center: return boxWidth / 2
        case .right: return boxWidth
        }
    }

    /// The logical size of a layout in points.
    static func size(of layout: OpaquePointer) -> Size {
        var width: Int32 = 0
        var height: Int32 = 0
        pango_layout_get_size(layout, &width, &height)
        return Size(Double(width) / Double(PANGO_SCALE), Double(height) / Double(PANGO_SCALE))
    }
}

/// Measures text exactly as the renderer will set it, on a private 1×1 surface.
public final class PangoTextMeasurer: TextMeasurer, Sendable {
    /// The cairo surface and context, used by one thread at a time.
    private struct Handles: ~Copyable {
        let surface: OpaquePointer
        let context: OpaquePointer
    }

    private let handles: Mutex<Handles>

    public init() {
        // A 1×1 image surface never fails to allocate; a failed one still yields a usable nil-status context.
        let surface: OpaquePointer = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1)
        let context: OpaquePointer = cairo_create(surface)
        handles = Mutex(Handles(surface: surface, context: context))
    }

    deinit {
        handles.withLock { handles in
            cairo_destroy(handles.context)
            cairo_surface_destroy(handles.surface)
        }
    }

    public func measure(_ text: String, font: Font, width: Double?) -> Size {
        handles.withLock { handles in
            guard
                let layout = PangoText.layout(
                    on: handles.context, text: text, font: font, width: width, maxLines: nil, alignment: .left)
            else { return EstimatingTextMeasurer().measure(text, font: font, width: width) }
            defer { g_object_unref(UnsafeMutableRawPointer(layout)) }
            return PangoText.size(of: layout)
        }
    }
}
