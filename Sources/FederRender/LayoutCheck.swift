import CCairo
import CPangoCairo
import FederLayout
import Foundation

/// Finds text a reader cannot read whole: cut short with "…", drawn over another text, or running out of its panel
/// or off the page. Each text is set exactly as the renderer sets it (Pango, the same fonts), so what is reported is
/// what the PDF, PNG and SVG show.
public enum LayoutCheck {
    /// One problem, on one page.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public enum Kind: String, Sendable {
            case cut, overlap, outside
        }

        public var page: Int
        public var kind: Kind
        public var text: String
        public var detail: String

        public var description: String { "page \(page): \(kind.rawValue): '\(Self.quote(text))' \(detail)" }

        /// The text on one line, at most 48 characters.
        static func quote(_ text: String) -> String {
            let flat = text.replacingOccurrences(of: "\n", with: " ⏎ ")
            return flat.count > 48 ? String(flat.prefix(47)) + "…" : flat
        }
    }

    /// Where a text sits once set, and whether its line limit cut it.
    struct SetText {
        var mark: TextMark
        var box: Rect
        var lines: Int
        var neededLines: Int
        var cut: Bool
    }

    /// Every problem of every page (pages numbered from 1), in page order, then by kind.
    public static func problems(in scenes: [Scene]) -> [Problem] {
        let setter = TextSetter()
        return scenes.enumerated().flatMap { number, scene in problems(in: scene, page: number + 1, setter: setter) }
    }

    static func problems(in scene: Scene, page: Int, setter: TextSetter) -> [Problem] {
        var texts: [(set: SetText, clip: Rect?)] = []
        var panels: [Rect] = []
        func walk(_ marks: [Mark], clip: Rect?) {
            for mark in marks {
                switch mark {
                case .text(let text):
                    guard !text.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, let set = setter.set(text) else { continue }
                    texts.append((set, clip))
                case .rect(let rect, let fill, _, let radius) where radius >= 5 && fill != nil && rect.width > 40 && rect.height > 30:
                    panels.append(rect)
                case .group(let inner, let innerClip):
                    walk(inner, clip: innerClip ?? clip)
                default: continue
                }
            }
        }
        walk(scene.marks, clip: nil)
        var found: [Problem] = []
        let pageRect = Rect(x: 0, y: 0, width: scene.size.width, height: scene.size.height)
        let tolerance = 1.5
        func inside(_ box: Rect, _ bounds: Rect) -> Bool {
            box.x >= bounds.x - tolerance && box.y >= bounds.y - tolerance && box.maxX <= bounds.maxX + tolerance
                && box.maxY <= bounds.maxY + tolerance
        }
        for (text, clip) in texts {
            if text.cut {
                found.append(
                    Problem(
                        page: page, kind: .cut, text: text.mark.text,
                        detail: "is cut with … (needs \(text.neededLines) line\(text.neededLines == 1 ? "" : "s"), has \(text.lines))"))
            }
            // Its bounds: the clip it is drawn in, else the smallest panel holding its start, else the page.
            let start = Point(text.box.x + min(2, text.box.width / 2), text.box.y + min(2, text.box.height / 2))
            let panel = panels.filter { $0.contains(start) }.min { $0.width * $0.height < $1.width * $1.height }
            let bounds = clip ?? panel ?? pageRect
            if !inside(text.box, bounds) || !inside(text.box, pageRect) {
                let what = clip != nil ? "its clip" : panel != nil ? "its panel" : "the page"
                let past = max(bounds.x - text.box.x, text.box.maxX - bounds.maxX, bounds.y - text.box.y, text.box.maxY - bounds.maxY)
                found.append(
                    Problem(
                        page: page, kind: .outside, text: text.mark.text, detail: "runs \(String(format: "%.1f", past)) pt out of \(what)"))
            }
        }
        for first in texts.indices {
            for second in texts.indices where second > first {
                let a = texts[first].set
                let b = texts[second].set
                let width = min(a.box.maxX, b.box.maxX) - max(a.box.x, b.box.x)
                let height = min(a.box.maxY, b.box.maxY) - max(a.box.y, b.box.y)
                guard width > 1, height > 1.5 else { continue }
                // The same text drawn twice in one place (a halo under a label) is one text.
                if a.mark.text == b.mark.text, abs(a.box.x - b.box.x) < 1, abs(a.box.y - b.box.y) < 1 { continue }
                found.append(
                    Problem(
                        page: page, kind: .overlap, text: a.mark.text,
                        detail: "overlaps '\(Problem.quote(b.mark.text))' (\(String(format: "%.1f × %.1f", width, height)) pt)"))
            }
        }
        return found
    }
}

/// Sets texts as `CairoCanvas` draws them, on a private surface.
///
/// Unchecked `Sendable`: the cairo context is not thread-safe, so every use of it holds `lock`.
final class TextSetter: @unchecked Sendable {
    private let surface: OpaquePointer
    private let context: OpaquePointer
    private let lock = NSLock()

    init() {
        surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1)
        context = cairo_create(surface)
    }

    deinit {
        cairo_destroy(context)
        cairo_surface_destroy(surface)
    }

    /// The text's box on the page (its lines' logical extents, aligned as drawn; a quarter turn swaps the axes) and
    /// whether its line limit cut it.
    func set(_ text: TextMark) -> LayoutCheck.SetText? {
        lock.lock()
        defer { lock.unlock() }
        guard
            let layout = PangoText.layout(
                on: context, text: text.text, font: text.font, width: text.width, maxLines: text.maxLines, alignment: text.alignment)
        else { return nil }
        defer { g_object_unref(UnsafeMutableRawPointer(layout)) }
        var ink = PangoRectangle()
        var logical = PangoRectangle()
        pango_layout_get_extents(layout, &ink, &logical)
        let scale = Double(PANGO_SCALE)
        let x = -PangoText.alignmentShift(text, layout: layout)
        let local = Rect(
            x: x + Double(logical.x) / scale, y: Double(logical.y) / scale, width: Double(logical.width) / scale,
            height: Double(logical.height) / scale)
        let box: Rect
        switch ((text.rotation.truncatingRemainder(dividingBy: 360)) + 360).truncatingRemainder(dividingBy: 360) {
        case 0: box = Rect(x: text.origin.x + local.x, y: text.origin.y + local.y, width: local.width, height: local.height)
        case 270: box = Rect(x: text.origin.x + local.y, y: text.origin.y - local.maxX, width: local.height, height: local.width)
        case 90: box = Rect(x: text.origin.x - local.maxY, y: text.origin.y + local.x, width: local.height, height: local.width)
        default: return nil
        }
        let lines = Int(pango_layout_get_line_count(layout))
        let cut = pango_layout_is_ellipsized(layout) != 0
        var needed = lines
        if cut,
            let full = PangoText.layout(
                on: context, text: text.text, font: text.font, width: text.width, maxLines: nil, alignment: text.alignment)
        {
            needed = Int(pango_layout_get_line_count(full))
            g_object_unref(UnsafeMutableRawPointer(full))
        }
        return LayoutCheck.SetText(mark: text, box: box, lines: lines, neededLines: needed, cut: cut)
    }
}
