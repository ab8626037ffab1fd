/// Frames every page the same way — a heading, a line of facts under it, then the content — and stacks
/// blocks into the content. The one page frame: `view` pages, report pages and panels all go through it.
public struct PageFrame {
    public var theme: Theme
    public var size: Size
    public var margin: Double
    public var measurer: TextMeasurer

    public init(theme: Theme, size: Size, margin: Double, measurer: TextMeasurer) {
        self.theme = theme
        self.size = size
        self.margin = margin
        self.measurer = measurer
    }

    /// The page's body: the page less its margins (a little more room at the top, where the heading sits).
    public var body: Rect {
        Rect(x: margin, y: margin - 4, width: size.width - 2 * margin, height: size.height - 2 * margin + 4)
    }

    /// A page titled `title` (the PDF outline entry) with `heading` and `facts` at the top of `area`
    /// (the page's body by default); returns the page and the rectangle left for its content.
    public func page(
        title: String, heading: String, facts: String, headingLines: Int = 1, factLines: Int = 2, in area: Rect? = nil
    ) -> (scene: Scene, content: Rect) {
        var scene = Scene(size: size, background: theme.background, title: title)
        let (marks, content) = header(heading: heading, facts: facts, headingLines: headingLines, factLines: factLines, in: area ?? body)
        scene.marks = marks
        return (scene, content)
    }

    /// The heading and facts lines at the top of `rect`, and what is left below them.
    public func header(heading: String, facts: String, headingLines: Int = 1, factLines: Int = 2, in rect: Rect) -> (
        marks: [Mark], rest: Rect
    ) {
        var marks: [Mark] = []
        let headingHeight = measurer.measure(heading, font: theme.titleFont, width: rect.width).height
        let shownHeading = min(headingHeight, theme.titleFont.size * 1.35 * Double(headingLines))
        marks.append(
            .text(
                TextMark(
                    heading, at: Point(rect.x, rect.y), font: theme.titleFont, color: theme.text, width: rect.width, maxLines: headingLines)
            ))
        let factsY = rect.y + max(shownHeading, theme.titleFont.size * 1.35)
        var used = factsY - rect.y
        if !facts.isEmpty {
            marks.append(
                .text(
                    TextMark(
                        facts, at: Point(rect.x, factsY), font: theme.subtitleFont, color: theme.mutedText, width: rect.width,
                        maxLines: factLines)))
            let factsHeight = measurer.measure(facts, font: theme.subtitleFont, width: rect.width).height
            used += min(factsHeight, theme.subtitleFont.size * 1.4 * Double(factLines))
        }
        used += 8
        return (marks, Rect(x: rect.x, y: rect.y + used, width: rect.width, height: rect.height - used))
    }

    /// `blocks` one under the other in `rect`, each as tall as its share of the weights, `gap` apart.
    public func stack(_ blocks: [(weight: Double, draw: (Rect) -> [Mark])], in rect: Rect, gap: Double = 8) -> [Mark] {
        let total = blocks.reduce(0) { $0 + $1.weight }
        guard total > 0 else { return [] }
        var marks: [Mark] = []
        var y = rect.y
        for block in blocks {
            let height = (rect.height - Double(blocks.count - 1) * gap) * block.weight / total
            marks += block.draw(Rect(x: rect.x, y: y, width: rect.width, height: height))
            y += height + gap
        }
        return marks
    }
}
