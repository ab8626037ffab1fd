/// A scatter plot of an embedding, coloured by label with a legend (for `feder-report project`).
public enum ScatterPlot {
    public static func scene(
        points: [Point], labels: [String]?, title: String, subtitle: String, size: Size, theme: Theme, measurer: TextMeasurer
    ) -> Scene {
        var scene = Scene(size: size, background: theme.background, title: title)
        let rect = Rect(x: 16, y: 16, width: size.width - 32, height: size.height - 32)
        var (marks, content) = ViewKit.panel(title: title, subtitle: subtitle, in: rect, theme: theme, measurer: measurer)
        let classes =
            labels.map {
                Array(Set($0)).sorted { a, b in
                    if let x = Int(a), let y = Int(b) { return x < y }
                    return a < b
                }
            } ?? []
        let palette = [0x0072B2, 0xE69F00, 0x009E73, 0xCC79A7, 0x56B4E9, 0xD55E00, 0xF0E442, 0x000000, 0x999999, 0x8C6D31].map {
            Color(hex: $0)
        }
        let colorOf = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($0.element, palette[$0.offset % palette.count]) })
        let legendItems: [(ViewKit.Symbol, String)] =
            classes.prefix(24).map { (.dot(colorOf[$0] ?? theme.scored), $0) }
            + (classes.count > 24 ? [(.dot(theme.quiet), "… \(classes.count - 24) more")] : [])
        let (plot, legendMarks) = ViewKit.withLegend(legendItems, in: content, theme: theme, measurer: measurer)
        let xs = points.map(\.x)
        let ys = points.map(\.y)
        let low = Point(xs.min() ?? 0, ys.min() ?? 0)
        let spanX = max((xs.max() ?? 1) - low.x, 1e-12)
        let spanY = max((ys.max() ?? 1) - low.y, 1e-12)
        let radius = points.count > 5000 ? 0.9 : (points.count > 1000 ? 1.4 : 2.2)
        let alpha = points.count > 5000 ? 0.5 : 0.8
        for (index, point) in points.enumerated() {
            let color = labels.flatMap { index < $0.count ? colorOf[$0[index]] : nil } ?? theme.accent
            let x = plot.x + 4 + (plot.width - 8) * (point.x - low.x) / spanX
            let y = plot.maxY - 4 - (plot.height - 8) * (point.y - low.y) / spanY
            marks.append(.circle(center: Point(x, y), radius: radius, fill: color.withAlpha(alpha), stroke: nil))
        }
        scene.marks = marks + legendMarks
        return scene
    }
}
