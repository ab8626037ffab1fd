import FederIndex
import FederLayout
import FederSearch
import FederTestSupport
import Foundation
import XCTest

@testable import FederReport

/// Pages are composed one way: the heading and facts on top, the content below them, blocks stacked by weight;
/// `view` pages and report pages alike.
final class PageCompositionTests: XCTestCase {
    private let measurer = EstimatingTextMeasurer()

    private func fixture(_ name: String) -> String { FixtureManifest.committedDirectory().appendingPathComponent(name).path }

    private func texts(_ marks: [Mark]) -> [TextMark] {
        marks.flatMap { mark -> [TextMark] in
            switch mark {
            case .text(let text): return [text]
            case .group(let inner, clip: _): return texts(inner)
            default: return []
            }
        }
    }

    func testHeaderLeavesTheContentBelowItsTextAndStackSharesTheHeightByWeight() {
        let composer = PageFrame(theme: .light, size: Size(842, 595), margin: 26, measurer: measurer)
        let facts = String(repeating: "a fact that goes on · ", count: 30)
        let (scene, content) = composer.page(title: "T", heading: "Heading", facts: facts)
        let shown = texts(scene.marks)
        XCTAssertEqual(shown.map(\.text), ["Heading", facts])
        XCTAssertEqual(scene.title, "T")
        XCTAssertEqual(scene.size, Size(842, 595))
        // Two lines of facts at most are shown; the content starts under them and ends at the body's bottom.
        let factsTop = shown[1].origin.y
        let twoLines = Theme.light.subtitleFont.size * 1.4 * 2
        XCTAssertGreaterThan(factsTop, shown[0].origin.y)
        XCTAssertEqual(
            content.y, factsTop + min(measurer.measure(facts, font: Theme.light.subtitleFont, width: content.width).height, twoLines) + 8,
            accuracy: 1e-9)
        XCTAssertEqual(content.maxY, composer.body.maxY, accuracy: 1e-9)
        XCTAssertEqual(content.width, 842 - 52, accuracy: 1e-9)

        var rects: [Rect] = []
        let blocks: [(weight: Double, draw: (Rect) -> [Mark])] = [1, 3].map { weight in
            (
                weight,
                { rect in
                    rects.append(rect)
                    return []
                }
            )
        }
        _ = composer.stack(blocks, in: Rect(x: 10, y: 100, width: 300, height: 408), gap: 8)
        XCTAssertEqual(rects.count, 2)
        XCTAssertEqual(rects[0].height, 100, accuracy: 1e-9)  // (408 − 8) · 1/4
        XCTAssertEqual(rects[1].height, 300, accuracy: 1e-9)
        XCTAssertEqual(rects[1].y, rects[0].maxY + 8, accuracy: 1e-9)
        XCTAssertEqual(rects[1].maxY, 508, accuracy: 1e-9)
    }

    func testViewPagesHaveAnOverviewThenOnePagePerViewEachWithTheSameFacts() throws {
        for (name, views) in [
            ("ivf_flat_l2_full.faiss", ["ivf-overview", "ivf-coarse", "ivf-fine-polar", "ivf-fine-projection", "health"]),
            ("hnswlib_l2.hnsw", ["hnsw-overview", "hnsw-search", "health"]),
            ("flat_l2_float.faiss", []),
        ] {
            let index = try IndexFile.open(path: fixture(name))
            let query = try XCTUnwrap(index.storedVector(label: 2))
            var (trace, _) = try Searcher.trace(index, query: query, request: SearchRequest(k: 5))
            try Measures.measure(&trace, index: index, query: query)
            let set = ViewSet(indexName: name, index: index, trace: trace, query: query, queryLabel: "id 2")
            let pages = ViewPages(views: set, measurer: measurer)
            let scenes = pages.pages()
            XCTAssertEqual(scenes.map(\.title), ["Overview"] + views, name)
            XCTAssertTrue(scenes.allSatisfy { $0.size == Size(842, 595) }, name)
            for (scene, page) in zip(scenes, ["overview"] + views) {
                let shown = texts(scene.marks)
                XCTAssertEqual(shown.first?.text, "\(name) — \(page)", name)
                let facts = try XCTUnwrap(shown.dropFirst().first?.text)
                XCTAssertTrue(facts.contains("query id 2 · k 5"), facts)
                XCTAssertTrue(facts.contains("\(trace.counts.distanceComputations) distance computations"), facts)
                XCTAssertTrue(facts.hasPrefix("\(trace.kind) · \(trace.metric) · \(index.count) × \(index.dim)"), facts)
            }
            // The single page holds every view but the result strip in two columns, and the strip below (lines of text
            // without media: 70 points, not 150).
            let single = pages.singlePage(width: 900)
            let rows = Double((views.count + 1) / 2)
            let panelWidth: Double = views.count > 1 ? (900.0 - 40 - 12) / 2 : 900.0 - 40
            let rowHeight: Double = panelWidth * 0.72 + 12
            let expected: Double = 40 + 58 + rows * rowHeight + 70
            XCTAssertEqual(single.size.height, expected, accuracy: 1e-9, name)
        }
    }

    func testReportPagesFollowTheTemplateAndStackTheBlocksOfEachPage() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("feder-pages-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in ["ivf_flat_l2_full.faiss", "hnswlib_l2.hnsw", "ivf_flat_l2_full.queries.npy"] {
            try FileManager.default.copyItem(atPath: fixture(name), toPath: folder.appendingPathComponent(name).path)
        }
        let spec = """
            {"title": "Two comparisons",
             "indexes": {"ivf": {"file": "ivf_flat_l2_full.faiss"}, "h": {"file": "hnswlib_l2.hnsw", "space": "l2"}},
             "queries": {"q": {"id": 3}, "set": {"vector": "ivf_flat_l2_full.queries.npy"}},
             "params": {"k": 5},
             "comparisons": [
               {"title": "one query", "left": {"index": "ivf", "query": "q", "params": {"nprobe": 1}},
                "right": {"index": "ivf", "query": "q", "params": {"nprobe": 4}}},
               {"title": "a set and a sweep", "left": {"index": "ivf", "query": "set"}, "right": {"index": "h", "query": "set"},
                "sweep": {"nprobe": [1, 2]}}]}
            """
        let file = folder.appendingPathComponent("spec.json")
        try Data(spec.utf8).write(to: file)
        let job = try JobSpecParser.parse(file: file.path)
        let (runs, result) = try JobRunner(spec: job).run()
        let composer = ReportComposer(spec: job, template: .compare, runs: runs, result: result, measurer: measurer)
        let pages = composer.pages()
        // compare: summary, the indexes' health; per comparison [views], [table, results], [distributions, sweep, misses] — the first
        // comparison (one query, no sweep) has no third page; neither side keeps codes, so no quantization page.
        XCTAssertEqual(pages.map(\.title), ["Summary", "Index health", "1. one query", "", "2. a set and a sweep", "", ""])
        XCTAssertEqual(texts(pages[0].marks).first?.text, "Two comparisons")
        XCTAssertTrue(texts(pages[0].marks).contains { $0.text == "one query" }, "the summary lists each comparison")
        for page in pages.dropFirst(2) {
            let heading = try XCTUnwrap(texts(page.marks).first)
            XCTAssertTrue(heading.text == "1. one query" || heading.text == "2. a set and a sweep", heading.text)
            let facts = try XCTUnwrap(texts(page.marks).dropFirst().first)
            XCTAssertTrue(facts.text.hasPrefix("left: "), facts.text)
            XCTAssertTrue(facts.text.contains("   ·   right: "), facts.text)
        }
        let panels = composer.panels()
        XCTAssertEqual(
            panels.map(\.name),
            [
                "comparison-01-views", "comparison-01-table", "comparison-01-results", "comparison-02-views", "comparison-02-table",
                "comparison-02-results", "comparison-02-distributions", "comparison-02-sweep", "comparison-02-misses",
            ])
    }
}
