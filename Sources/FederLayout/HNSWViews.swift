import FederIndex
import FederProjection
import FederSearch
import Foundation

/// The HNSW views: every level as a stacked plane, and the search's descent drawn against distance.
public enum HNSWViews {
    public struct Input: Sendable {
        public var graph: HNSWGraphView
        public var trace: SearchTrace
        public var query: [Float]
        public var seed: UInt64
        /// A distance range shared with another panel (both sides of a comparison on one axis).
        public var axis: ClosedRange<Double>?
        /// Where that shared axis turns logarithmic (the larger of both sides' `knee(in:)`); nil: this search's own.
        public var knee: Double?
        /// Where that shared axis starts (the one nearer the query of both sides' `start(in:)`); nil: its own.
        public var start: Double?
        /// How the overview places nodes.
        public var projection: ProjectionMethod = .pca

        public init(graph: HNSWGraphView, trace: SearchTrace, query: [Float], seed: UInt64, axis: ClosedRange<Double>? = nil) {
            self.graph = graph
            self.trace = trace
            self.query = query
            self.seed = seed
            self.axis = axis
        }

        /// The range of every distance this search scored (for sharing an axis).
        public var distanceRange: ClosedRange<Double>? { HNSWViews.distanceRange(trace) }

        /// The distances of the results and of the missed exact neighbours: what the axis must show well.
        var wanted: [Double] {
            (trace.results.filter { $0.internalID >= 0 }.map { Double($0.distance) }
                + (trace.measures?.misses ?? []).map { Double($0.approximateDistance ?? $0.distance) })
                .filter { $0.isFinite && abs($0) < 1e37 }
        }

        /// Where this search's axis over `range` starts: at the query (0) when the nearest node scored is close to it
        /// compared with how far the results spread, otherwise just before that nearest node, so that
        /// high-dimensional distances, all far from 0, do not squeeze the beam into a sliver. Inner products
        /// (larger is better) start at the best value scored.
        public func start(in range: ClosedRange<Double>) -> Double {
            if largerIsBetter { return range.upperBound }
            let low = range.lowerBound
            guard low > 0, let far = wanted.max(), far > low, low > 0.5 * (far - low) else { return min(0, low) }
            return low - 0.05 * (far - low)
        }

        /// Where this search's axis over `range` turns logarithmic: 1.5 × the farthest result or missed exact
        /// neighbour from the query end, so everything the search returned or should have stays on the linear part.
        public func knee(in range: ClosedRange<Double>) -> Double? {
            let best = start ?? start(in: range)
            guard let far = wanted.map({ abs($0 - best) }).max(), far > 0 else { return nil }
            return 1.5 * far
        }

        var largerIsBetter: Bool { trace.distance.largerIsBetter }
        var distanceName: String { ViewKit.distanceName(of: trace) }
    }

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

    /// Each result's rank (1-based) by its internal id (the first rank where an id is returned twice).
    static func resultRanks(_ trace: SearchTrace) -> [Int: Int] {
        Dictionary(
            trace.results.enumerated().filter { $0.element.internalID >= 0 }.map { ($0.element.internalID, $0.offset + 1) },
            uniquingKeysWith: { first, _ in first })
    }

    /// Every distance the search computed, by node (the last computed where one was scored twice, as the views
    /// place it).
    static func scoredDistances(_ hnsw: HNSWTrace) -> [Int: Float] {
        var distance: [Int: Float] = [hnsw.entryPoint: hnsw.entryDistance]
        for level in hnsw.upperLevels { for pass in level.passes { for edge in pass { distance[edge.to] = edge.distance } } }
        for step in hnsw.level0.steps {
            distance[step.node] = step.distance
            for event in step.neighbors { if let d = event.distance { distance[event.id] = d } }
        }
        return distance
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
        let rank = resultRanks(trace)
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
                    id: "id \(Label(bits: label, unsigned: trace.labels.isUnsigned))", center: point, radius: 2.5, fields: fields)
                target.view = view
                target.from = parents[level]?[node].map { parent in
                    "id \(Label(bits: trace.nodeLabels?[parent] ?? Int64(parent), unsigned: trace.labels.isUnsigned))"
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

    /// Where the overview puts nodes, in the unit square: PCA fitted on upper-level nodes plus a sample of level 0
    /// (any node placed on demand), or UMAP / t-SNE fitted on at most 2,000 of them (top levels first), which alone
    /// get positions. The square spans the 1st to 99th percentile of the fitted nodes on each axis (the rest pinned
    /// to its edges), so a few far vectors do not squeeze every other node into a line.
    struct Placement {
        let graph: HNSWGraphView
        let pca: PCA?
        let fitted: [Int: Point]
        let low: Point
        let span: Point

        init(_ graph: HNSWGraphView, seed: UInt64, method: ProjectionMethod) {
            self.graph = graph
            var sample: [Int] = []
            let budget = 1500
            for node in 0..<graph.count
            where graph.level(node) > 0 || ViewKit.hashUnit(Int64(node), seed: seed) < Double(budget) / Double(max(graph.count, 1)) {
                sample.append(node)
            }
            var projected: [Int: Point] = [:]
            if method == .pca {
                let rows = sample.prefix(4000).map { node in
                    (0..<graph.dim).map { graph.vector(node).loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) }
                }
                let pca = PCA.fit(Array(rows), components: 2)
                for node in sample { projected[node] = pca.project(pointer: graph.vector(node), dim: graph.dim) }
                self.pca = pca
                fitted = [:]
            } else {
                let chosen = Array(
                    sample.sorted { graph.level($0) != graph.level($1) ? graph.level($0) > graph.level($1) : $0 < $1 }.prefix(2000))
                var values: [Float] = []
                for node in chosen {
                    values += (0..<graph.dim).map { graph.vector(node).loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) }
                }
                let points = method.embed(VectorTable(name: "nodes", rows: values, dim: graph.dim), seed: seed)
                for (node, point) in zip(chosen, points) { projected[node] = point }
                pca = nil
                fitted = projected
            }
            func percentile(_ values: [Double], _ share: Double) -> Double {
                let sorted = values.sorted()
                guard !sorted.isEmpty else { return 0 }
                return sorted[min(sorted.count - 1, Int(share * Double(sorted.count - 1)))]
            }
            let xs = projected.values.map(\.x)
            let ys = projected.values.map(\.y)
            let tail = projected.count >= 200 ? 0.01 : 0
            low = Point(percentile(xs, tail), percentile(ys, tail))
            span = Point(max(percentile(xs, 1 - tail) - low.x, 1e-12), max(percentile(ys, 1 - tail) - low.y, 1e-12))
        }

        /// The node's place in the unit square, nil where the projection did not fit it (UMAP, t-SNE).
        func position(_ node: Int) -> Point? {
            guard node >= 0, node < graph.count else { return nil }
            let raw: Point
            if let pca {
                raw = pca.project(pointer: graph.vector(node), dim: graph.dim)
            } else if let point = fitted[node] {
                raw = point
            } else {
                return nil
            }
            return Point(min(1, max(0, (raw.x - low.x) / span.x)), min(1, max(0, (raw.y - low.y) / span.y)))
        }
    }

    // MARK: search

    /// The range of every distance a search scored.
    static func distanceRange(_ trace: SearchTrace) -> ClosedRange<Double>? {
        guard let hnsw = trace.hnsw else { return nil }
        var values: [Double] = [Double(hnsw.entryDistance)]
        for level in hnsw.upperLevels { for pass in level.passes { values += pass.map { Double($0.distance) } } }
        for step in hnsw.level0.steps {
            values.append(Double(step.distance))
            values += step.neighbors.compactMap { $0.distance.map(Double.init) }
        }
        // Missed neighbours are drawn too (at their exact distance, often nearer than anything scored).
        values += (trace.measures?.misses ?? []).map { Double($0.approximateDistance ?? $0.distance) }
        let finite = values.filter { $0.isFinite && abs($0) < 1e37 }.sorted()
        guard let low = finite.first, var high = finite.last else { return nil }
        // A few far nodes (upper levels, first hops) would squash the rest: the axis ends at the 95th
        // percentile (never before the descent's path and the results), and farther nodes sit at the edge.
        let largerIsBetter = trace.distance.largerIsBetter
        if !largerIsBetter, finite.count >= 20 {
            let percentile = finite[Int(Double(finite.count - 1) * 0.95)]
            let must =
                (hnsw.upperLevels.map { Double($0.exitDistance) } + trace.results.map { Double($0.distance) } + [Double(hnsw.entryDistance)])
                .filter { $0.isFinite && abs($0) < 1e37 }.max() ?? percentile
            high = min(high, max(percentile, must))
        }
        return low...max(high, low)
    }

    public static func search(_ input: Input, in rect: Rect, theme: Theme, measurer: TextMeasurer) -> [Mark] {
        guard let hnsw = input.trace.hnsw else { return [] }
        let counts = input.trace.counts
        let misses = (input.trace.measures?.misses ?? []).filter { $0.node != nil }
        let scale = (input.axis ?? input.distanceRange).map { range in
            DistanceScale(
                best: input.start ?? input.start(in: range), worst: input.largerIsBetter ? range.lowerBound : range.upperBound,
                knee: input.knee ?? input.knee(in: range))
        }
        // The query sits on the axis unless it starts past 0 (squared L2 and hnswlib distances).
        let queryOnAxis = input.largerIsBetter || (scale?.best ?? 0) <= 0
        var axisNote = queryOnAxis ? "" : " from \(ViewKit.format(scale?.best ?? 0)) (the query is at 0)"
        if let knee = scale?.description { axisNote += ", " + knee }
        var subtitle =
            "x = \(input.distanceName) to the query\(axisNote); far nodes sit at the right end; one band per level, top first. "
            + "\(counts.distanceComputations) distances · \(counts.visited) visited · \(counts.hops ?? 0) hops."
        if !misses.isEmpty { subtitle += " Missed: " + missSummary(misses) + "." }
        var (marks, content) = ViewKit.panel(
            title: "HNSW search — descent and layer-0 beam (ef \(hnsw.level0.ef))", subtitle: subtitle, in: rect, theme: theme,
            measurer: measurer, subtitleLines: 3)
        // Every scored distance, per node.
        let distance = scoredDistances(hnsw)
        let expanded = hnsw.level0.steps.filter(\.expanded).map(\.node)
        guard let scale else { return marks }
        let best = scale.best
        let alarm = Color(hex: 0xD55E00)
        let legendItems: [(ViewKit.Symbol, String)] =
            (queryOnAxis ? [(.line(theme.query, dashed: true), "query")] : [])
            + [
                (.arrow(theme.accent), "greedy path"), (.dot(theme.scored), "scored"),
                (.ring(theme.truth), "expanded (layer 0)"), (.badge(theme.result), "result, by rank"), (.dot(theme.accent), "entry"),
            ] + (misses.isEmpty ? [] : [(.ring(alarm), "missed exact neighbour (exact rank)")])
        let (plotArea, legendMarks) = ViewKit.withLegend(legendItems, in: content, theme: theme, measurer: measurer)
        let axisHeight = 26.0
        let labelWidth = 104.0
        let plot = Rect(
            x: plotArea.x + labelWidth, y: plotArea.y, width: plotArea.width - labelWidth - 6, height: plotArea.height - axisHeight)
        func x(_ d: Double) -> Double { plot.x + 6 + (plot.width - 12) * scale.fraction(d) }
        // Bands: upper levels share 55 % of the height, level 0 gets the rest (or all when there are none).
        let upperCount = hnsw.upperLevels.count
        let upperHeight = upperCount == 0 ? 0 : plot.height * 0.5
        let bandHeight = upperCount == 0 ? 0 : upperHeight / Double(upperCount)
        let level0Band = Rect(x: plot.x, y: plot.y + upperHeight, width: plot.width, height: plot.height - upperHeight)
        func y(_ node: Int, in band: Rect) -> Double {
            band.y + band.height * (0.15 + 0.7 * ViewKit.hashUnit(Int64(node), seed: input.seed))
        }

        // Axis.
        for tick in scale.ticks() {
            let tx = x(tick)
            marks.append(.polyline([Point(tx, plot.y), Point(tx, plot.maxY)], stroke: Stroke(theme.grid, width: 0.5)))
            marks.append(
                .text(
                    TextMark(
                        ViewKit.formatTick(tick), at: Point(tx, plot.maxY + 3), font: theme.smallFont, color: theme.mutedText,
                        alignment: .center)))
        }
        marks.append(
            .text(
                TextMark(
                    "\(input.distanceName) to the query\(scale.knee == nil ? "" : " (log scale past \(ViewKit.format(scale.knee ?? 0)))") →",
                    at: Point(plot.maxX, plot.maxY + 13), font: theme.labelFont,
                    color: theme.mutedText, alignment: .right)))
        if queryOnAxis {
            marks.append(
                .polyline([Point(x(best), plot.y), Point(x(best), plot.maxY)], stroke: Stroke(theme.query, width: 1.2, dash: [3, 2])))
        }

        // Hover and click targets for the HTML report: every node drawn, by its label.
        var hits: [Mark] = []
        let results = resultRanks(input.trace)
        // Layer 0 step by step, for the replay: the step at which each node was first scored (the entry before any)
        // and the step that popped it.
        var scoredAt: [Int: Int] = [hnsw.level0.entry: 0]
        var poppedAt: [Int: Int] = [:]
        // Whether the scoring admitted the node to the candidates (and results when good enough) or rejected it.
        var outcome: [Int: String] = [hnsw.level0.entry: "entry"]
        for (step, record) in hnsw.level0.steps.enumerated() {
            if poppedAt[record.node] == nil { poppedAt[record.node] = step + 1 }
            for event in record.neighbors where event.distance != nil && scoredAt[event.id] == nil {
                scoredAt[event.id] = step + 1
                outcome[event.id] = event.outcome == .admitted ? "admitted" : "rejected"
            }
        }
        let view = "hnsw-\(Int(rect.x))-\(Int(rect.y))"
        let parents = Self.parents(hnsw)
        func name(_ node: Int) -> String {
            "id \(Label(bits: input.trace.nodeLabels?[node] ?? Int64(node), unsigned: input.trace.labels.isUnsigned))"
        }
        func hit(_ node: Int, at point: Point, level: Int) {
            var fields = [HitMark.Field("distance", ViewKit.format(Double(distance[node] ?? .nan))), HitMark.Field("level", "\(level)")]
            if level == 0, let rank = results[node] { fields.insert(HitMark.Field("rank", "\(rank)"), at: 0) }
            if level == 0, let step = scoredAt[node] { fields.append(HitMark.Field("step", "\(step)")) }
            if level == 0, let step = poppedAt[node] { fields.append(HitMark.Field("popped", "\(step)")) }
            if level == 0, let outcome = outcome[node] { fields.append(HitMark.Field("outcome", outcome)) }
            var target = HitMark(id: name(node), center: point, radius: 3, fields: fields)
            target.view = view
            target.from = parents[level]?[node].map(name)
            hits.append(.hit(target))
        }
        var previousExit: (node: Int, y: Double)?
        for (row, level) in hnsw.upperLevels.enumerated() {
            let band = Rect(x: plot.x, y: plot.y + Double(row) * bandHeight, width: plot.width, height: bandHeight)
            marks.append(.rect(band, fill: row % 2 == 0 ? theme.background.withAlpha(0.6) : nil, stroke: nil, cornerRadius: 0))
            var scored: Set<Int> = []
            for pass in level.passes { for edge in pass { scored.insert(edge.to) } }
            for node in scored.sorted() where !level.path.contains(node) {
                marks.append(
                    .circle(center: Point(x(Double(distance[node] ?? 0)), y(node, in: band)), radius: 2, fill: theme.scored, stroke: nil))
            }
            for node in scored.union(level.path).sorted() {
                hit(node, at: Point(x(Double(distance[node] ?? 0)), y(node, in: band)), level: level.level)
            }
            if let previous = previousExit, let first = level.path.first {
                marks.append(
                    .polyline(
                        [Point(x(Double(distance[first] ?? 0)), previous.y), Point(x(Double(distance[first] ?? 0)), y(first, in: band))],
                        stroke: Stroke(theme.accent, width: 1, dash: [2, 2])))
            }
            for (from, to) in zip(level.path, level.path.dropFirst()) {
                marks.append(
                    .arrow(
                        from: Point(x(Double(distance[from] ?? 0)), y(from, in: band)),
                        to: Point(x(Double(distance[to] ?? 0)), y(to, in: band)), stroke: Stroke(theme.accent, width: 1.4), head: 6))
            }
            for node in level.path {
                marks.append(
                    .circle(
                        center: Point(x(Double(distance[node] ?? 0)), y(node, in: band)), radius: 3, fill: theme.accent,
                        stroke: Stroke(theme.background, width: 0.6)))
            }
            if let last = level.path.last { previousExit = (last, y(last, in: band)) }
            let text =
                "L\(level.level) · \(level.passes.count) pass\(level.passes.count == 1 ? "" : "es") · \(scored.count) scored · best \(ViewKit.format(Double(level.exitDistance)))"
            let font = bandHeight < theme.labelFont.size * 2.6 ? theme.smallFont : theme.labelFont
            let lines = max(1, Int((bandHeight - 2) / (font.size * 1.25)))
            marks.append(
                .text(
                    TextMark(text, at: Point(content.x, band.y + 1), font: font, color: theme.text, width: labelWidth - 6, maxLines: lines))
            )
        }

        // Layer 0.
        let expandedSet = Set(expanded)
        var scored0: Set<Int> = []
        for step in hnsw.level0.steps { for event in step.neighbors where event.distance != nil { scored0.insert(event.id) } }
        scored0.insert(hnsw.level0.entry)
        if let previous = previousExit {
            let entry = hnsw.level0.entry
            marks.append(
                .polyline(
                    [Point(x(Double(distance[entry] ?? 0)), previous.y), Point(x(Double(distance[entry] ?? 0)), y(entry, in: level0Band))],
                    stroke: Stroke(theme.accent, width: 1, dash: [2, 2])))
        }
        let dot = scored0.count > 1500 ? 1.0 : 1.8
        for node in scored0.sorted() where results[node] == nil && !expandedSet.contains(node) {
            marks.append(
                .circle(
                    center: Point(x(Double(distance[node] ?? 0)), y(node, in: level0Band)), radius: dot, fill: theme.scored.withAlpha(0.8),
                    stroke: nil))
        }
        for node in expandedSet.sorted() where results[node] == nil {
            marks.append(
                .circle(
                    center: Point(x(Double(distance[node] ?? 0)), y(node, in: level0Band)), radius: 2.6, fill: nil,
                    stroke: Stroke(theme.truth, width: 1.2)))
        }
        marks.append(
            .circle(
                center: Point(x(Double(distance[hnsw.level0.entry] ?? 0)), y(hnsw.level0.entry, in: level0Band)), radius: 4,
                fill: theme.accent, stroke: Stroke(theme.background, width: 0.8)))
        // Missed exact neighbours at their exact distance (a dropped one where the search scored it), each labelled
        // with its exact rank below its ring, or above it when another label is there.
        var missMarks: [Mark] = []
        var missBoxes: [Rect] = []
        for miss in misses.sorted(by: { $0.exactRank < $1.exactRank }) {
            guard let node = miss.node else { continue }
            let point = Point(x(Double(miss.approximateDistance ?? miss.distance)), y(node, in: level0Band))
            missMarks.append(.circle(center: point, radius: 4.2, fill: nil, stroke: Stroke(alarm, width: 1.6, dash: [2, 1.5])))
            missBoxes.append(Rect(x: point.x - 4.2, y: point.y - 4.2, width: 8.4, height: 8.4))
            let label = "#\(miss.exactRank)"
            let size = measurer.measure(label, font: theme.smallFont, width: nil)
            let below = Rect(x: point.x - size.width / 2, y: point.y + 5, width: size.width, height: size.height)
            let above = Rect(x: below.x, y: point.y - 5 - size.height, width: size.width, height: size.height)
            let box = missBoxes.dropLast().contains(where: { $0.intersects(below) }) ? above : below
            missBoxes.append(box)
            missMarks.append(.text(TextMark(label, at: Point(point.x, box.y), font: theme.smallFont, color: alarm, alignment: .center)))
        }
        let placed = results.map { node, rank in (rank: rank, point: Point(x(Double(distance[node] ?? 0)), y(node, in: level0Band))) }
        let (badges, unlabelled) = ViewKit.rankBadges(
            placed, color: theme.result, theme: theme, avoid: missBoxes,
            bounds: Rect(x: plot.x, y: level0Band.y, width: plot.width, height: level0Band.height))
        marks += badges + missMarks
        for node in scored0.sorted() { hit(node, at: Point(x(Double(distance[node] ?? 0)), y(node, in: level0Band)), level: 0) }
        marks += hits
        if !unlabelled.isEmpty {
            marks.append(
                .text(
                    TextMark(
                        "\(ViewKit.ranksText(unlabelled)) crowded out: see the results", at: Point(plot.maxX - 2, level0Band.y + 2),
                        font: theme.smallFont, color: theme.mutedText, alignment: .right)))
        }
        let stop = hnsw.level0.stopReason.rawValue.replacingOccurrences(of: "([A-Z])", with: " $1", options: .regularExpression)
            .lowercased()
        var text = "L0 · \(expanded.count) expansions · \(hnsw.level0.visitedCount) visited · stop: \(stop)"
        if !misses.isEmpty { text += " · \(misses.count) missed" }
        marks.append(
            .text(
                TextMark(
                    text, at: Point(content.x, level0Band.y + 2), font: theme.labelFont, color: theme.text, width: labelWidth - 6,
                    maxLines: 5)))
        return marks + legendMarks
    }

    /// Per level, each node the search scored there and the node whose neighbours it was first scored from: an
    /// upper level's greedy passes, layer 0's expansions in pop order. The node a level was entered at has none.
    public static func parents(_ hnsw: HNSWTrace) -> [Int: [Int: Int]] {
        var parents: [Int: [Int: Int]] = [:]
        for upper in hnsw.upperLevels {
            var level: [Int: Int] = [:]
            let entered = upper.path.first
            for pass in upper.passes {
                for edge in pass where edge.to != entered && level[edge.to] == nil { level[edge.to] = edge.from }
            }
            parents[upper.level] = level
        }
        var level0: [Int: Int] = [:]
        for step in hnsw.level0.steps {
            for event in step.neighbors where event.distance != nil && event.id != hnsw.level0.entry && level0[event.id] == nil {
                level0[event.id] = step.node
            }
        }
        parents[0] = level0
        return parents
    }

    /// "2 not reached (3–5 hops), 1 unreachable": the misses by reason, most common first.
    static func missSummary(_ misses: [Miss]) -> String {
        var byReason: [Miss.Reason: [Miss]] = [:]
        for miss in misses { byReason[miss.reason, default: []].append(miss) }
        return byReason.sorted { $0.value.count != $1.value.count ? $0.value.count > $1.value.count : $0.key.rawValue < $1.key.rawValue }
            .map { reason, group in
                var part = "\(group.count) \(reasonText(reason))"
                let hops = group.compactMap(\.hops)
                if let low = hops.min(), let high = hops.max() {
                    part += low == high ? " (\(low) hop\(low == 1 ? "" : "s") away)" : " (\(low)–\(high) hops away)"
                }
                return part
            }
            .joined(separator: ", ")
    }

    static func reasonText(_ reason: Miss.Reason) -> String {
        switch reason {
        case .notReached: return "not reached"
        case .notKept: return "scored but not kept"
        case .deletedPath: return "behind deleted nodes"
        case .unreachable: return "unreachable from the layer-0 entry"
        case .refineShortlist: return "not in the refine shortlist"
        case .unprobedList: return "in unprobed lists"
        case .quantization, .transform, .tie: return reason.rawValue
        }
    }
}
