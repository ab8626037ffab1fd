/// A page of positioned marks: what a layout produces and a renderer draws. Plain values, in points, y down.
public struct Scene: Codable, Equatable, Sendable {
    public var size: Size
    public var background: Color
    public var marks: [Mark]
    /// The page title (also the PDF outline entry).
    public var title: String
    /// Pages of one group highlight a clicked id together in the HTML report (the pages of one search). Nil: a
    /// titled page starts a group of its own, a page without a title continues the one before it.
    public var group: String?

    public init(size: Size, background: Color, marks: [Mark] = [], title: String = "") {
        self.size = size
        self.background = background
        self.marks = marks
        self.title = title
    }
}

public struct Stroke: Codable, Equatable, Sendable {
    public var color: Color
    public var width: Double
    /// Dash lengths in points; empty for a solid line.
    public var dash: [Double]

    public init(_ color: Color, width: Double = 1, dash: [Double] = []) {
        self.color = color
        self.width = width
        self.dash = dash
    }
}

public struct Font: Codable, Equatable, Hashable, Sendable {
    public enum Weight: String, Codable, Sendable { case regular, bold }
    public var size: Double
    public var weight: Weight
    public var monospace: Bool
    public var italic: Bool

    public init(size: Double, weight: Weight = .regular, monospace: Bool = false, italic: Bool = false) {
        self.size = size
        self.weight = weight
        self.monospace = monospace
        self.italic = italic
    }
}

/// A run of text. `origin` is the top-left of its box for `.left`, the top-centre for `.center` and the
/// top-right for `.right`; with `width` the text wraps (or is ellipsized to `maxLines`).
public struct TextMark: Codable, Equatable, Sendable {
    public enum Alignment: String, Codable, Sendable { case left, center, right }
    public var text: String
    public var origin: Point
    public var font: Font
    public var color: Color
    public var alignment: Alignment
    public var width: Double?
    public var maxLines: Int?
    /// Rotation in degrees around `origin` (−90 for a vertical axis label).
    public var rotation: Double

    public init(
        _ text: String, at origin: Point, font: Font, color: Color, alignment: Alignment = .left,
        width: Double? = nil, maxLines: Int? = nil, rotation: Double = 0
    ) {
        self.text = text
        self.origin = origin
        self.font = font
        self.color = color
        self.alignment = alignment
        self.width = width
        self.maxLines = maxLines
        self.rotation = rotation
    }
}

/// A picture (or a labelled placeholder when it cannot be loaded), fitted into `rect` keeping its aspect.
public struct ImageMark: Codable, Equatable, Sendable {
    public var rect: Rect
    /// File path of a PNG or JPEG; nil draws the placeholder.
    public var path: String?
    /// Shown in the placeholder (and as alt text).
    public var label: String

    public init(rect: Rect, path: String?, label: String) {
        self.rect = rect
        self.path = path
        self.label = label
    }
}

/// One drawable element.
public indirect enum Mark: Codable, Equatable, Sendable {
    case rect(Rect, fill: Color?, stroke: Stroke?, cornerRadius: Double)
    case circle(center: Point, radius: Double, fill: Color?, stroke: Stroke?)
    case polygon([Point], fill: Color?, stroke: Stroke?)
    case polyline([Point], stroke: Stroke)
    /// A straight arrow whose head (of length `head`) ends at `to`.
    case arrow(from: Point, to: Point, stroke: Stroke, head: Double)
    case text(TextMark)
    case image(ImageMark)
    /// Marks drawn together, clipped to `clip` when given.
    case group([Mark], clip: Rect?)
    /// What a drawn thing stands for (a vector, a node, a list): nothing is drawn; the HTML report makes it a target
    /// that shows `hit.fields` on hover and highlights every target of the same `hit.id` on click.
    case hit(HitMark)
}

/// A circle (radius > 0), rectangle or polygon over a drawn vector, node or list, and what it is.
public struct HitMark: Codable, Equatable, Sendable {
    /// What ties targets together across views and sides: a vector's label (`"id 42"`), a list (`"list 7"`).
    public var id: String
    public var center: Point
    public var radius: Double
    /// For a rectangle target (a tile): its frame; nil for a circle.
    public var rect: Rect?
    /// For a cell target (an IVF list's cell): its outline; nil otherwise.
    public var polygon: [Point]?
    /// Shown in the tooltip, in order: ("distance", "12.5"), ("rank", "3"), ("list", "#7"), ("level", "0").
    public var fields: [Field]
    /// The view the target belongs to, when targets of one view act together (an HNSW search replayed step by step:
    /// its layer-0 targets carry "step" (when scored) and "popped" fields).
    public var view: String?
    /// On a graph's node: the id of the node on the same level (of the same view) from whose neighbours the search
    /// first scored this one; nil for where a level was entered. A path from the entry point is followed through it
    /// (and, where it ends, through the same id a level up).
    public var from: String?
    /// Ids highlighted along with this one (a vector's list: `"list 7"`).
    public var related: [String] = []
    /// A picture of what the target stands for (a file path), for the tooltip.
    public var image: String?

    public struct Field: Codable, Equatable, Sendable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(id: String, center: Point, radius: Double, fields: [Field]) {
        self.id = id
        self.center = center
        self.radius = radius
        self.fields = fields
    }

    public init(id: String, rect: Rect, fields: [Field]) {
        self.id = id
        self.center = rect.center
        self.radius = 0
        self.rect = rect
        self.fields = fields
    }

    public init(id: String, polygon: [Point], fields: [Field]) {
        self.id = id
        let count = Double(max(polygon.count, 1))
        self.center = Point(polygon.map(\.x).reduce(0, +) / count, polygon.map(\.y).reduce(0, +) / count)
        self.radius = 0
        self.polygon = polygon
        self.fields = fields
    }
}

/// Measures text as the renderer will draw it (Pango in FederRender; an estimate in tests).
public protocol TextMeasurer: Sendable {
    /// The size of `text` set in `font`, wrapped at `width` when given.
    func measure(_ text: String, font: Font, width: Double?) -> Size
}

/// A measurer that needs no fonts: 0.56 em per character, 1.25 em per line. For tests and layouts that only
/// need an estimate.
public struct EstimatingTextMeasurer: TextMeasurer {
    public init() {}

    public func measure(_ text: String, font: Font, width: Double?) -> Size {
        let perCharacter = font.size * (font.monospace ? 0.6 : 0.56)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var lineCount = 0
        var widest = 0.0
        for line in lines {
            let natural = Double(line.count) * perCharacter
            if let width, width > 0, natural > width {
                lineCount += Int((natural / width).rounded(.up))
                widest = width
            } else {
                lineCount += 1
                widest = max(widest, natural)
            }
        }
        return Size(widest, Double(max(lineCount, 1)) * font.size * 1.25)
    }
}
