import FederIndex
import FederLayout
import FederSearch
import FederTestSupport
import XCTest

/// Views as values: marks stay inside their panel, the marks that carry meaning match the trace, and the same
/// input gives the same scene.
final class ViewLayoutTests: XCTestCase {
    private let theme = Theme.light
    private let measurer = EstimatingTextMeasurer()
    private let panel = Rect(x: 20, y: 30, width: 420, height: 300)

    private func open(_ name: String) throws -> IndexFile {
        try IndexFile.open(path: FixtureManifest.committedDirectory().appendingPathComponent(name).path)
    }

    private func traced(_ index: IndexFile, id: Int64, request: SearchRequest) throws -> (SearchTrace, [Float]) {
        let query = try XCTUnwrap(index.storedVector(label: id))
        var (trace, _) = try Searcher.trace(index, query: query, request: request)
        try Measures.measure(&trace, index: index, query: query)
        return (trace, query)
    }

    /// Every point a mark is anchored at, through groups.
    private func anchors(_ marks: [Mark]) -> [Point] {
        marks.flatMap { mark -> [Point] in
            switch mark {
            case .rect(let rect, _, _, _): return [Point(rect.minX, rect.minY), Point(rect.maxX, rect.maxY)]
            case .circle(let center, _, _, _): return [center]
            case .polygon(let points, _, _), .polyline(let points, _): return points
            case .arrow(let from, let to, _, _): return [from, to]
            case .text(let text): return [text.origin]
            case .image(let image): return [Point(image.rect.minX, image.rect.minY), Point(image.rect.maxX, image.rect.maxY)]
            case .group(let inner, _): return anchors(inner)
            case .hit(let hit): return [hit.center]
            }
        }
    }

    private func assertInside(_ marks: [Mark], _ name: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(marks.isEmpty, name, file: file, line: line)
        for point in anchors(marks) {
            XCTAssertTrue(panel.contains(point, tolerance: 0.5), "\(name): \(point) outside \(panel)", file: file, line: line)
        }
    }

    func testIVFViewsStayInsideAndMatchTheTrace() throws {
        let index = try open("ivf_flat_l2_full.faiss")
        guard case .faiss(.ivf(let ivf)) = index, let centroids = ivf.centroids else { return XCTFail("not IVF") }
        let (trace, query) = try traced(index, id: 11, request: SearchRequest(k: 5, nprobe: 4))
        let map = ClusterMap.build(centroids: centroids, sizes: ivf.invertedLists.sizes)
        XCTAssertEqual(map.cells.count, ivf.nlist)
        let input = IVFViews.Input(index: ivf, map: map, trace: trace, query: query, media: nil, seed: 3)

        let coarse = IVFViews.coarse(input, in: panel, theme: theme, measurer: measurer)
        assertInside(coarse, "coarse")
        // One numbered accent badge per probed list.
        let badges = coarse.filter {
            if case .circle(_, let radius, let fill, _) = $0 { return fill == theme.accent && radius == 5.5 } else { return false }
        }
        XCTAssertEqual(badges.count, trace.ivf?.probes.count)
        let badgeNumbers = coarse.compactMap { mark -> Int? in
            if case .text(let text) = mark, text.color == Color(hex: 0xFFFFFF) { return Int(text.text) }
            return nil
        }
        XCTAssertEqual(badgeNumbers.sorted(), Array(1...4))

        let polar = IVFViews.finePolar(input, in: panel, theme: theme, measurer: measurer)
        assertInside(polar, "polar")
        // Every result found among the scanned vectors gets a numbered result badge.
        let resultBadges = polar.filter {
            if case .circle(_, let radius, let fill, _) = $0 { return fill == theme.result && radius == 5 } else { return false }
        }
        XCTAssertEqual(resultBadges.count, trace.results.filter { $0.id >= 0 }.count)
        // Scored dots + result dots = scanned vectors.
        let dots = polar.filter { if case .circle(_, let radius, _, _) = $0 { return radius < 3 || radius == 3.5 } else { return false } }
        XCTAssertEqual(dots.count, trace.ivf?.scanned.count)

        assertInside(IVFViews.overview(input, in: panel, theme: theme, measurer: measurer), "overview")
        assertInside(IVFViews.fineProjection(input, in: panel, theme: theme, measurer: measurer), "projection")

        // Seeded: identical twice, different jitter with another seed.
        XCTAssertEqual(polar, IVFViews.finePolar(input, in: panel, theme: theme, measurer: measurer))
        var reseeded = input
        reseeded.seed = 4
        XCTAssertNotEqual(polar, IVFViews.finePolar(reseeded, in: panel, theme: theme, measurer: measurer))
    }

    func testClusterMapCellsTileTheSquareWithAreaFollowingSize() throws {
        let index = try open("ivf_flat_l2_full_empty_lists.faiss")
        guard case .faiss(.ivf(let ivf)) = index, let centroids = ivf.centroids else { return XCTFail("not IVF") }
        let sizes = ivf.invertedLists.sizes
        let map = ClusterMap.build(centroids: centroids, sizes: sizes)
        let areas = map.cells.map(PowerDiagram.polygonArea)
        // The power diagram tiles the square; cells at the map's edge are cut back towards their circle, so the
        // cells cover most of it and never more.
        XCTAssertLessThanOrEqual(areas.reduce(0, +), 1 + 1e-6)
        XCTAssertGreaterThan(areas.reduce(0, +), 0.8)
        XCTAssertTrue(map.hasCells)
        XCTAssertTrue(sizes.contains(0), "the fixture has empty lists")
        // Larger lists get larger cells on average: the biggest list's cell beats every empty list's.
        let largest = try XCTUnwrap(sizes.indices.max { sizes[$0] < sizes[$1] })
        for list in sizes.indices where sizes[list] == 0 { XCTAssertGreaterThan(areas[largest], areas[list]) }
        XCTAssertEqual(map.cells.count, sizes.count)
        // No cell reaches farther than 2.5 circle radii from its site: an edge cell no longer claims the square's corner.
        let total = Double(max(sizes.reduce(0, +), 1))
        let floorShare = 0.18 * total / Double(sizes.count)
        let weighted = sizes.map { max(Double($0), floorShare) }
        let radii = weighted.map { (0.62 * $0 / (Double.pi * weighted.reduce(0, +))).squareRoot() }
        for (list, cell) in map.cells.enumerated() {
            let site = map.sites[list]
            let farthest =
                cell.map { (point: Point) -> Double in
                    let dx = point.x - site.x
                    let dy = point.y - site.y
                    return (dx * dx + dy * dy).squareRoot()
                }.max() ?? 0
            XCTAssertLessThanOrEqual(farthest, 2.5 * radii[list] * 1.01 + 1e-9, "list \(list)")
        }
    }

    func testMapsOfManyListsArePointsAtTheirCentroids() throws {
        let index = try open("ivf_flat_l2_full_empty_lists.faiss")
        guard case .faiss(.ivf(let ivf)) = index, let centroids = ivf.centroids else { return XCTFail("not IVF") }
        // The same centroids, their sizes repeated past the cell limit: no cells, one site per list, inside the square.
        let rows = (0..<(ClusterMap.cellLimit + 1)).flatMap { centroids.row($0 % centroids.count) }
        let many = VectorTable(name: "many", rows: rows, dim: centroids.dim)
        let sizes = (0..<many.count).map { ivf.invertedLists.sizes[$0 % ivf.invertedLists.sizes.count] }
        let map = ClusterMap.build(centroids: many, sizes: sizes)
        XCTAssertFalse(map.hasCells)
        XCTAssertEqual(map.sites.count, sizes.count)
        XCTAssertTrue(map.cells.allSatisfy(\.isEmpty))
        XCTAssertTrue(map.sites.allSatisfy { (0...1).contains($0.x) && (0...1).contains($0.y) })
    }

    func testHNSWSearchViewMatchesTheTrace() throws {
        for name in ["hnsw_flat_l2.faiss", "hnswlib_l2.hnsw", "idmap2_hnsw_l2.faiss"] {
            let index = try open(name)
            let graph = try XCTUnwrap(HNSWGraphView.from(index), name)
            let firstLabel = graph.label(0)
            let (trace, query) = try traced(index, id: firstLabel, request: SearchRequest(k: 6, ef: 12))
            let input = HNSWViews.Input(graph: graph, trace: trace, query: query, seed: 1)
            let search = HNSWViews.search(input, in: panel, theme: theme, measurer: measurer)
            assertInside(search, "\(name) search")
            let resultBadges = search.filter {
                if case .circle(_, let radius, let fill, _) = $0 { return fill == theme.result && radius == 5 } else { return false }
            }
            XCTAssertEqual(resultBadges.count, trace.results.filter { $0.id >= 0 }.count, name)
            let arrows = search.filter { if case .arrow(_, _, _, let head) = $0 { return head == 6 } else { return false } }
            let moves = trace.hnsw?.upperLevels.reduce(0) { $0 + $1.path.count - 1 } ?? 0
            XCTAssertEqual(arrows.count, moves, "\(name): one arrow per greedy move")
            let overview = HNSWViews.overview(input, in: panel, theme: theme, measurer: measurer)
            assertInside(overview, "\(name) overview")
            let levelPlanes = overview.filter { if case .polygon(let points, _, _) = $0 { return points.count == 4 } else { return false } }
            XCTAssertEqual(levelPlanes.count, graph.maxLevel + 1, "\(name): one plane per level")
            // The search across the stack: a dashed drop from every upper level, every result on layer 0.
            let drops = overview.filter {
                if case .polyline(let points, let stroke) = $0 {
                    return points.count == 2 && !stroke.dash.isEmpty && stroke.color == theme.query
                }
                return false
            }
            XCTAssertEqual(drops.count, trace.hnsw?.upperLevels.count, name)
            let results = overview.filter {
                if case .circle(_, let radius, let fill, _) = $0 { return fill == theme.result && radius == 2.4 } else { return false }
            }
            XCTAssertEqual(results.count, trace.results.filter { $0.internalID >= 0 }.count, name)
            XCTAssertEqual(search, HNSWViews.search(input, in: panel, theme: theme, measurer: measurer))
        }
    }

    func testResultStripShowsEveryResult() throws {
        let index = try open("flat_l2_int.faiss")
        let (trace, _) = try traced(index, id: 3, request: SearchRequest(k: 7))
        // Tiles show something: a text per id here (without media the strip is lines of text, tested below).
        let list = FileManager.default.temporaryDirectory.appendingPathComponent("feder-strip-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: list) }
        try Data((0..<200).map { "item \($0)" }.joined(separator: "\n").utf8).write(to: list)
        let media = try MediaList.load(listPath: list.path, kind: .text, root: nil)
        let marks = ResultStrip.marks(
            title: "Top-7", results: trace.results, exact: trace.measures?.exact, media: media, queryMedia: nil,
            queryLabel: "id 3", in: panel, theme: theme, measurer: measurer)
        assertInside(marks, "strip")
        let captions = marks.compactMap { mark -> String? in
            if case .text(let text) = mark, text.text.hasPrefix("id ") && text.text.contains("\n") { return text.text }
            return nil
        }
        XCTAssertEqual(captions.count, 7)
        XCTAssertEqual(captions.first, "id \(trace.results[0].id)\n\(ViewKit.format(Double(trace.results[0].distance)))")
    }

    /// Too short for tiles, or with nothing to show in them (no media: no empty white tiles), the strip is lines of
    /// text, one per result in rank order, each a target of its id with its rank and distance (the HTML report's
    /// tooltip and highlight), inside the panel.
    func testCompactResultStripEntriesAreTargets() throws {
        let index = try open("flat_l2_int.faiss")
        let (trace, _) = try traced(index, id: 3, request: SearchRequest(k: 7))
        for height in [62.0, panel.height] {
            let strip = Rect(x: panel.x, y: panel.y, width: panel.width, height: height)
            let marks = ResultStrip.marks(
                title: "Top-7", results: trace.results, exact: trace.measures?.exact, media: nil, queryMedia: nil,
                queryLabel: "id 3", in: strip, theme: theme, measurer: measurer)
            assertInside(marks, "compact strip")
            let targets = marks.compactMap { mark -> HitMark? in if case .hit(let hit) = mark { return hit } else { return nil } }
            XCTAssertEqual(targets.map(\.id), trace.results.map { "id \($0.id)" })
            XCTAssertEqual(targets.map { $0.fields.first?.value }, (1...7).map { "\($0)" })
            for target in targets { XCTAssertTrue(strip.contains(target.center), "\(target.id)") }
            let texts = marks.compactMap { mark -> String? in if case .text(let text) = mark { return text.text } else { return nil } }
            XCTAssertTrue(texts.contains("1. id \(trace.results[0].id) · \(ViewKit.format(Double(trace.results[0].distance)))"), "\(texts)")
        }
    }

    /// The coarse view outlines each unprobed list that holds a missed exact neighbour and writes its coarse rank.
    func testCoarseViewMarksTheListsOfMissedNeighbours() throws {
        let index = try open("ivf_flat_l2_full.faiss")
        guard case .faiss(.ivf(let ivf)) = index, let centroids = ivf.centroids else { return XCTFail("not IVF") }
        var found = false
        for id in Int64(0)..<40 {
            var (trace, query) = try traced(index, id: id, request: SearchRequest(k: 10, nprobe: 1))
            let explained = Explanations.explain(trace, index: index, exact: trace.measures?.exact ?? [], k: 10)
            trace.measures?.misses = explained.misses
            let unprobed = explained.misses.filter { $0.reason == .unprobedList }
            guard !unprobed.isEmpty else { continue }
            found = true
            let map = ClusterMap.build(centroids: centroids, sizes: ivf.invertedLists.sizes)
            let input = IVFViews.Input(index: ivf, map: map, trace: trace, query: query, media: nil, seed: 3)
            let coarse = IVFViews.coarse(input, in: panel, theme: theme, measurer: measurer)
            assertInside(coarse, "coarse")
            let labels = Set(
                coarse.compactMap { mark -> String? in
                    if case .text(let text) = mark, text.color == Color(hex: 0xD55E00) { return text.text }
                    return nil
                })
            XCTAssertEqual(labels, Set(unprobed.compactMap { $0.listRank.map { "rank \($0)" } }), "id \(id)")
            let outlines = coarse.filter {
                if case .polygon(_, nil, let stroke) = $0 { return stroke?.color == Color(hex: 0xD55E00) } else { return false }
            }
            XCTAssertEqual(outlines.count, Set(unprobed.compactMap(\.list)).count, "id \(id)")
            break
        }
        XCTAssertTrue(found, "some query misses a neighbour at nprobe 1")
    }

    /// The HNSW search view rings every missed exact neighbour at its distance on layer 0 with its exact rank, and
    /// says in the subtitle why they were missed.
    func testSearchViewMarksMissedNeighbours() throws {
        let index = try open("hnswlib_l2_labels.hnsw")
        guard let graph = HNSWGraphView.from(index) else { return XCTFail("no graph") }
        var found = false
        for row in 0..<60 {
            guard case .hnswlib(let hnswlib) = index else { return XCTFail("not hnswlib") }
            let label = Int64(bitPattern: hnswlib.label(row))
            var (trace, query) = try traced(index, id: label, request: SearchRequest(k: 10, ef: 10))
            let explained = Explanations.explain(trace, index: index, exact: trace.measures?.exact ?? [], k: 10)
            trace.measures?.misses = explained.misses
            guard !explained.misses.isEmpty else { continue }
            found = true
            XCTAssertTrue(explained.misses.allSatisfy { $0.node != nil })
            let input = HNSWViews.Input(graph: graph, trace: trace, query: query, seed: 3)
            let marks = HNSWViews.search(input, in: panel, theme: theme, measurer: measurer)
            assertInside(marks, "search")
            let alarm = Color(hex: 0xD55E00)
            let rings = marks.filter {
                if case .circle(_, _, nil, let stroke) = $0 {
                    return stroke?.color == alarm && !(stroke?.dash.isEmpty ?? true)
                } else {
                    return false
                }
            }
            XCTAssertEqual(rings.count, explained.misses.count, "label \(label)")
            let ranks = marks.compactMap { mark -> String? in
                if case .text(let text) = mark, text.color == alarm { return text.text }
                return nil
            }
            XCTAssertEqual(ranks.sorted(), explained.misses.map { "#\($0.exactRank)" }.sorted())
            let subtitle = marks.compactMap { mark -> String? in
                if case .text(let text) = mark, text.text.hasPrefix("x = ") { return text.text }
                return nil
            }
            XCTAssertTrue(subtitle.first?.contains("Missed: ") ?? false, "\(subtitle)")
            break
        }
        XCTAssertTrue(found, "some query misses a neighbour at ef 10")
    }

    func testViewSetListsTheViewsOfEachKind() throws {
        for (name, expected) in [
            ("ivf_flat_l2_full.faiss", ["ivf-overview", "ivf-coarse", "ivf-fine-polar", "ivf-fine-projection", "health", "results"]),
            ("hnswlib_cosine.hnsw", ["hnsw-overview", "hnsw-search", "health", "results"]),
            ("flat_l2_float.faiss", ["results"]),
        ] {
            let index = try open(name)
            let (trace, query) = try traced(index, id: 2, request: SearchRequest(k: 5))
            let set = ViewSet(indexName: name, index: index, trace: trace, query: query, queryLabel: "id 2")
            XCTAssertEqual(set.views().map(\.name), expected, name)
            XCTAssertEqual(set.views().map(\.kind.rawValue), expected, name)
        }
    }
    /// The HTML report's targets: in both HNSW views every result is a layer-0 target whose route (the node it was
    /// scored from, then the same node a level up where a level was entered) climbs to the top level's entry point.
    func testHNSWTargetsLeadFromEveryResultToTheEntryPoint() throws {
        for name in ["hnsw_flat_l2.faiss", "hnswlib_l2.hnsw"] {
            let index = try open(name)
            let graph = try XCTUnwrap(HNSWGraphView.from(index), name)
            let (trace, query) = try traced(index, id: graph.label(3), request: SearchRequest(k: 6, ef: 12))
            let hnsw = try XCTUnwrap(trace.hnsw)
            let input = HNSWViews.Input(graph: graph, trace: trace, query: query, seed: 1)
            let entry =
                "id \(Label(bits: trace.nodeLabels?[hnsw.entryPoint] ?? Int64(hnsw.entryPoint), unsigned: trace.labels.isUnsigned))"
            let top = hnsw.upperLevels.map(\.level).max() ?? 0
            for marks in [
                HNSWViews.search(input, in: panel, theme: theme, measurer: measurer),
                HNSWViews.overview(input, in: panel, theme: theme, measurer: measurer),
            ] {
                var targets: [String: HitMark] = [:]
                for case .hit(let hit) in marks {
                    let level = hit.fields.first { $0.name == "level" }?.value ?? "?"
                    targets["\(hit.id)@\(level)"] = hit
                }
                for result in trace.results where result.internalID >= 0 {
                    let id = "id \(Label(bits: result.id, unsigned: trace.labels.isUnsigned))"
                    var key = "\(id)@0"
                    var level = 0
                    var steps = 0
                    while let hit = targets[key], steps < 10_000 {
                        steps += 1
                        if let from = hit.from {
                            key = "\(from)@\(level)"
                        } else if targets["\(hit.id)@\(level + 1)"] != nil {
                            level += 1
                            key = "\(hit.id)@\(level)"
                        } else {
                            break
                        }
                    }
                    XCTAssertEqual(key, "\(entry)@\(top)", "\(name): the route of \(id)")
                }
            }
        }
    }

    /// A shard's own search drawn under the merged answer's ids: every vector target (and the node it came from)
    /// shifted, other targets kept; pictures then found by the shifted id.
    func testShardTargetsTakeTheMergedIDsAndTheirPictures() {
        var node = HitMark(id: "id 3", center: Point(1, 1), radius: 2, fields: [])
        node.from = "id 1"
        let list = HitMark(id: "list 3", center: Point(2, 2), radius: 2, fields: [])
        let marks: [Mark] = [.hit(node), .group([.hit(list)], clip: nil)]
        let shifted = ViewKit.offsettingIDs(marks, by: 100, unsigned: false)
        guard case .hit(let moved) = shifted[0], case .group(let inner, _) = shifted[1], case .hit(let kept) = inner[0] else {
            return XCTFail("\(shifted)")
        }
        XCTAssertEqual(moved.id, "id 103")
        XCTAssertEqual(moved.from, "id 101")
        XCTAssertEqual(kept.id, "list 3")
        // hnswlib's labels are unsigned: the shift wraps as its 64-bit labels do.
        let wrapped = ViewKit.offsettingIDs(
            [.hit(HitMark(id: "id 18446744073709551615", center: Point(0, 0), radius: 1, fields: []))], by: 2, unsigned: true)
        if case .hit(let hit) = wrapped[0] { XCTAssertEqual(hit.id, "id 1") } else { XCTFail() }
        let media = MediaList(kind: .image, entries: [103: "/pictures/103.png"])
        guard case .hit(let pictured) = ViewKit.withMedia(shifted, media)[0] else { return XCTFail() }
        XCTAssertEqual(pictured.image, "/pictures/103.png")
        let text = MediaList(kind: .text, entries: [103: "a red bicycle"])
        guard case .hit(let described) = ViewKit.withMedia(shifted, text)[0] else { return XCTFail() }
        XCTAssertEqual(described.fields.last, HitMark.Field("text", "a red bicycle"))
    }

    /// The quantization view's true distances are faiss's kernel's, one point a scored vector, first score kept.
    func testCodeApproximationPairsEachScoredVectorWithItsTrueDistance() throws {
        let manifest = try FixtureManifest.load(committed: true)
        let index = try IndexFile.open(path: manifest.directory.appendingPathComponent("ivf_pq_rflat_l2.faiss").path)
        let queries = try VectorFile.read(path: manifest.directory.appendingPathComponent("ivf_pq_rflat_l2.queries.npy").path)
        guard case .faiss(let faiss) = index else { return XCTFail("not faiss") }
        let base = try XCTUnwrap(ViewSet.refineFlatVectors(in: faiss))
        let query = queries.row(0)
        let (trace, _) = try Searcher.trace(index, query: query, request: SearchRequest(k: 5, nprobe: 4))
        let approximation = try CodeApproximation(trace: trace, query: query, base: base, metric: .l2)
        let scanned = try XCTUnwrap(trace.ivf?.scanned)
        XCTAssertEqual(approximation.points.count, Set(scanned.map(\.id)).count)
        XCTAssertGreaterThan(approximation.points.count, 5)
        for point in approximation.points {
            let vector = base.row(point.row)
            let expected = zip(vector, query).reduce(Float(0)) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
            XCTAssertEqual(point.exact, expected, accuracy: 1e-3 * max(1, expected))
            XCTAssertEqual(point.approximate, scanned.first { $0.id == Int64(point.row) }?.distance)
        }
        XCTAssertThrowsError(try CodeApproximation(trace: trace, query: query, base: base, metric: .cosine))
        XCTAssertThrowsError(try CodeApproximation(trace: trace, query: Array(query.dropLast()), base: base, metric: .l2))
    }

    /// A legend entry has its mark on the panel: the expanded-node ring is named only when one is drawn (an expanded
    /// node that is a result wears its rank badge instead).
    func testTheExpandedRingIsInTheLegendOnlyWhenDrawn() throws {
        let index = try open("hnswlib_l2.hnsw")
        guard let graph = HNSWGraphView.from(index) else { return XCTFail("no graph") }
        let panel = Rect(x: 0, y: 0, width: 700, height: 480)
        var seen: Set<Bool> = []
        for (id, ef) in [(Int64(9), 10), (9, 40), (3, 10), (17, 10), (4, 64)] {
            let (trace, query) = try traced(index, id: id, request: SearchRequest(k: 10, ef: ef))
            let marks = HNSWViews.search(
                HNSWViews.Input(graph: graph, trace: trace, query: query, seed: 3), in: panel, theme: theme, measurer: measurer)
            // Legend entries are groups of their symbol and words.
            func flat(_ marks: [Mark]) -> [Mark] { marks.flatMap { if case .group(let inner, _) = $0 { flat(inner) } else { [$0] } } }
            let named = flat(marks).contains { if case .text(let text) = $0 { text.text == "expanded (layer 0)" } else { false } }
            // The view's rings: radius 2.6 (5.6 round the entry's dot), no fill, the truth colour (the legend's is 3.2).
            let drawn = marks.contains {
                if case .circle(_, let radius, nil, let stroke) = $0 {
                    [2.6, 5.6].contains(radius) && stroke?.color == theme.truth
                } else {
                    false
                }
            }
            XCTAssertEqual(named, drawn, "id \(id) ef \(ef)")
            seen.insert(drawn)
        }
        XCTAssertTrue(seen.contains(true), "some search draws the ring")
    }

    /// A paired-bar table heads a "change" column only when a row shows one (the misses table's counts by reason show
    /// none, and once left a blank column).
    func testAChangeColumnOnlyWhereARowShowsAChange() {
        func texts(_ rows: [Charts.BarRow]) -> [String] {
            Charts.pairedBars(
                rows, leftName: "left", rightName: "right", in: Rect(x: 0, y: 0, width: 600, height: 200), theme: theme,
                measurer: measurer, leftColor: theme.left, rightColor: theme.right
            ).compactMap { if case .text(let text) = $0 { text.text } else { nil } }
        }
        var counted = Charts.BarRow(label: "list not probed", left: 8, right: 9) { String(Int($0)) }
        counted.showsChange = false
        XCTAssertFalse(texts([counted]).contains("change"))
        let compared = Charts.BarRow(label: "distance computations", left: 100, right: 120)
        XCTAssertTrue(texts([counted, compared]).contains("change"))
        XCTAssertTrue(texts([counted, compared]).contains("+20 %"))
    }
}
