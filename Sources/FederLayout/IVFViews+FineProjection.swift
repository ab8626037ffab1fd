import FederIndex
import FederProjection
import Foundation

extension IVFViews {
    // MARK: fine search, projection

    public static func fineProjection(_ input: Input, in rect: Rect, theme: Theme, measurer: TextMeasurer) -> [Mark] {
        guard let ivf = input.trace.ivf else { return [] }
        let dim = input.index.header.dim
        // Where each scanned entry sits, in scan order (lists in probe order — or, for fast scan, in list-number
        // order —, offsets in list order): its vector, or its code decoded.
        var positions: [(list: Int, offset: Int)] = []
        var offsets: [Int: Int] = [:]
        for entry in ivf.scanned {
            let offset = offsets[entry.list, default: 0]
            offsets[entry.list] = offset + 1
            positions.append((entry.list, offset))
        }
        let entries = ivf.scanned
        let count = entries.count
        // A deterministic sample of at most 2000 scored vectors (every top-k result kept) plus the query.
        let resultIDs = Set(input.trace.results.map(\.id))
        let stride = max(1, count / 2000)
        var chosen: [Int] = []
        for index in 0..<count
        where index % stride == 0 || resultIDs.contains(input.trace.nodeLabels?[Int(entries[index].id)] ?? entries[index].id) {
            chosen.append(index)
        }
        var sample: [Float] = input.query
        for index in chosen {
            sample +=
                input.index.reconstruct(list: positions[index].list, offset: positions[index].offset)
                ?? [Float](repeating: 0, count: dim)
        }
        let table = VectorTable(name: "scored", rows: sample, dim: dim)
        let method = input.projection
        var embedded = method.embed(table, seed: input.seed).map(Point.init)
        let queryPoint = embedded.removeFirst()
        var methodNote = ""
        if method == .pca {
            let pca = PCA.fit((0..<table.count).map { table.row($0) }, components: 2)
            let ratio = pca.explainedVarianceRatio
            methodNote =
                "PCA; PC1 \(String(format: "%.0f", (ratio.first ?? 0) * 100)) % and PC2 \(String(format: "%.0f", (ratio.count > 1 ? ratio[1] : 0) * 100)) % of the variance"
        } else {
            methodNote = method == .umap ? "UMAP (15 neighbours, min_dist 0.1)" : "t-SNE (perplexity 30)"
        }
        let drawnNote = chosen.count < count ? " (\(chosen.count) of \(count) drawn: every \(stride)th and the results)" : ""
        var decoded = ""
        if case .flat = input.index.encoding {} else { decoded = " (decoded from their codes)" }
        let subtitle =
            "\(methodNote) of the \(count) scored vectors\(decoded)\(drawnNote) and the query. Colour = probe rank of the vector's list."
        var (marks, content) = ViewKit.panel(
            title: "IVF fine search — projection", subtitle: subtitle, in: rect, theme: theme, measurer: measurer)
        // A colour per probe rank, as many entries as probed lists have dots here.
        let probeRanks = Dictionary(ivf.probes.map { ($0.list, $0.rank) }, uniquingKeysWith: { first, _ in first })
        let ranksDrawn = Set(chosen.compactMap { probeRanks[entries[$0].list] })
        let ordinals = ["list probed 1st", "2nd", "3rd"]
        let legendItems: [(ViewKit.Symbol, String)] =
            [(.star(theme.query), "query"), (.badge(theme.result), "top-\(input.trace.parameters.k), by rank")]
            + (0..<3).filter { ranksDrawn.contains($0) }.map { rank in
                (.dot(theme.category(rank)), ordinals[rank] + (rank == 2 && ranksDrawn.contains { $0 > 2 } ? " …" : ""))
            }
        let (plotArea, legendMarks) = ViewKit.withLegend(legendItems, in: content, theme: theme, measurer: measurer)
        let plot = Rect(x: plotArea.x + 14, y: plotArea.y, width: plotArea.width - 14, height: plotArea.height - 12)
        var points = embedded
        points.append(queryPoint)
        let xs = points.map(\.x)
        let ys = points.map(\.y)
        let low = Point(xs.min() ?? 0, ys.min() ?? 0)
        let spanX = max((xs.max() ?? 1) - low.x, 1e-9)
        let spanY = max((ys.max() ?? 1) - low.y, 1e-9)
        func place(_ p: Point) -> Point {
            Point(plot.x + 6 + (plot.width - 12) * (p.x - low.x) / spanX, plot.maxY - 6 - (plot.height - 12) * (p.y - low.y) / spanY)
        }
        let axisNames = method == .pca ? ("PC1", "PC2") : ("", "")
        marks.append(.rect(plot, fill: nil, stroke: Stroke(theme.grid, width: 0.6), cornerRadius: 0))
        marks.append(ViewKit.xAxisName(axisNames.0, under: plot, gap: 2, font: theme.smallFont, theme: theme))
        marks.append(
            .text(TextMark(axisNames.1, at: Point(plot.x - 12, plot.y + 14), font: theme.smallFont, color: theme.mutedText, rotation: -90)))
        let rankOf = Dictionary(ivf.probes.map { ($0.list, $0.rank) }, uniquingKeysWith: { first, _ in first })
        let topK = ViewKit.resultRanks(input.trace, by: \.id)
        let alpha = count > 3000 ? 0.35 : 0.7
        let dotRadius = count > 3000 ? 1.0 : 1.8
        var results: [(rank: Int, point: Point)] = []
        var others: [Point] = []
        var hits: [Mark] = []
        for (position, index) in chosen.enumerated() {
            let entry = entries[index]
            let point = place(points[position])
            let label = input.trace.nodeLabels?[Int(entry.id)] ?? entry.id
            hits.append(
                scannedTarget(
                    entry, label: label, probeRank: rankOf[entry.list] ?? 0, rank: topK[label], at: point, radius: max(dotRadius, 2.5),
                    unsigned: input.trace.labels.isUnsigned))
            if let rank = topK[label] {
                results.append((rank, point))
            } else {
                marks.append(
                    .circle(center: point, radius: dotRadius, fill: theme.category(rankOf[entry.list] ?? 0).withAlpha(alpha), stroke: nil))
                others.append(point)
            }
        }
        let queryAt = place(queryPoint)
        let (badges, unlabelled) = ViewKit.rankBadges(
            results, color: theme.result, theme: theme, avoid: [Rect(x: queryAt.x - 6.5, y: queryAt.y - 6.5, width: 13, height: 13)],
            crowd: others, away: queryAt, bounds: plot)
        marks += badges + hits
        marks += ViewKit.crowdedOutNote(unlabelled, at: Point(plot.maxX - 2, plot.y + 2), theme: theme)
        marks.append(
            .polygon(ViewKit.star(center: place(queryPoint), radius: 6.5), fill: theme.query, stroke: Stroke(theme.background, width: 0.8)))
        return marks + legendMarks
    }
}
