import CCairo
import CPangoCairo
import FederLayout
import Foundation

/// Finds what a reader cannot read or match up: text cut short with "…", drawn over another text, running out of its
/// panel or off the page, crossed by a line or hidden under a shape drawn over it; a legend entry whose kind of mark
/// its panel never draws; a panel whose lower half is empty. Each text is set exactly as the renderer sets it (Pango,
/// the same fonts), so what is reported is what the PDF, PNG and SVG show.
public enum LayoutCheck {
    /// One problem, on one page.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public enum Kind: String, Sendable {
            case cut, overlap, outside, crossed, covered, legend, empty
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
        var texts: [(set: SetText, clip: Rect?, order: Int)] = []
        var panels: [Rect] = []
        // Every drawn shape in drawing order (legend symbols apart), and every legend entry.
        var shapes: [(mark: Mark, order: Int)] = []
        var legends: [(symbol: Mark, text: String, at: Point)] = []
        var order = 0
        func walk(_ marks: [Mark], clip: Rect?) {
            for mark in marks {
                order += 1
                switch mark {
                case .text(let text):
                    guard !text.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, let set = setter.set(text) else { continue }
                    texts.append((set, clip, order))
                case .rect(let rect, let fill, _, let radius) where radius >= 5 && fill != nil && rect.width > 40 && rect.height > 30:
                    panels.append(rect)
                case .group(let inner, nil) where Self.legendEntry(inner) != nil:
                    if let (symbol, text) = Self.legendEntry(inner) { legends.append((symbol, text.text, text.origin)) }
                    walk(inner.filter { if case .text = $0 { true } else { false } }, clip: clip)
                case .group(let inner, let innerClip):
                    walk(inner, clip: innerClip ?? clip)
                case .hit: continue
                default: shapes.append((mark, order))
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
        for (text, clip, _) in texts {
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
        found += drawnOver(texts: texts, shapes: shapes, page: page)
        found += unmatchedLegends(legends, shapes: shapes, panels: panels, page: page)
        found += emptyPanels(panels, texts: texts.map(\.set.box), shapes: shapes, legends: legends.map(\.at), page: page)
        return found
    }

    /// A legend entry's symbol and words: a group of one small shape (its symbol) and one text.
    static func legendEntry(_ marks: [Mark]) -> (Mark, TextMark)? {
        guard marks.count == 2, case .text(let text) = marks[1], let box = bounds(of: marks[0]), box.width <= 14, box.height <= 14
        else { return nil }
        return (marks[0], text)
    }

    /// The box a shape covers (its stroke ignored).
    static func bounds(of mark: Mark) -> Rect? {
        func box(_ points: [Point]) -> Rect? {
            guard let minX = points.map(\.x).min(), let maxX = points.map(\.x).max(), let minY = points.map(\.y).min(),
                let maxY = points.map(\.y).max()
            else { return nil }
            return Rect(x: minX, y: minY, width: maxX - minX, height: maxY - minY)
        }
        switch mark {
        case .rect(let rect, _, _, _): return rect
        case .circle(let center, let radius, _, _):
            return Rect(x: center.x - radius, y: center.y - radius, width: 2 * radius, height: 2 * radius)
        case .polygon(let points, _, _), .polyline(let points, _): return box(points)
        case .arrow(let from, let to, _, _): return box([from, to])
        case .image(let image): return image.rect
        case .text, .group, .hit: return nil
        }
    }

    /// Text crossed by a line drawn over it, or hidden (a quarter of it or more) under filled shapes drawn over it.
    static func drawnOver(texts: [(set: SetText, clip: Rect?, order: Int)], shapes: [(mark: Mark, order: Int)], page: Int) -> [Problem] {
        var found: [Problem] = []
        for (text, _, order) in texts {
            // The glyphs' own band: a line along the box's edge (an underline, a rule beside it) does not cross them.
            let glyphs = text.box.insetBy(min(1, text.box.width / 4), min(2, text.box.height / 4))
            var covered = 0.0
            var crossing: String?
            for (mark, drawn) in shapes where drawn > order {
                switch mark {
                case .polyline(let points, let stroke) where stroke.color.alpha >= 0.3:
                    if crossing == nil, zip(points, points.dropFirst()).contains(where: { Geometry.segment($0, $1, crosses: glyphs) }) {
                        crossing = "a line"
                    }
                case .arrow(let from, let to, _, _):
                    if crossing == nil, Geometry.segment(from, to, crosses: glyphs) { crossing = "an arrow" }
                case .circle(_, _, let fill?, _), .polygon(_, let fill?, _), .rect(_, let fill?, _, _):
                    guard fill.alpha >= 0.5, let box = bounds(of: mark) else { continue }
                    let width = min(box.maxX, glyphs.maxX) - max(box.x, glyphs.x)
                    let height = min(box.maxY, glyphs.maxY) - max(box.y, glyphs.y)
                    if width > 0, height > 0 { covered += width * height }
                case .image(let image):
                    let width = min(image.rect.maxX, glyphs.maxX) - max(image.rect.x, glyphs.x)
                    let height = min(image.rect.maxY, glyphs.maxY) - max(image.rect.y, glyphs.y)
                    if width > 0, height > 0 { covered += width * height }
                default: continue
                }
            }
            let area = max(glyphs.width * glyphs.height, 1e-9)
            if let crossing {
                found.append(Problem(page: page, kind: .crossed, text: text.mark.text, detail: "is crossed by \(crossing) drawn over it"))
            }
            if covered / area >= 0.25 {
                found.append(
                    Problem(
                        page: page, kind: .covered, text: text.mark.text,
                        detail: "is \(Int(min(covered / area, 1) * 100)) % under shapes drawn over it"))
            }
        }
        return found
    }

    /// A legend entry whose panel draws no mark of its kind and colour (a dot, a ring, a square, a line, a star).
    static func unmatchedLegends(
        _ legends: [(symbol: Mark, text: String, at: Point)], shapes: [(mark: Mark, order: Int)], panels: [Rect], page: Int
    ) -> [Problem] {
        func rgb(_ color: Color) -> [Int] { [color.red, color.green, color.blue].map { Int(($0 * 255).rounded()) } }
        var found: [Problem] = []
        for (symbol, text, at) in legends {
            let panel = panels.filter { $0.contains(at) }.min { $0.width * $0.height < $1.width * $1.height }
            let region = panel ?? Rect(x: -1e9, y: -1e9, width: 2e9, height: 2e9)
            let inRegion = shapes.filter { mark, _ in
                guard let box = bounds(of: mark) else { return false }
                return region.contains(box.center)
            }.map(\.mark)
            func fills(_ color: Color, _ mark: Mark) -> Bool {
                switch mark {
                case .circle(_, _, let fill?, _), .polygon(_, let fill?, _), .rect(_, let fill?, _, _): return rgb(fill) == rgb(color)
                default: return false
                }
            }
            func strokes(_ color: Color, _ mark: Mark) -> Bool {
                switch mark {
                case .circle(_, _, _, let stroke?), .polygon(_, _, let stroke?), .rect(_, _, let stroke?, _):
                    return rgb(stroke.color) == rgb(color)
                case .polyline(_, let stroke), .arrow(_, _, let stroke, _): return rgb(stroke.color) == rgb(color)
                default: return false
                }
            }
            let matched: Bool
            switch symbol {
            // A square stands for a colour on a scale (a ramp, a histogram's bars): not a mark to find.
            case .rect: matched = true
            case .circle(_, _, let fill?, _), .polygon(_, let fill?, _):
                matched = inRegion.contains { fills(fill, $0) }
            case .circle(_, _, nil, let stroke?): matched = inRegion.contains { strokes(stroke.color, $0) }
            case .polyline(_, let stroke), .arrow(_, _, let stroke, _): matched = inRegion.contains { strokes(stroke.color, $0) }
            default: matched = true
            }
            if !matched {
                found.append(
                    Problem(page: page, kind: .legend, text: text, detail: "is in the legend, but its panel draws no mark of its kind"))
            }
        }
        return found
    }

    /// A panel taller than 120 pt whose lower half holds nothing: what it says would fit a panel half its size.
    static func emptyPanels(_ panels: [Rect], texts: [Rect], shapes: [(mark: Mark, order: Int)], legends: [Point], page: Int) -> [Problem] {
        var found: [Problem] = []
        let boxes = texts + shapes.compactMap { bounds(of: $0.mark) } + legends.map { Rect(x: $0.x, y: $0.y, width: 1, height: 1) }
        for panel in panels where panel.height > 120 {
            // Only what is inside this panel and not inside a smaller panel within it.
            let inner = panels.filter { $0 != panel && panel.contains($0.center) && $0.width * $0.height < panel.width * panel.height }
            let contents = boxes.filter { box in
                box != panel && panel.contains(box.center) && !inner.contains { $0.contains(box.center) }
            }
            guard inner.isEmpty else { continue }
            let lowest = contents.map(\.maxY).max() ?? panel.y
            let used = (lowest - panel.y) / panel.height
            if used < 0.5 {
                found.append(
                    Problem(
                        page: page, kind: .empty, text: "panel at \(Int(panel.x)), \(Int(panel.y))",
                        detail: "is \(Int(panel.height)) pt tall but its content ends \(Int((used * 100).rounded())) % of the way down"))
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
