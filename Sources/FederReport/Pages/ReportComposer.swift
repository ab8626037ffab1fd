import FederIndex
import FederLayout
import FederSearch
import Foundation

/// Lays out a finished job as pages: a summary, then each comparison's pages as its template says.
public struct ReportComposer {
    public let spec: JobSpec
    public let template: Template
    public let runs: [JobRunner.ComparisonRun]
    public let result: ReportResult
    public let theme: Theme
    public let pageSize: Size
    public let measurer: TextMeasurer
    /// IVF cluster maps, built once per index however many pages and panels draw them.
    let mapCache = ClusterMapCache()

    public init(spec: JobSpec, template: Template, runs: [JobRunner.ComparisonRun], result: ReportResult, measurer: TextMeasurer) {
        self.spec = spec
        self.template = template
        self.runs = runs
        self.result = result
        var theme = spec.theme.theme
        theme.fontScale = template.fontScale
        self.theme = theme
        let page = spec.pageIsExplicit ? spec.page : (JobSpec.PageSize(rawValue: template.page) ?? spec.page)
        pageSize = page.size
        self.measurer = measurer
    }

    var composer: PageFrame { PageFrame(theme: theme, size: pageSize, margin: 26, measurer: measurer) }
    var body: Rect { composer.body }

    /// Every page, in order.
    public func pages() -> [Scene] {
        var scenes: [Scene] = []
        if template.summary {
            scenes.append(summaryPage())
            scenes += healthPages()
        }
        for (position, run) in runs.enumerated() {
            for (page, blocks) in template.comparisonPages.enumerated() {
                let present = blocks.filter { has($0, run) }
                guard !present.isEmpty else { continue }
                scenes.append(comparisonPage(run, number: position + 1, page: page, blocks: present))
            }
        }
        return scenes
    }

    /// Each block of each comparison as a scene of its own (for `--panels DIR`), named for its file.
    public func panels(width: Double = 900) -> [(name: String, scene: Scene)] {
        var out: [(String, Scene)] = []
        for (position, run) in runs.enumerated() {
            for block in Template.Block.allCases where has(block, run) {
                let height = width * (block == .views ? 0.62 : block == .results ? 0.42 : 0.4)
                var scene = Scene(size: Size(width, height), background: theme.background, title: "\(run.spec.title) — \(block.rawValue)")
                scene.marks = draw(block, run, in: Rect(x: 12, y: 12, width: width - 24, height: height - 24))
                out.append((String(format: "comparison-%02d-%@", position + 1, block.rawValue), scene))
            }
        }
        return out
    }

    func has(_ block: Template.Block, _ run: JobRunner.ComparisonRun) -> Bool {
        switch block {
        case .views, .table, .results: return true
        case .distributions: return run.left.result.queryCount > 1 || run.right.result.queryCount > 1
        case .sweep: return run.result.sweep != nil
        case .quantization: return quantizationInput(run.left) != nil || quantizationInput(run.right) != nil
        case .misses:
            // Query sets only: a single query's misses are said beneath its result strip.
            let sides = [run.result.left, run.result.right]
            return sides.contains { $0.queryCount > 1 }
                && sides.contains { side in
                    side.queries.contains { !($0.misses ?? []).isEmpty || $0.needed?.nprobe != nil || $0.needed?.ef != nil }
                }
        }
    }

    /// What the quantization view of a side draws from: its trace when the index keeps codes, and the true vectors
    /// (those its index entry names, or a refine index's flat vectors).
    /// A side whose true distances cannot be taken (a metric faiss's float kernels do not cover) gets the reason.
    func quantizationInput(_ side: JobRunner.SideRun) -> Result<QuantizationViews.Input, Error>? {
        guard side.firstTrace.codes != nil, side.shards == nil else { return nil }
        var truth = side.base?.table
        if truth == nil, case .faiss(let faiss) = side.index { truth = ViewSet.refineFlatVectors(in: faiss) }
        guard let truth, truth.dim == side.firstQuery.count else { return nil }
        return Result {
            let approximation = try CodeApproximation(
                trace: side.firstTrace, query: side.firstQuery, base: truth, metric: side.index.metric)
            return QuantizationViews.Input(
                trace: side.firstTrace, approximation: approximation, rows: truth.count, baseLabels: side.base?.labels,
                seed: spec.seed)
        }
    }

    /// Each side's quantization scatter (and its refine step, when it has one) side by side. Both scatters have one
    /// size: when one side has a refine step under its scatter, the other side's scatter takes the same height and a
    /// product quantizer's codebook use goes under it. A side with nothing to draw gets a note only as tall as its text.
    func quantization(_ run: JobRunner.ComparisonRun, in rect: Rect) -> [Mark] {
        let gap = 10.0
        // A side with nothing to draw (float vectors, or codes without their truth) keeps a narrow column for its note.
        let made = [run.left, run.right].map { quantizationInput($0) }
        let drawn = made.map { if case .success = $0 { true } else { false } }
        let leftShare = drawn[0] == drawn[1] ? 0.5 : drawn[0] ? 0.72 : 0.28
        let widths = [(rect.width - gap) * leftShare, (rect.width - gap) * (1 - leftShare)]
        let refined = zip([run.left, run.right], drawn).contains { side, drawn in drawn && side.firstTrace.refine != nil }
        var marks: [Mark] = []
        for (column, side) in [run.left, run.right].enumerated() {
            let columnRect = Rect(
                x: rect.x + (column == 0 ? 0 : widths[0] + gap), y: rect.y, width: widths[column], height: rect.height)
            let (chip, area) = ReportBlocks.sideColumn(column, in: columnRect, theme: theme)
            func note(_ title: String, _ text: String) -> [Mark] {
                let height = ViewKit.notePanelHeight(title: title, subtitle: text, width: area.width, theme: theme, measurer: measurer)
                let box = Rect(x: area.x, y: area.y, width: area.width, height: min(height, area.height))
                return ReportBlocks.sideColumn(
                    column, in: Rect(x: columnRect.x, y: box.y, width: columnRect.width, height: box.height), theme: theme
                )
                .marks + ViewKit.panel(title: title, subtitle: text, in: box, theme: theme, measurer: measurer).marks
            }
            switch made[column] {
            case .failure(let error):
                marks += note(
                    "\(side.indexName) — quantization",
                    "Cannot compare \(side.indexName)'s code distances with the true ones: \(error.localizedDescription)")
                continue
            case .none:
                marks += note(
                    "\(side.indexName) — no quantization",
                    side.firstTrace.codes == nil
                        ? "\(side.indexName) keeps the vectors themselves: its distances are exact."
                        : "\(side.indexName) keeps only codes; name the vectors that were added (\"vectors\" on its index entry) "
                            + "to compare its approximate distances with the true ones.")
                continue
            case .success(let input):
                marks += chip
                guard refined else {
                    marks += ViewKit.withMedia(QuantizationViews.scatter(input, in: area, theme: theme, measurer: measurer), side.media)
                    continue
                }
                let (top, bottom) = area.sliceTop(area.height * 0.58)
                let scatter = QuantizationViews.scatter(
                    input, in: Rect(x: top.x, y: top.y, width: top.width, height: top.height - 5), theme: theme, measurer: measurer)
                let below = Rect(x: bottom.x, y: bottom.y + 3, width: bottom.width, height: bottom.height - 3)
                var under: [Mark] = []
                if side.firstTrace.refine != nil {
                    under = QuantizationViews.refine(
                        side.firstTrace, exactRows: side.firstTrace.measures?.exact.map(\.id), unsignedLabels: false,
                        in: below, theme: theme, measurer: measurer)
                } else if case .faiss(let faiss) = side.index, ViewSet.hasProductQuantizer(faiss), let use = PQCodebookUse.count(faiss) {
                    under = QuantizationViews.codebooks(
                        counts: use.counts, codes: use.codes, summary: use.pq.summary, in: below, theme: theme, measurer: measurer)
                }
                marks += ViewKit.withMedia(scatter + under, side.media)
            }
        }
        return marks
    }

    // MARK: health

    /// Every index's health, four to a page: its key numbers and a histogram (IVF list sizes, HNSW in-degrees).
    func healthPages() -> [Scene] {
        let entries = result.health ?? []
        return stride(from: 0, to: entries.count, by: 4).map { start in
            let chunk = Array(entries[start..<min(start + 4, entries.count)])
            let facts =
                "Before any query: how evenly each IVF index fills its lists, and which HNSW nodes no search can reach "
                + "(no layer-0 path from the entry point leads to them)."
            var (scene, content) = composer.page(
                title: start == 0 ? "Index health" : "", heading: "Index health", facts: facts)
            let gap = 10.0
            let columns = chunk.count == 1 ? 1 : 2
            let rows = (chunk.count + columns - 1) / columns
            let width = (content.width - gap * Double(columns - 1)) / Double(columns)
            let height = min(content.height, (content.height - gap * Double(rows - 1)) / Double(max(rows, 1)))
            for (position, entry) in chunk.enumerated() {
                let cell = Rect(
                    x: content.x + Double(position % columns) * (width + gap), y: content.y + Double(position / columns) * (height + gap),
                    width: width, height: height)
                scene.marks += ReportBlocks.healthPanel(
                    index: entry.index, file: entry.file, health: entry.health, in: cell, theme: theme, measurer: measurer)
            }
            return scene
        }
    }

    // MARK: summary

    func summaryPage() -> Scene {
        let indexes = spec.indexNames.compactMap { name in spec.indexes[name].map { "\(name) (\(($0.file as NSString).lastPathComponent))" }
        }
        let subtitle = "\(runs.count) comparison\(runs.count == 1 ? "" : "s") · indexes: \(indexes.joined(separator: ", "))"
        var (scene, content) = composer.page(title: "Summary", heading: spec.title, facts: subtitle, headingLines: 2)
        let area = Rect(x: content.x, y: body.y, width: content.width, height: body.height)
        let rows = runs.map { run in
            let (left, right) = (run.result.left, run.result.right)
            return ReportBlocks.SummaryRow(
                title: run.spec.title, sides: "\(left.index) · \(left.query)\n→ \(right.index) · \(right.query)",
                visited: (left.aggregates[.visited]?.mean ?? 0, right.aggregates[.visited]?.mean ?? 0),
                distanceComputations: (
                    left.aggregates[.distanceComputations]?.mean ?? 0, right.aggregates[.distanceComputations]?.mean ?? 0
                ),
                recall: (left.aggregates[.recall]?.mean, right.aggregates[.recall]?.mean), overlap: run.result.overlapText,
                meanOver: left.queryCount > 1 || right.queryCount > 1 ? max(left.queryCount, right.queryCount) : nil)
        }
        scene.marks += ReportBlocks.summaryTable(rows, in: area, top: content.y + 6, theme: theme, measurer: measurer)
        return scene
    }

    // MARK: comparison pages

    func comparisonPage(_ run: JobRunner.ComparisonRun, number: Int, page: Int, blocks: [Template.Block]) -> Scene {
        let sides = "left: \(describe(run.left))   ·   right: \(describe(run.right))"
        var (scene, content) = composer.page(
            title: page == 0 ? "\(number). \(run.spec.title)" : "", heading: "\(number). \(run.spec.title)", facts: sides)
        let weights: [Template.Block: Double] = [
            .views: 3, .table: 1.7, .results: 1.4, .distributions: 1.5, .sweep: 1.7, .quantization: 3, .misses: 1.5,
        ]
        scene.marks += composer.stack(blocks.map { block in (weights[block] ?? 1, { self.draw(block, run, in: $0) }) }, in: content)
        return scene
    }

    /// How legends name the two sides: the index names, and when both are one index, what differs between them
    /// (query set, k, nprobe, ef) — "ivf · nprobe 16" and "ivf · nprobe 64" rather than "ivf" twice.
    func names(_ run: JobRunner.ComparisonRun) -> (left: String, right: String) {
        let (left, right) = (run.result.left, run.result.right)
        guard left.index == right.index else { return (left.index, right.index) }
        var differences: [(String, String)] = []
        if left.query != right.query { differences.append((left.query, right.query)) }
        func compare(_ name: String, _ a: Int?, _ b: Int?) {
            if a != b { differences.append(("\(name) \(a.map(String.init) ?? "–")", "\(name) \(b.map(String.init) ?? "–")")) }
        }
        compare("k", left.parameters.k, right.parameters.k)
        compare("nprobe", left.parameters.nprobe, right.parameters.nprobe)
        compare("ef", left.parameters.ef, right.parameters.ef)
        guard !differences.isEmpty else { return ("\(left.index) (left)", "\(right.index) (right)") }
        return (
            ([left.index] + differences.map(\.0)).joined(separator: " · "), ([right.index] + differences.map(\.1)).joined(separator: " · ")
        )
    }

    /// Whether both sides search the same file (or the same shards), so their distances share a scale.
    func sameFiles(_ run: JobRunner.ComparisonRun) -> Bool {
        guard let left = spec.indexes[run.left.spec.index], let right = spec.indexes[run.right.spec.index] else { return false }
        return left.file == right.file && left.shards == right.shards
    }

    func describe(_ side: JobRunner.SideRun) -> String {
        let result = side.result
        var text = "\(result.index) · \(result.kind) · \(result.metric) · query \(result.query)"
        if let shards = result.shards { text += " · \(shards.count) shards merged" }
        if result.queryCount > 1 { text += " (\(result.queryCount) queries)" }
        text += " · k \(result.parameters.k)"
        if let nprobe = result.parameters.nprobe { text += " · nprobe \(nprobe)" }
        if let ef = result.parameters.ef { text += " · ef \(ef)" }
        if let truth = result.groundTruth { text += " · recall against \((truth as NSString).lastPathComponent), as given" }
        return text
    }

    func draw(_ block: Template.Block, _ run: JobRunner.ComparisonRun, in rect: Rect) -> [Mark] {
        switch block {
        case .views: return views(run, in: rect)
        case .table: return table(run, in: rect)
        case .results: return results(run, in: rect)
        case .distributions: return distributions(run, in: rect)
        case .sweep: return sweep(run, in: rect)
        case .quantization: return quantization(run, in: rect)
        case .misses: return misses(run, in: rect)
        }
    }

    /// Both sides' main views side by side; one distance axis when both search the same index.
    func views(_ run: JobRunner.ComparisonRun, in page: Rect) -> [Mark] {
        let gap = 10.0
        let width = (page.width - gap) / 2
        let sameIndex = sameFiles(run)
        // Two indexes: a line under the panels says their scales differ.
        let noteHeight = sameIndex ? 0 : theme.smallFont.size * 1.6
        let rect = Rect(x: page.x, y: page.y, width: page.width, height: page.height - noteHeight)
        let drawnLeft = drawn(run.left)
        let drawnRight = drawn(run.right)
        var axis: ClosedRange<Double>?
        var knee: Double?
        var start: Double?
        if sameIndex {
            let ranges = [drawnLeft, drawnRight].compactMap { range(of: $0) }
            if let low = ranges.map(\.lowerBound).min(), let high = ranges.map(\.upperBound).max() { axis = low...high }
            // Both HNSW sides turn logarithmic at one distance, the larger of their own knees.
            if let axis {
                let inputs = [drawnLeft, drawnRight].compactMap { hnswInput($0) }
                start = inputs.map { $0.start(in: axis) }.min()
                knee = inputs.compactMap { input in
                    var shared = input
                    shared.start = start
                    return shared.knee(in: axis)
                }.max()
            }
        }
        var marks: [Mark] = []
        for (column, side) in [run.left, run.right].enumerated() {
            let columnRect = Rect(x: rect.x + Double(column) * (width + gap), y: rect.y, width: width, height: rect.height)
            let (chip, inside) = ReportBlocks.sideColumn(column, in: columnRect, theme: theme)
            marks += chip
            var viewRect = inside
            if side.shards != nil {
                let (table, rest) = viewRect.sliceTop(shardsPanelHeight(side))
                marks += shardsPanel(side, in: table)
                viewRect = Rect(x: rest.x, y: rest.y + 5, width: rest.width, height: rest.height - 5)
            }
            var sideMarks = sideViews(drawn(side), in: viewRect, axis: axis, knee: knee, start: start)
            // A shard's own search, its targets named as the merged answer names its vectors.
            if let shards = side.shards {
                sideMarks = ViewKit.offsettingIDs(
                    sideMarks, by: shards.set.translations[shards.shown], unsigned: side.firstTrace.labels.isUnsigned)
            }
            // Lists of two different indexes are not the same lists, whatever their numbers.
            if !sameIndex { sideMarks = ViewKit.qualifyingLists(sideMarks, index: side.indexName) }
            marks += ViewKit.withMedia(sideMarks, side.media)
        }
        if !sameIndex { marks.append(ReportBlocks.ownScalesNote(in: page, theme: theme)) }
        return marks
    }

    /// The HNSW search view's input for a side that searched a graph.
    func hnswInput(_ side: JobRunner.SideRun) -> HNSWViews.Input? {
        guard side.firstTrace.hnsw != nil, let graph = HNSWGraphView.from(side.index) else { return nil }
        return HNSWViews.Input(graph: graph, trace: side.firstTrace, query: side.searchedQuery, seed: spec.seed)
    }

    func range(of side: JobRunner.SideRun) -> ClosedRange<Double>? {
        let trace = side.firstTrace
        if let input = hnswInput(side) { return input.distanceRange }
        let values = (trace.ivf?.scanned ?? []).map { Double($0.distance) }
        guard let low = values.min(), let high = values.max() else { return nil }
        return low...high
    }

    func sideViews(
        _ side: JobRunner.SideRun, in rect: Rect, axis: ClosedRange<Double>?, knee: Double? = nil, start: Double? = nil
    ) -> [Mark] {
        let trace = side.firstTrace
        if var input = hnswInput(side) {
            input.axis = axis
            input.knee = knee
            input.start = start
            return HNSWViews.search(input, in: rect, theme: theme, measurer: measurer)
        }
        let method = spec.projection
        if let ivf = ViewSet.partition(of: side.index), trace.ivf != nil,
            let map = mapCache.map(for: ivf, projection: method, seed: spec.seed)
        {
            var input = IVFViews.Input(index: ivf, map: map, trace: trace, query: side.searchedQuery, media: side.media, seed: spec.seed)
            input.projection = method
            input.axis = axis
            let (top, bottom) = rect.sliceTop(rect.height * 0.46)
            return IVFViews.coarse(
                input, in: Rect(x: top.x, y: top.y, width: top.width, height: top.height - 5), theme: theme, measurer: measurer)
                + IVFViews.finePolar(
                    input, in: Rect(x: bottom.x, y: bottom.y + 3, width: bottom.width, height: bottom.height - 3), theme: theme,
                    measurer: measurer)
        }
        let note = "\(side.result.kind): an exact scan of all \(side.index.count) vectors — no search structure to draw."
        let (marks, _) = ViewKit.panel(
            title: "\(side.indexName) — exact search", subtitle: note, in: rect, theme: theme, measurer: measurer)
        return marks
    }

    /// The paired-bar table of the measures that compare.
    func table(_ run: JobRunner.ComparisonRun, in rect: Rect) -> [Mark] {
        let left = run.result.left
        let right = run.result.right
        let set = left.queryCount > 1 || right.queryCount > 1
        // A query set's spread: the bad tail — the lowest recall, the highest cost.
        func note(_ side: SideResult, _ key: Measure) -> String? {
            guard side.queryCount > 1, let distribution = side.aggregates[key] else { return nil }
            if key == .recall { return "p50 \(ViewKit.format(distribution.p50)) · min \(ViewKit.format(distribution.min))" }
            return "p50 \(ViewKit.format(distribution.p50)) · p95 \(ViewKit.format(distribution.p95))"
        }
        func row(
            _ label: String, _ key: Measure, higherIsBetter: Bool = false,
            format: @escaping @Sendable (Double) -> String = { ViewKit.format($0) }
        ) -> Charts.BarRow {
            Charts.BarRow(
                label: label, left: left.aggregates[key]?.mean, right: right.aggregates[key]?.mean, higherIsBetter: higherIsBetter,
                leftNote: note(left, key), rightNote: note(right, key), format: format)
        }
        // A single query's counts are whole numbers; a query set's are means.
        let count: @Sendable (Double) -> String = ReportBlocks.countFormat(mean: set)
        var rows: [Charts.BarRow] = [
            row("distance computations", .distanceComputations, format: count),
            row("vectors visited", .visited, format: count),
            row("recall@\(left.parameters.k)", .recall, higherIsBetter: true) { String(format: "%.2f", $0) },
            row("rank of the true nearest", .rankOfTrueNearest) { set ? String(format: "%.1f", $0) : String(Int($0)) },
        ]
        if left.aggregates[.scanned] != nil || right.aggregates[.scanned] != nil {
            rows.append(row("IVF vectors scanned", .scanned, format: count))
        }
        if left.aggregates[.hops] != nil || right.aggregates[.hops] != nil { rows.append(row("HNSW hops", .hops, format: count)) }
        let sameIndex = sameFiles(run)
        if let leftLists = left.first.probedLists, let rightLists = right.first.probedLists {
            var probedRow = Charts.BarRow(
                label: "lists probed (first query)", left: Double(leftLists.count), right: Double(rightLists.count)
            ) { String(Int($0)) }
            probedRow.neutral = true
            rows.append(probedRow)
            // List numbers name the same lists only within one index.
            if sameIndex, let both = run.result.probedBoth {
                var row = Charts.BarRow(label: "lists probed by both", left: Double(both), right: Double(both)) { String(Int($0)) }
                row.shared = true
                rows.append(row)
            }
        }
        if left.first.pathLengths != nil || right.first.pathLengths != nil {
            // Per upper level, top first: nodes on the greedy path and the best distance reached there.
            let leftLevels = left.first.pathLengths ?? []
            let rightLevels = right.first.pathLengths ?? []
            let levels = max(leftLevels.count, rightLevels.count)
            for offset in 0..<levels {
                func value(_ lengths: [Int], _ distances: [Float]?, _ side: Int) -> (Double?, Double?) {
                    // Levels are listed top first; align both sides on level numbers (L(levels - offset)).
                    let index = offset - (levels - lengths.count)
                    guard index >= 0, index < lengths.count else { return (nil, nil) }
                    return (Double(lengths[index]), distances.flatMap { index < $0.count ? Double($0[index]) : nil })
                }
                let l = value(leftLevels, left.first.levelMinDistances, 0)
                let r = value(rightLevels, right.first.levelMinDistances, 1)
                var pathRow = Charts.BarRow(label: "level \(levels - offset) path nodes (first query)", left: l.0, right: r.0) {
                    String(Int($0))
                }
                pathRow.neutral = true
                rows.append(pathRow)
                // Distances of two indexes over different vectors (raw, normalised) share no scale: values only.
                var distanceRow = Charts.BarRow(label: "level \(levels - offset) best distance (first query)", left: l.1, right: r.1)
                distanceRow.showsChange = sameIndex
                distanceRow.drawsBars = sameIndex
                distanceRow.neutral = true
                rows.append(distanceRow)
            }
        }
        if let jaccard = run.result.jaccard {
            var row = Charts.BarRow(label: set ? "result overlap (mean Jaccard)" : "results in common", left: jaccard, right: jaccard) {
                String(format: "%.2f", $0)
            }
            row.shared = true
            if !set { row.sharedText = run.result.overlapText }
            rows.append(row)
        }
        return ReportBlocks.workTable(
            rows, querySet: set, leftName: names(run).left, rightName: names(run).right, in: rect, theme: theme, measurer: measurer)
    }

    func results(_ run: JobRunner.ComparisonRun, in rect: Rect) -> [Mark] {
        let (top, bottom) = rect.sliceTop(rect.height / 2)
        var marks: [Mark] = []
        for (side, area, name) in [(run.left, top, "left"), (run.right, bottom, "right")] {
            // Why the strip's exact neighbours are missing, on a line beneath it.
            let misses = ReportBlocks.missNote(side.firstTrace.measures, unsigned: side.firstTrace.labels.isUnsigned)
            // A database scan says first what its executor did (a filter that threw rows away, dead rows).
            let executor = side.firstTrace.executor.map { "Scan: " + $0.sentence + "." }
            let note = [executor, misses].compactMap { $0 }.joined(separator: " ").nilIfEmpty
            marks += ReportBlocks.resultsWithNote(note, in: area, theme: theme, measurer: measurer) { strip in
                ResultStrip.marks(
                    title: "\(name): \(side.indexName) — top-\(side.result.parameters.k) for \(side.result.first.source)",
                    results: side.firstTrace.results, exact: side.firstTrace.measures?.exact, media: side.media,
                    queryMedia: side.queryMedia,
                    queryLabel: side.result.first.source, unsignedLabels: side.firstTrace.labels.isUnsigned, in: strip, theme: theme,
                    measurer: measurer)
            }
        }
        return marks
    }

    func distributions(_ run: JobRunner.ComparisonRun, in rect: Rect) -> [Mark] {
        let (leftHalf, rightHalf) = rect.sliceLeft(rect.width / 2)
        let left = run.result.left.queries
        let right = run.result.right.queries
        return Charts.pairedHistogram(
            title: "Distance computations per query", left: left.map { Double($0.counts.distanceComputations) },
            right: right.map { Double($0.counts.distanceComputations) }, leftName: names(run).left, rightName: names(run).right,
            xLabel: "distance computations", in: Rect(x: leftHalf.x, y: leftHalf.y, width: leftHalf.width - 5, height: leftHalf.height),
            theme: theme, measurer: measurer, leftColor: theme.left, rightColor: theme.right)
            + Charts.pairedHistogram(
                title: "Recall@\(run.result.left.parameters.k) per query", left: left.compactMap(\.recall),
                right: right.compactMap(\.recall),
                leftName: names(run).left, rightName: names(run).right, xLabel: "recall",
                in: Rect(x: rightHalf.x + 5, y: rightHalf.y, width: rightHalf.width - 5, height: rightHalf.height), theme: theme,
                measurer: measurer, leftColor: theme.left, rightColor: theme.right)
    }

    /// Why exact neighbours were missed (bars by reason, both sides) and, for IVF, the cumulative share of queries
    /// each nprobe serves fully.
    func misses(_ run: JobRunner.ComparisonRun, in rect: Rect) -> [Mark] {
        let sideNames = names(run)
        // Each side's parameter: nprobe for IVF, ef for HNSW (the smallest that returns every exact neighbour).
        func side(_ side: SideResult, name: String) -> ReportBlocks.MissSide {
            let nprobes = side.queries.compactMap(\.needed?.nprobe)
            let efs = side.queries.compactMap(\.needed?.ef)
            let needed = !nprobes.isEmpty ? ("nprobe", nprobes.sorted()) : efs.isEmpty ? nil : ("ef", efs.sorted())
            return ReportBlocks.MissSide(
                name: name, reasons: side.missReasons, needed: needed, queries: side.queries.count, queryCount: side.queryCount)
        }
        return ReportBlocks.misses(
            left: side(run.result.left, name: sideNames.left), right: side(run.result.right, name: sideNames.right),
            k: run.result.left.parameters.k, in: rect, theme: theme, measurer: measurer)
    }

    func sweep(_ run: JobRunner.ComparisonRun, in rect: Rect) -> [Mark] {
        guard let sweep = run.result.sweep else { return [] }
        let (leftHalf, rightHalf) = rect.sliceLeft(rect.width / 2)
        let queries = max(run.result.left.queryCount, run.result.right.queryCount)
        let over = queries > 1 ? " (\(queries) queries)" : ""
        // A side without exact truth has no recall line; its name says so in the legend.
        func series(_ value: (SweepPoint) -> Double?) -> [Charts.Series] {
            [(names(run).left, sweep.left, theme.left, false), (names(run).right, sweep.right, theme.right, true)]
                .enumerated().map { position, side in
                    let points = side.1.compactMap { point in value(point).map { (Double(point.value), $0) } }
                    let name = "\(position == 0 ? "left" : "right"): \(side.0)"
                    return Charts.Series(
                        name: points.isEmpty ? name + " (no exact truth)" : name, color: side.2, points: points, dashed: side.3)
                }
        }
        // Points computed from the coarse order rather than searched: say so, they are exact.
        let computed = sweep.fromCoarseOrder ?? []
        let note =
            computed.isEmpty
            ? ""
            : "\(computed.count == 2 ? "Both sides" : computed[0] == "left" ? "Left" : "Right"): every point exact from one coarse "
                + "ranking per query (IVF over float vectors; a search per point would give the same)."
        // Recall from 0 when it drops low; otherwise the axis starts near the lowest point (ticks say where), so
        // points close to 1 do not all sit on the top line.
        let recalls = series { $0.recall }
        let lowest = recalls.flatMap { $0.points.map(\.y) }.min() ?? 0
        let floor = Charts.recallAxisFloor(lowest: lowest)
        let recallRange = floor...(1 + (1 - floor) * 0.05)
        return Charts.lineChart(
            title: "Recall@\(run.result.left.parameters.k) against \(sweep.parameter)\(over)", series: recalls,
            xLabel: sweep.parameter,
            yLabel: "recall", logX: true, yRange: recallRange, subtitle: note,
            in: Rect(x: leftHalf.x, y: leftHalf.y, width: leftHalf.width - 5, height: leftHalf.height),
            theme: theme, measurer: measurer)
            + Charts.lineChart(
                title: "Distance computations against \(sweep.parameter)\(over)", series: series { $0.distanceComputations },
                xLabel: sweep.parameter,
                yLabel: "distance computations", logX: true,
                in: Rect(x: rightHalf.x + 5, y: rightHalf.y, width: rightHalf.width - 5, height: rightHalf.height),
                theme: theme, measurer: measurer)
    }
}

extension String {
    /// nil for the empty string.
    fileprivate var nilIfEmpty: String? { isEmpty ? nil : self }
}
