extension ViewKit {
    /// One axis of a plot as its ticks are drawn: where a value sits along it, the line each tick gets and where
    /// the tick's label goes. Every view's axes draw their ticks through this, so they look alike.
    struct TickAxis {
        /// How a tick is marked: a gridline across the plot, a stub of this length out of the axis, or no line.
        enum Line {
            case grid
            case stub(Double)
            case none
        }

        enum Edge {
            /// Labels centred beneath the plot, `labelOffset` below its bottom edge.
            case bottom
            /// Labels right-aligned 4 points left of the plot, raised by `labelOffset` from the tick.
            case left
        }

        var plot: Rect
        var edge: Edge
        var line: Line
        var labelOffset: Double
        /// Where a value sits along the axis: an x for the bottom edge, a y for the left one.
        var position: (Double) -> Double

        /// Ticks along the bottom edge of `plot` at `x`, labelled `labelGap` below it.
        static func bottom(of plot: Rect, line: Line, labelGap: Double, x: @escaping (Double) -> Double) -> TickAxis {
            TickAxis(plot: plot, edge: .bottom, line: line, labelOffset: labelGap, position: x)
        }

        /// Ticks along the left edge of `plot` at `y`, each label's top `labelRaise` above its tick.
        static func left(of plot: Rect, line: Line, labelRaise: Double, y: @escaping (Double) -> Double) -> TickAxis {
            TickAxis(plot: plot, edge: .left, line: line, labelOffset: labelRaise, position: y)
        }

        func lineMark(_ value: Double, theme: Theme) -> Mark? {
            let at = position(value)
            switch (edge, line) {
            case (_, .none):
                return nil
            case (.bottom, .grid):
                return .polyline([Point(at, plot.y), Point(at, plot.maxY)], stroke: Stroke(theme.grid, width: 0.5))
            case (.bottom, .stub(let length)):
                return .polyline([Point(at, plot.maxY), Point(at, plot.maxY + length)], stroke: Stroke(theme.mutedText, width: 0.6))
            case (.left, .grid):
                return .polyline([Point(plot.x, at), Point(plot.maxX, at)], stroke: Stroke(theme.grid, width: 0.5))
            case (.left, .stub(let length)):
                return .polyline([Point(plot.x - length, at), Point(plot.x, at)], stroke: Stroke(theme.mutedText, width: 0.6))
            }
        }

        func labelMark(_ value: Double, theme: Theme) -> Mark {
            let at = position(value)
            switch edge {
            case .bottom:
                return .text(
                    TextMark(
                        ViewKit.formatTick(value), at: Point(at, plot.maxY + labelOffset), font: theme.smallFont, color: theme.mutedText,
                        alignment: .center))
            case .left:
                return .text(
                    TextMark(
                        ViewKit.formatTick(value), at: Point(plot.x - 4, at - labelOffset), font: theme.smallFont,
                        color: theme.mutedText, alignment: .right))
            }
        }
    }

    /// The ticks `values` on `axes`: for each value its line on every axis, then its label on every axis (in
    /// small muted type, as `formatTick` writes it).
    static func ticks(_ values: [Double], on axes: [TickAxis], theme: Theme) -> [Mark] {
        var marks: [Mark] = []
        for value in values {
            marks += axes.compactMap { $0.lineMark(value, theme: theme) }
            marks += axes.map { $0.labelMark(value, theme: theme) }
        }
        return marks
    }

    /// The ticks `values` on one axis: each value's line, then its label.
    static func ticks(_ values: [Double], on axis: TickAxis, theme: Theme) -> [Mark] {
        ticks(values, on: [axis], theme: theme)
    }

    /// The left and bottom axis lines of `plot`, as one line.
    static func axisLines(_ plot: Rect, theme: Theme) -> Mark {
        .polyline(
            [Point(plot.x, plot.y), Point(plot.x, plot.maxY), Point(plot.maxX, plot.maxY)], stroke: Stroke(theme.mutedText, width: 0.8))
    }

    /// The name of the horizontal axis, right-aligned under the end of `plot`'s bottom edge, `gap` below it (in
    /// `font`; the label font when nil).
    static func xAxisName(_ text: String, under plot: Rect, gap: Double, font: Font? = nil, theme: Theme) -> Mark {
        .text(
            TextMark(text, at: Point(plot.maxX, plot.maxY + gap), font: font ?? theme.labelFont, color: theme.mutedText, alignment: .right))
    }

    /// The name of the vertical axis, turned to read upwards and centred on `plot`'s height at `x` (in `font`; the
    /// label font when nil).
    static func yAxisName(_ text: String, at x: Double, along plot: Rect, font: Font? = nil, theme: Theme) -> Mark {
        .text(
            TextMark(
                text, at: Point(x, plot.y + plot.height / 2), font: font ?? theme.labelFont, color: theme.mutedText, alignment: .center,
                rotation: -90))
    }
}
