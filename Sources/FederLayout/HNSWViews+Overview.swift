import FederSearch
import Foundation

extension HNSWViews {
    // MARK: overview

    /// Every level as a stacked plane, nodes placed by one 2-D projection shared by all levels. A level with more
    /// nodes than can be drawn one by one is shaded by how many nodes fall in each cell (√ scale, PCA) under a
    /// sample of them; links are drawn between drawn nodes and counted. The search's path is drawn across the
    /// stack: each upper level's greedy path, a dashed drop where it goes down a level, and the results on layer 0.
    /// - Complexity: O(n·d) to place every node of the shaded levels (PCA), O(n·M) for the link counts.
    public static func overview(_ input: Input, in rect: Rect, theme: Theme, measurer: TextMeasurer) -> [Mark] {
        let graph = input.graph
        let counts = graph.levelCounts()
        let perLevel = counts.enumerated().map { "L\($0.offset) \(ViewKit.grouped($0.element))" }.joined(separator: " · ")
        let subtitle =
            "\(graph.library) · M \(graph.m) · efConstruction \(graph.efConstruction) · nodes per level: \(perLevel). "
            + "A node keeps one position (\(input.projection.displayName) of the vectors) on every level it lives on."
        var (marks, content) = ViewKit.panel(
            title: "HNSW overview — \(counts.count) levels", subtitle: subtitle, in: rect, theme: theme, measurer: measurer)
        guard graph.count > 0, graph.maxLevel >= 0 else { return marks }
        let placement = Placement(graph, seed: input.seed, method: input.projection)
        let levels = graph.maxLevel + 1
        let hnsw = input.trace.hnsw
        let nodeBudget = 1200
        // Shading pays off where the sample is a small part of the level.
        let shadeAbove = 4 * nodeBudget
        let shaded = input.projection == .pca && counts.contains { $0 > shadeAbove }
        var legendItems: [(ViewKit.Symbol, String)] = [
            (.dot(theme.scored), "node"), (.line(theme.accent.withAlpha(0.5), dashed: false), "link"), (.dot(theme.accent), "entry point"),
        ]
        if shaded { legendItems.append((.square(theme.scored.withAlpha(0.45)), "nodes per cell (√ scale)")) }
        if hnsw != nil {
            legendItems += [(.arrow(theme.query), "search path, dropping a level"), (.dot(theme.result), "result")]
        }
        let (plotArea, legendMarks) = ViewKit.withLegend(legendItems, in: content, theme: theme, measurer: measurer)
        let area = Rect(x: plotArea.x + 96, y: plotArea.y, width: plotArea.width - 100, height: plotArea.height)
        let gap = 8.0
        // Heights by how many nodes each level holds (log), at least 26 points: a level of 5 nodes needs less
        // room than one of a million.
        let weights = (0..<levels).map { 1 + log10(Double(max(counts[$0], 1))) }
        let free = max(0, area.height - gap * Double(levels - 1) - 26 * Double(levels))
        let heights = weights.map { 26 + free * $0 / weights.reduce(0, +) }
        let shear = min(area.width * 0.18, (heights.max() ?? 26) * 0.6)
        var tops: [Int: Double] = [:]
        var y = area.y
        for level in (0..<levels).reversed() {
            tops[level] = y
            y += heights[level] + gap
        }
        func place(_ node: Int, level: Int) -> Point? {
            guard let p = placement.position(node), let top = tops[level] else { return nil }
            let height = heights[level]
            let u = 0.04 + 0.92 * p.x
            let v = 0.08 + 0.84 * p.y
            return Point(area.x + shear * (1 - v) + u * (area.width - shear), top + v * height)
        }
        // Each level's drawn sample, kept for its targets.
        var drawnByLevel = [[Int]](repeating: [], count: levels)
        for level in (0..<levels).reversed() {
            guard let top = tops[level] else { continue }
            let height = heights[level]
            let plane = [
                Point(area.x + shear, top), Point(area.maxX, top), Point(area.maxX - shear, top + height), Point(area.x, top + height),
            ]
            marks.append(.polygon(plane, fill: theme.background.withAlpha(0.9), stroke: Stroke(theme.panelBorder, width: 0.8)))
            let nodes = nodesOn(level: level, graph: graph)
            if shaded, nodes.count > shadeAbove {
                marks += density(nodes, placement: placement, top: top, height: height, area: area, shear: shear, theme: theme)
            }
            let sampled = sample(nodes, budget: nodeBudget, graph: graph, input: input, placement: placement)
            drawnByLevel[level] = sampled
            let drawn = Set(sampled)
            var links = 0
            var drawnLinks = 0
            var segments: [(Point, Point)] = []
            for node in nodes {
                let neighbors = graph.neighbors(node, level)
                links += neighbors.count
                guard drawn.contains(node), let from = place(node, level: level) else { continue }
                for neighbor in neighbors where neighbor > node || !drawn.contains(neighbor) {
                    guard drawn.contains(neighbor), let to = place(neighbor, level: level) else { continue }
                    drawnLinks += 1
                    segments.append((from, to))
                }
            }
            // The more links a plane draws, the fainter each, so thousands read as a texture, not a solid band.
            let linkAlpha = min(0.3, 6 / Double(max(segments.count, 1)).squareRoot())
            marks += segments.map { .polyline([$0.0, $0.1], stroke: Stroke(theme.accent.withAlpha(linkAlpha), width: 0.5)) }
            let dot = sampled.count > 600 ? 0.9 : (sampled.count > 100 ? 1.4 : 2.2)
            for node in sampled where node != graph.entryPoint {
                if let point = place(node, level: level) {
                    marks.append(.circle(center: point, radius: dot, fill: theme.scored.withAlpha(shaded ? 0.7 : 1), stroke: nil))
                }
            }
            if graph.level(graph.entryPoint) >= level, let point = place(graph.entryPoint, level: level) {
                marks.append(.circle(center: point, radius: 3.5, fill: theme.accent, stroke: Stroke(theme.background, width: 0.8)))
            }
            var caption = "L\(level) · \(ViewKit.counted(nodes.count, "node")) · \(ViewKit.counted(links, "link"))"
            if sampled.count < nodes.count {
                caption += " · \(ViewKit.grouped(sampled.count)) nodes and \(ViewKit.grouped(drawnLinks)) links drawn"
            }
            let lines = max(1, Int(height / (theme.labelFont.size * 1.25)))
            marks.append(
                .text(
                    TextMark(caption, at: Point(content.x, top + 2), font: theme.labelFont, color: theme.text, width: 92, maxLines: lines)))
        }
        if let hnsw { marks += path(hnsw, trace: input.trace, place: place, theme: theme) }
        marks += overviewTargets(input, drawn: drawnByLevel, view: "hnsw-overview-\(Int(rect.x))-\(Int(rect.y))", place: place)
        return marks + legendMarks
    }

    /// The nodes of a level the overview draws: all of them up to `budget`, else a seeded sample of about `budget`
    /// with the entry point; UMAP and t-SNE place only the nodes they were fitted on.
    static func sample(_ nodes: [Int], budget: Int, graph: HNSWGraphView, input: Input, placement: Placement) -> [Int] {
        var sampled =
            nodes.count > budget
            ? nodes.filter {
                $0 == graph.entryPoint || ViewKit.hashUnit(Int64($0), seed: input.seed) < Double(budget) / Double(nodes.count)
            }
            : nodes
        if input.projection != .pca { sampled = sampled.filter { placement.position($0) != nil } }
        return sampled
    }

    /// Hover and click targets of the overview: every node drawn on every level, and every node of the search's path
    /// to each result (drawn or not), so a clicked result's route from the entry point can be followed plane by plane.
    static func overviewTargets(_ input: Input, drawn: [[Int]], view: String, place: (Int, Int) -> Point?) -> [Mark] {
        let trace = input.trace
        let parents = trace.hnsw.map(parents) ?? [:]
        let distance = trace.hnsw.map(scoredDistances) ?? [:]
        var onPath: [Int: Set<Int>] = [:]
        if let hnsw = trace.hnsw {
            // Each result's route: its parents on layer 0 back to the entry, then up each level's greedy path.
            let top = hnsw.upperLevels.map(\.level).max() ?? 0
            for result in trace.results where result.internalID >= 0 {
                var node = result.internalID
                var level = 0
                var guardCount = 0
                while level <= top, guardCount < 100_000 {
                    guardCount += 1
                    guard onPath[level, default: []].insert(node).inserted else { break }
                    if let parent = parents[level]?[node] {
                        node = parent
                    } else {
                        level += 1
                    }
                }
            }
        }
        let rank = ViewKit.resultRanks(trace, by: \.internalID)
        var marks: [Mark] = []
        for (level, nodes) in drawn.enumerated() {
            let all = Set(nodes).union(onPath[level] ?? [])
            for node in all.sorted() {
                guard let point = place(node, level) else { continue }
                let label = trace.nodeLabels?[node] ?? Int64(node)
                var fields = [HitMark.Field("level", "\(level)")]
                if let d = distance[node] { fields.insert(HitMark.Field("distance", ViewKit.format(Double(d))), at: 0) }
                if level == 0, let r = rank[node] { fields.insert(HitMark.Field("rank", "\(r)"), at: 0) }
                var target = HitMark(
                    id: ViewKit.targetID(label, unsigned: trace.labels.isUnsigned), center: point, radius: 2.5, fields: fields)
                target.view = view
                target.from = parents[level]?[node].map { parent in
                    ViewKit.targetID(trace.nodeLabels?[parent] ?? Int64(parent), unsigned: trace.labels.isUnsigned)
                }
                marks.append(.hit(target))
            }
        }
        return marks
    }

    /// The search across the stacked levels: each upper level's greedy path, a dashed drop from where it ends to
    /// the same node a level down, layer 0's entry and the results (by rank).
    static func path(_ hnsw: HNSWTrace, trace: SearchTrace, place: (Int, Int) -> Point?, theme: Theme) -> [Mark] {
        var marks: [Mark] = []
        let stroke = Stroke(theme.query, width: 1.4)
        for upper in hnsw.upperLevels {
            let points = upper.path.compactMap { place($0, upper.level) }
            if points.count > 1 { marks.append(.polyline(points, stroke: stroke)) }
            for point in points { marks.append(.circle(center: point, radius: 1.8, fill: theme.query, stroke: nil)) }
            if let last = upper.path.last, let from = place(last, upper.level), let to = place(last, upper.level - 1) {
                marks.append(.polyline([from, to], stroke: Stroke(theme.query, width: 1, dash: [3, 2])))
            }
        }
        if let entry = place(hnsw.level0.entry, 0) {
            marks.append(.circle(center: entry, radius: 2.6, fill: theme.query, stroke: Stroke(theme.background, width: 0.6)))
        }
        for result in trace.results.reversed() where result.internalID >= 0 {
            if let point = place(result.internalID, 0) {
                marks.append(.circle(center: point, radius: 2.4, fill: theme.result, stroke: Stroke(theme.background, width: 0.5)))
            }
        }
        return marks
    }

    /// A level's nodes counted in a grid of cells on its plane, each cell shaded by the square root of its share of
    /// the fullest cell.
    static func density(
        _ nodes: [Int], placement: Placement, top: Double, height: Double, area: Rect, shear: Double, theme: Theme
    ) -> [Mark] {
        let columns = 72
        let rows = max(4, min(24, Int(height / 5)))
        var grid = [Int](repeating: 0, count: columns * rows)
        for node in nodes {
            guard let p = placement.position(node) else { continue }
            let column = min(columns - 1, max(0, Int(p.x * Double(columns))))
            let row = min(rows - 1, max(0, Int(p.y * Double(rows))))
            grid[row * columns + column] += 1
        }
        guard let most = grid.max(), most > 0 else { return [] }
        func corner(_ u: Double, _ v: Double) -> Point {
            let uu = 0.04 + 0.92 * u
            let vv = 0.08 + 0.84 * v
            return Point(area.x + shear * (1 - vv) + uu * (area.width - shear), top + vv * height)
        }
        var marks: [Mark] = []
        for row in 0..<rows {
            for column in 0..<columns where grid[row * columns + column] > 0 {
                let share = (Double(grid[row * columns + column]) / Double(most)).squareRoot()
                // Each cell reaches a little into the next, so anti-aliasing leaves no seams between them.
                let (u0, u1) = (Double(column) / Double(columns), (Double(column + 1) + 0.3) / Double(columns))
                let (v0, v1) = (Double(row) / Double(rows), (Double(row + 1) + 0.3) / Double(rows))
                marks.append(
                    .polygon(
                        [corner(u0, v0), corner(u1, v0), corner(u1, v1), corner(u0, v1)],
                        fill: theme.background.mixed(with: theme.scored, 0.04 + 0.56 * share),
                        stroke: nil))
            }
        }
        return marks
    }

    static func nodesOn(level: Int, graph: HNSWGraphView) -> [Int] {
        (0..<graph.count).filter { graph.level($0) >= level }
    }
}
