import FederIndex
import FederTestSupport
import Foundation
import XCTest

final class ReportCommandTests: XCTestCase {
    private var directory: URL!
    private var repository: URL { FixtureManifest.committedDirectory().deletingLastPathComponent().deletingLastPathComponent() }
    private var digits: String { repository.appendingPathComponent("Examples/digits/compare.json").path }

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    private func out(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private func pdftotext(_ path: String) throws -> String? { try pdfText(path, layout: true) }

    /// Under GitHub Actions a failing gate is also an `::error::` annotation on standard output, one per failure.
    func testFailIfUnderGitHubActionsAnnotatesEachFailure() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["GITHUB_ACTIONS"] = "true"
        let outcome = try CLI.run(
            [digits, "-o", out("gha.pdf"), "--quiet", "--fail-if", "recall<2"], environment: environment)
        XCTAssertEqual(outcome.status, 1, outcome.stderr)
        let annotations = outcome.stdout.split(separator: "\n").filter { $0.hasPrefix("::error title=feder-report --fail-if::") }
        let failures = outcome.stderr.split(separator: "\n").filter { $0.hasPrefix("feder-report: fail-if: ") }
        XCTAssertEqual(annotations.count, failures.count)
        XCTAssertGreaterThan(annotations.count, 0)
        // Outside a workflow: no annotation.
        environment["GITHUB_ACTIONS"] = nil
        let plain = try CLI.run([digits, "-o", out("gha.pdf"), "--quiet", "--fail-if", "recall<2"], environment: environment)
        XCTAssertFalse(plain.stdout.contains("::error"), plain.stdout)
    }

    /// `-o report.html`: one self-contained file of every page (the PDF's pages, in order, with their titles in the
    /// table of contents), no request outside the file, ids unique across pages, the same bytes every time.
    func testTheHTMLReportIsOneSelfContainedFileOfEveryPage() throws {
        let first = try CLI.run([digits, "-o", out("report.html"), "--quiet"])
        XCTAssertEqual(first.status, 0, first.stderr)
        let pdf = try CLI.run([digits, "-o", out("report.pdf"), "--quiet"])
        XCTAssertEqual(pdf.status, 0, pdf.stderr)
        let html = try String(contentsOfFile: out("report.html"), encoding: .utf8)
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        let pages = html.components(separatedBy: "<section class=\"page\"").count - 1
        let pdfPages = (try pdfText(out("report.pdf")))?.components(separatedBy: "\u{0C}").filter { !$0.isEmpty }.count
        if let pdfPages { XCTAssertEqual(pages, pdfPages) }
        XCTAssertGreaterThan(pages, 5)
        XCTAssertEqual(html.components(separatedBy: "<li><a href=\"#page-").count - 1, pages)
        XCTAssertTrue(html.contains("Summary</a></li>"), "the summary page is in the contents")
        // Nothing is fetched: the only URLs are the SVG and XLink namespace names.
        let urls = Set(html.matches(of: /https?:\/\/[^"' )]+/).map { String($0.output) })
        XCTAssertEqual(urls, ["http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"])
        XCTAssertFalse(html.contains("src=\"http"))
        // Hover targets: every result of the first comparison is a target in its views and in its result strip,
        // within one highlight group, each with its distance; the tooltip element is there.
        assertHTMLTargets(html)
        // The words are text a browser can select, copy and find (cairo draws glyph outlines): a view's title and a
        // table's number, each a line of the invisible layer, one layer per page.
        XCTAssertNotNil(html.firstMatch(of: /<text [^>]*>IVF coarse search — nprobe \d+<\/text>/))
        XCTAssertNotNil(html.firstMatch(of: /<text [^>]*>HNSW search — descent and layer-0 beam \(ef \d+\)<\/text>/))
        XCTAssertEqual(html.components(separatedBy: "<svg class=\"words\"").count - 1, pages)
        // Every id once (each page's glyph and clip definitions prefixed with its page).
        let ids = html.matches(of: /\sid="([^"]+)"/).map { String($0.output.1) }
        XCTAssertEqual(ids.count, Set(ids).count)
        let again = try CLI.run([digits, "-o", out("again.html"), "--quiet"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out("again.html"))), Data(html.utf8))
    }

    private func assertHTMLTargets(_ html: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(html.contains("<div id=\"tip\" role=\"tooltip\" hidden></div>"), file: file, line: line)
        // One tab stop per page of targets (the arrow keys move between them), not one per target.
        let stops = html.components(separatedBy: "class=\"hit\" tabindex=\"0\"").count - 1
        XCTAssertEqual(stops, html.components(separatedBy: "<svg class=\"hits\"").count - 1, file: file, line: line)
        let sections = html.components(separatedBy: "<section class=\"page\"").dropFirst()
        var groups: [String: [String]] = [:]
        for section in sections {
            guard let group = section.firstMatch(of: /data-group="(\d+)"/)?.output.1 else { continue }
            groups[String(group), default: []].append(section)
        }
        // The first comparison (digit 40, IVF raw vs normalised): its strip's rank-1 target is also a dot of its views.
        guard let comparison = groups.values.first(where: { $0.joined().contains("data-rank=\"1\"") && $0.count > 1 }) else {
            return XCTFail("no comparison with ranked targets", file: file, line: line)
        }
        let text = comparison.joined()
        let ranked = text.matches(of: /data-id="([^"]+)" data-rank="1"/).map { String($0.output.1) }
        XCTAssertFalse(ranked.isEmpty, file: file, line: line)
        for id in Set(ranked) {
            let targets = text.components(separatedBy: "data-id=\"\(id)\"").count - 1
            XCTAssertGreaterThanOrEqual(targets, 2, "\(id) is a target in the views and the strip", file: file, line: line)
        }
        XCTAssertTrue(text.contains("data-distance=\""), file: file, line: line)
        // Each HNSW search (two comparisons, two sides each) gets a replay slider over its layer-0 steps, and its
        // layer-0 targets the step that scored them, in the slider's view.
        let sliders = html.matches(of: /<input type="range" min="0" max="(\d+)" value="\d+" data-view="([^"]+)">/)
        XCTAssertEqual(sliders.count, 4, file: file, line: line)
        for slider in sliders {
            let view = String(slider.output.2)
            XCTAssertGreaterThan(Int(slider.output.1) ?? 0, 1, file: file, line: line)
            XCTAssertTrue(html.contains("data-view=\"\(view)\""), "targets of \(view)", file: file, line: line)
        }
        for section in sections {
            for slider in section.matches(of: /<input type="range" min="0" max="\d+" value="\d+" data-view="([^"]+)">/) {
                assertRoutes(in: String(section), view: String(slider.output.1), file: file, line: line)
            }
        }
        XCTAssertTrue(html.contains("data-step=\"0\""), "the entry is scored before any step", file: file, line: line)
        // Each scored layer-0 node says what its scoring did, and every slider has its line of words.
        for outcome in ["entry", "admitted", "rejected"] {
            XCTAssertTrue(html.contains("data-outcome=\"\(outcome)\""), outcome, file: file, line: line)
        }
        XCTAssertEqual(html.components(separatedBy: "<p class=\"step-note\"").count - 1, sliders.count, file: file, line: line)
        // A vector of the IVF views names its list, and that list is a target (its cell) on the same pages.
        var related = 0
        for section in sections {
            for list in Set(section.matches(of: /data-related="(list [^"]+)"/).map { String($0.output.1) }) {
                related += 1
                XCTAssertTrue(
                    section.contains("<polygon class=\"hit\" tabindex=\"-1\" data-id=\"\(list)\""), "\(list)'s cell", file: file, line: line
                )
            }
        }
        XCTAssertGreaterThan(related, 0, "vectors name their lists", file: file, line: line)
        // Two different indexes' lists are told apart (raw vs normalised vectors: two trainings, one numbering).
        XCTAssertTrue(html.contains("data-id=\"list 29 · raw-ivf\""), file: file, line: line)
        XCTAssertTrue(html.contains("data-id=\"list 29 · norm-ivf\""), file: file, line: line)
        // Pictures for the tooltips: one table of data URIs, every target's index inside it.
        guard let table = html.firstMatch(of: /<script type="application\/json" id="media">\[([^\]]*)\]<\/script>/) else {
            return XCTFail("no picture table", file: file, line: line)
        }
        let pictures = table.output.1.components(separatedBy: ",\n")
        XCTAssertTrue(
            pictures.allSatisfy { $0.hasPrefix("\"data:image/png;base64,") || $0.hasPrefix("\"data:image/jpeg;base64,") }, file: file,
            line: line)
        let indexes = html.matches(of: /data-image="(\d+)"/).compactMap { Int($0.output.1) }
        XCTAssertFalse(indexes.isEmpty, file: file, line: line)
        XCTAssertTrue(indexes.allSatisfy { $0 < pictures.count }, file: file, line: line)
        // Glyph outlines are kept once for the document, and every reference resolves to an element of the file.
        let defined = Set(html.matches(of: /\sid="([^"]+)"/).map { String($0.output.1) })
        let referenced = Set(html.matches(of: /href="#([^"]+)"/).map { String($0.output.1) })
        XCTAssertTrue(referenced.isSubset(of: defined), "dangling: \(referenced.subtracting(defined).prefix(5))", file: file, line: line)
        let symbols = html.matches(of: /<symbol id="g\d+"([^>]*)>(.*?)<\/symbol>/.dotMatchesNewlines()).map {
            String($0.output.1) + String($0.output.2)
        }
        XCTAssertGreaterThan(symbols.count, 10, file: file, line: line)
        XCTAssertEqual(symbols.count, Set(symbols).count, "a glyph outline kept twice", file: file, line: line)
        XCTAssertFalse(html.contains("id=\"p2-glyph"), "page glyphs left in place", file: file, line: line)
    }

    /// Every layer-0 node of an HNSW search view leads back, through the nodes it was scored from and the levels
    /// above, to the top level's entry point: the route a click draws.
    private func assertRoutes(in html: String, view: String, file: StaticString, line: UInt) {
        struct Node: Hashable {
            var id: String
            var level: Int
        }
        var from: [Node: String?] = [:]
        for tag in html.matches(of: /<circle class="hit"[^>]*>/) {
            let text = String(tag.output)
            guard text.contains("data-view=\"\(view)\""), let id = text.firstMatch(of: /data-id="([^"]+)"/)?.output.1,
                let levelText = text.firstMatch(of: /data-level="(\d+)"/)?.output.1, let level = Int(levelText)
            else { continue }
            from.updateValue(
                text.firstMatch(of: /data-from="([^"]+)"/).map { String($0.output.1) }, forKey: Node(id: String(id), level: level))
        }
        let top = from.keys.map(\.level).max() ?? 0
        let levelZero = from.keys.filter { $0.level == 0 }
        XCTAssertGreaterThan(levelZero.count, 1, file: file, line: line)
        var ends: Set<Node> = []
        for start in levelZero {
            var node = start
            var steps = 0
            while steps < 10_000 {
                steps += 1
                guard let parent = from[node] else { return XCTFail("\(node) is not a target of \(view)", file: file, line: line) }
                if let parent {
                    node = Node(id: parent, level: node.level)
                } else if from[Node(id: node.id, level: node.level + 1)] != nil {
                    node = Node(id: node.id, level: node.level + 1)
                } else {
                    break
                }
            }
            ends.insert(node)
        }
        XCTAssertEqual(ends.count, 1, "every route ends at one entry point", file: file, line: line)
        XCTAssertEqual(ends.first?.level, top, "the routes start on the top level", file: file, line: line)
    }

    /// The digits example laid out by every built-in template passes the layout check.
    func testEveryTemplatePassesTheLayoutCheck() throws {
        let folder = repository.appendingPathComponent("Examples/digits")
        guard
            var spec = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("compare.json")))
                as? [String: Any]
        else { return XCTFail("digits spec") }
        // The copy lives beside the original so its relative paths still resolve.
        for template in ["compare", "compact", "slides"] {
            spec["template"] = template
            let copy = folder.appendingPathComponent(".layout-\(template)-\(UUID().uuidString).json")
            try JSONSerialization.data(withJSONObject: spec).write(to: copy)
            defer { try? FileManager.default.removeItem(at: copy) }
            let outcome = try CLI.run([copy.path, "-o", out("\(template).pdf"), "--quiet", "--check-layout"])
            XCTAssertEqual(outcome.status, 0, "\(template): \(outcome.stderr)")
        }
    }

    /// `view --check-layout` on clean views exits 0, prints nothing and keeps the file.
    func testTheLayoutCheckOfACleanViewIsQuiet() throws {
        let outcome = try CLI.run([
            "view", FixtureManifest.committedDirectory().appendingPathComponent("ivf_flat_l2_full.faiss").path, "--id", "3", "-o",
            out("v.pdf"), "--check-layout",
        ])
        // The fixture's views are clean; the check passes and says nothing.
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertFalse(outcome.stderr.contains("layout:"), outcome.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out("v.pdf")))
    }

    /// Every example spec in Examples/ renders (the README's quick start renders the first).
    func testEveryExampleRenders() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: repository.appendingPathComponent("Examples").path).sorted()
        var rendered = 0
        for folder in folders {
            let spec = repository.appendingPathComponent("Examples/\(folder)/compare.json").path
            // The pgvector example needs its database: PGVectorExampleTests builds it in a server and renders it.
            guard FileManager.default.fileExists(atPath: spec), folder != "pgvector" else { continue }
            // Examples whose data a build script writes (too big to commit) render once it has run.
            let built = repository.appendingPathComponent("Examples/\(folder)/build.py").path
            if FileManager.default.fileExists(atPath: built), try CLI.run(["validate", spec]).status != 0 {
                print("note: Examples/\(folder) skipped: run Examples/\(folder)/build.py first")
                continue
            }
            // Every text of every page readable whole: none cut, overlapping another or out of its panel.
            let outcome = try CLI.run([spec, "-o", out("\(folder).pdf"), "--quiet", "--check-layout"])
            XCTAssertEqual(outcome.status, 0, "\(folder): \(outcome.stderr)")
            let pdf = try Data(contentsOf: URL(fileURLWithPath: out("\(folder).pdf")))
            XCTAssertTrue(pdf.starts(with: Data("%PDF".utf8)), folder)
            // The first page carries the spec's title (compared word by word: the layout may wrap it).
            let title = try XCTUnwrap(JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: spec)))["title"])
            if case .string(let words) = title, let text = try pdfText(out("\(folder).pdf")) {
                let firstPage = text.components(separatedBy: "\u{0C}")[0].split(whereSeparator: \.isWhitespace).joined(separator: " ")
                let wanted = words.split(whereSeparator: \.isWhitespace).prefix(3).joined(separator: " ")
                XCTAssertTrue(firstPage.contains(wanted), "\(folder): '\(wanted)' not on page 1")
            }
            rendered += 1
        }
        XCTAssertGreaterThanOrEqual(rendered, 1)
    }

    func testDigitsReportPagesSummaryAndMarkdown() throws {
        let outcome = try CLI.run([digits, "-o", out("r.pdf"), "--summary", out("s.json"), "--markdown", out("s.md")])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let summary = try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: out("s.json"))))
        XCTAssertEqual(summary["comparisons"]?.array?.count, 8)
        XCTAssertNotNil(summary["comparisons"]?.array?.first?["left"]?["aggregates"]?["recall"]?["p95"])
        let markdown = try String(contentsOfFile: out("s.md"), encoding: .utf8)
        XCTAssertTrue(markdown.contains("| # | comparison | left → right | visited |"), markdown)
        guard let text = try pdftotext(out("r.pdf")) else { throw XCTSkip("pdftotext is not installed") }
        for expected in [
            "Work and quality", "Recall@8 against nprobe", "Distance computations per query", "Whole picture vs detected object",
            "IVF coarse search", "HNSW search", "Quantization — approximate vs true distance", "Refine — shortlist re-scored",
            "Index health", "Why exact neighbours were missed", "Missed: id",
        ] {
            XCTAssertTrue(text.contains(expected), "missing \(expected)")
        }
    }

    func testPNGPagesAndPanels() throws {
        let outcome = try CLI.run([digits, "-o", out("page.png"), "--panels", out("panels"), "--quiet", "--dpi", "40"])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        // The compare template: a summary page, then per comparison a views page, a table/results page and,
        // for multi-query sides, a distributions/sweep page; a quantization page after the views where a side keeps
        // codes. digits has three single-query comparisons of float vectors, two 40-query sweeps of them, two
        // single-query comparisons with codes and one sweep with codes, and six indexes whose health takes two
        // pages after the summary: 1 + 2 + 3·2 + 2·3 + 2·3 + 4 = 25 pages.
        let pages = files.filter { $0.hasPrefix("page-") && $0.hasSuffix(".png") }
        XCTAssertEqual(Set(pages), Set((1...25).map { "page-\($0).png" }), "\(files)")
        // A4 landscape is 297 × 210 mm = 11.69 × 8.27 in: at 40 dpi 467.7 × 330.7, rounded to 468 × 331 px.
        for page in ["page-1.png", "page-25.png"] {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: out(page))))
            XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], page)
            XCTAssertEqual(bytes[16..<20].reduce(0) { $0 << 8 | Int($1) }, 468, page)
            XCTAssertEqual(bytes[20..<24].reduce(0) { $0 << 8 | Int($1) }, 331, page)
            XCTAssertGreaterThan(bytes.count, 5000, "\(page) is not blank")
        }
        XCTAssertFalse(files.contains { $0.hasSuffix(".partial") })
        let panels = try FileManager.default.contentsOfDirectory(atPath: out("panels"))
        XCTAssertTrue(panels.contains("comparison-01-views.png"), "\(panels)")
        XCTAssertTrue(panels.contains("comparison-04-sweep.png"), "\(panels)")
        // Each panel as SVG too.
        XCTAssertEqual(panels.filter { $0.hasSuffix(".svg") }.count, panels.filter { $0.hasSuffix(".png") }.count)
        let svg = try String(contentsOfFile: out("panels/comparison-04-sweep.svg"), encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<?xml") || svg.hasPrefix("<svg"), String(svg.prefix(80)))
    }

    /// Which single-query sides miss recall 0.9 is decided independently: the libraries' own answers
    /// (Examples/digits/expected.json) against an exact brute-force search written here in Double.
    func testFailIfNamesTheComparison() throws {
        let folder = repository.appendingPathComponent("Examples/digits")
        let specJSON = try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: digits)))
        let expected = try JSONValue.parse(Data(contentsOf: folder.appendingPathComponent("expected.json")))
        let k = 8  // params.k of the spec
        var oracle: [(line: String, fails: Bool)] = []
        for (position, want) in try XCTUnwrap(expected["comparisons"]?.array).enumerated() {
            let comparison = try XCTUnwrap(specJSON["comparisons"]?.array?[position])
            guard case .string(let title)? = comparison["title"] else { return XCTFail("no title") }
            for side in ["left", "right"] {
                guard case .string(let indexName)? = comparison[side]?["index"],
                    case .string(let queryName)? = comparison[side]?["query"],
                    case .string(let file)? = specJSON["indexes"]?[indexName]?["file"],
                    let distances = want[side]?["distances"]?.array?.compactMap(\.number)
                else { return XCTFail("comparison \(position + 1) \(side)") }
                let index = try IndexFile.open(path: folder.appendingPathComponent(file).path)
                let querySpec = try XCTUnwrap(specJSON["queries"]?[queryName])
                let query: [Float]
                if let id = querySpec["id"]?.number {
                    query = try XCTUnwrap(index.storedVector(label: Int64(id)))
                } else {
                    guard case .string(let vectors)? = querySpec["vector"] else { return XCTFail(queryName) }
                    query = try VectorFile.read(path: folder.appendingPathComponent(vectors).path).row(0)
                }
                var exact: [Double] = []
                index.forEachStoredVector { _, pointer in
                    var sum = 0.0
                    for lane in 0..<query.count {
                        let difference = Double(query[lane]) - Double(pointer.loadUnaligned(fromByteOffset: lane * 4, as: Float.self))
                        sum += difference * difference
                    }
                    exact.append(sum)
                }
                exact.sort()
                let bound = exact[k - 1] * (1 + 1e-5) + 1e-6
                // Recall with ties at the boundary counted, as the report defines it.
                let recall = Double(distances.prefix(k).filter { $0 <= bound }.count) / Double(k)
                oracle.append(("comparison \(position + 1) '\(title)' \(side)", recall < 0.9))
            }
        }
        XCTAssertEqual(oracle.count, 6)
        XCTAssertTrue(oracle.contains { $0.fails }, "the example is meant to miss somewhere: \(oracle)")

        let outcome = try CLI.run([digits, "-o", out("g.pdf"), "--fail-if", "recall<0.9", "--quiet"])
        XCTAssertEqual(outcome.status, 1)
        for (line, fails) in oracle {
            XCTAssertEqual(outcome.stderr.contains(line + " ("), fails, "\(line): \(outcome.stderr)")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: out("g.pdf")), "the report is still written")
        // Recall is never negative and never above 1: nothing fails the first, every one of the sixteen sides the second.
        let none = try CLI.run([digits, "-o", out("g.pdf"), "--fail-if", "recall<0", "--quiet"])
        XCTAssertEqual(none.status, 0, none.stderr)
        XCTAssertFalse(none.stderr.contains("fail-if"), none.stderr)
        let all = try CLI.run([digits, "-o", out("g.pdf"), "--fail-if", "recall<=1", "--quiet"])
        XCTAssertEqual(all.status, 1)
        XCTAssertEqual(all.stderr.components(separatedBy: "\n").filter { $0.contains("fail-if: comparison ") }.count, 16, all.stderr)
        let bad = try CLI.run([digits, "--fail-if", "speed<3"])
        XCTAssertEqual(bad.status, 64)
        XCTAssertTrue(bad.stderr.contains("--fail-if 'speed<3' is not MEASURE<NUMBER"), bad.stderr)
    }

    func testBadSpecWritesNothingAndKeepsTheOldReport() throws {
        let spec = directory.appendingPathComponent("bad.json")
        try Data(#"{"indexes": {"a": {"file": "missing.faiss"}}, "queries": {}, "comparisons": []}"#.utf8).write(to: spec)
        try Data("previous report".utf8).write(to: URL(fileURLWithPath: out("keep.pdf")))
        let outcome = try CLI.run([spec.path, "-o", out("keep.pdf")])
        XCTAssertEqual(outcome.status, 65)
        // Every problem of the spec, one line each, in file order — as validate prints them.
        let lines = outcome.stderr.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, outcome.stderr)
        XCTAssertTrue(lines[0].hasPrefix("feder-report: error: \(spec.path): $.indexes.a.file: file not found"), outcome.stderr)
        XCTAssertTrue(lines[1].hasSuffix("$.comparisons: list at least one comparison"), outcome.stderr)
        XCTAssertEqual(try String(contentsOfFile: out("keep.pdf"), encoding: .utf8), "previous report")
        let validated = try CLI.run(["validate", spec.path])
        XCTAssertEqual(validated.status, 65)
        XCTAssertEqual(validated.stderr, outcome.stderr)
        let valid = try CLI.run(["validate", digits])
        XCTAssertEqual(valid.status, 0, valid.stderr)
        XCTAssertTrue(valid.stdout.contains("valid — 6 indexes, 5 queries, 8 comparisons"), valid.stdout)
    }
}
