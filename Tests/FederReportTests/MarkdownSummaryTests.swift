import FederReport
import Foundation
import XCTest

/// The CI Markdown summary, line by line; expected cells are derived by hand from the formatting rules
/// (4 significant digits: `%.0f` from 100, `%.1f` from 10, `%.3g` otherwise; change rounded to whole percent).
final class MarkdownSummaryTests: XCTestCase {
    typealias Fixture = ReportResultFixture

    static let header = "| # | comparison | left → right | visited | distance computations | recall@k | overlap |"

    func testTitleHeaderAndOneRowPerComparison() throws {
        let result = try Fixture.result(
            title: "Nightly recall",
            [
                Fixture.comparison(
                    title: "nprobe 1 vs 4",
                    left: Fixture.side(
                        index: "ivf", query: "q", aggregates: ["visited": 100, "distanceComputations": 1000, "recall": 0.9]),
                    right: Fixture.side(
                        index: "ivf", query: "q", aggregates: ["visited": 150, "distanceComputations": 500, "recall": 0.95]),
                    jaccard: 0.5),
                Fixture.comparison(
                    title: "hnsw",
                    left: Fixture.side(
                        index: "h", query: "set", queryCount: 5, aggregates: ["visited": 12.34, "distanceComputations": 0.5]),
                    right: Fixture.side(
                        index: "h2", query: "set", queryCount: 5, aggregates: ["visited": 12.36, "distanceComputations": 123456])),
            ])
        let lines = MarkdownSummary.render(result).components(separatedBy: "\n")
        XCTAssertEqual(
            lines,
            [
                "## Nightly recall",
                "",
                Self.header,
                "|---|---|---|---|---|---|---|",
                // 100 → 150 is +50 %, 1000 → 500 is −50 % (minus sign U+2212); recall to two decimals.
                "| 1 | nprobe 1 vs 4 | ivf · q → ivf · q | 100 → 150 (+50 %) | 1000 → 500 (−50 %) | 0.90 → 0.95 | 0.50 |",
                // 12.34 → "12.3", 12.36 → "12.4" (+0.16 % rounds to ±0 %); 0.5 → "0.5", 123456 → "1.23e+05"
                // (+24691100 %); no recall and no jaccard → "—"; five queries are named after the title.
                "| 2 | hnsw (5 queries) | h · set → h2 · set | 12.3 → 12.4 (±0 %) | 0.5 → 1.23e+05 (+24691100 %) | — | — |",
                "",
            ])
    }

    func testPipesInTitlesAreEscapedSoTheTableKeepsItsColumns() throws {
        let result = try Fixture.result([
            Fixture.comparison(
                title: "a|b | c", left: Fixture.side(aggregates: ["visited": 1]), right: Fixture.side(aggregates: ["visited": 1]))
        ])
        let row = try XCTUnwrap(MarkdownSummary.render(result).components(separatedBy: "\n").first { $0.hasPrefix("| 1 ") })
        XCTAssertTrue(row.contains("| a\\|b \\| c |"), row)
        // Unescaped pipes delimit cells: the header's 8 and no more.
        let delimiters = zip(row, [" "] + row).filter { $0.0 == "|" && $0.1 != "\\" }.count
        XCTAssertEqual(delimiters, Self.header.filter { $0 == "|" }.count, row)
    }

    func testPipesInIndexAndQueryNamesAreEscapedToo() throws {
        let result = try Fixture.result([
            Fixture.comparison(
                title: "t", left: Fixture.side(index: "a|b", query: "q|1", aggregates: ["visited": 1]),
                right: Fixture.side(index: "c", query: "d|", aggregates: ["visited": 1]))
        ])
        let row = try XCTUnwrap(MarkdownSummary.render(result).components(separatedBy: "\n").first { $0.hasPrefix("| 1 ") })
        XCTAssertTrue(row.contains("| a\\|b · q\\|1 → c · d\\| |"), row)
        let delimiters = zip(row, [" "] + row).filter { $0.0 == "|" && $0.1 != "\\" }.count
        XCTAssertEqual(delimiters, Self.header.filter { $0 == "|" }.count, row)
    }

    func testZeroAndNewValuesAndRecallOnOneSideOnly() throws {
        let result = try Fixture.result([
            Fixture.comparison(
                title: "t",
                left: Fixture.side(aggregates: ["visited": 0, "distanceComputations": 0, "recall": 1]),
                right: Fixture.side(aggregates: ["visited": 0, "distanceComputations": 7]))
        ])
        let row = try XCTUnwrap(MarkdownSummary.render(result).components(separatedBy: "\n").first { $0.hasPrefix("| 1 ") })
        // 0 → 0 is "±0 %", 0 → 7 is "new"; a side without recall (codes without their vectors) shows "—" beside
        // the other's.
        XCTAssertEqual(row, "| 1 | t | a.faiss · q → a.faiss · q | 0 → 0 (±0 %) | 0 → 7 (new) | 1.00 → — | — |")
    }

    func testAReportWithoutComparisonsIsJustTheTable() throws {
        XCTAssertEqual(
            MarkdownSummary.render(try Fixture.result(title: "Empty", [])),
            "## Empty\n\n\(Self.header)\n|---|---|---|---|---|---|---|\n")
    }
    /// One query per side: the overlap says how many answers both returned; query sets keep the mean Jaccard.
    func testOverlapOfOneQueryIsCountedInAnswers() throws {
        func answers(_ ids: [Int]) -> [[String: Any]] { ids.map { ["id": $0, "distance": 1.0, "internalID": $0] } }
        var left = Fixture.side(index: "a", aggregates: ["visited": 1, "distanceComputations": 1])
        var right = Fixture.side(index: "b", aggregates: ["visited": 1, "distanceComputations": 1])
        var first = left["first"] as? [String: Any] ?? [:]
        first["results"] = answers([1, 2, 3, 4, 5])
        left["first"] = first
        first["results"] = answers([2, 3, 4, 5, 9])
        right["first"] = first
        let result = try Fixture.result([Fixture.comparison(title: "one", left: left, right: right, jaccard: 4.0 / 6.0)])
        XCTAssertEqual(result.comparisons.first?.overlapText, "4 of 5 shared")
        XCTAssertTrue(MarkdownSummary.render(result).contains("| 4 of 5 shared |"))
        let sets = try Fixture.result([
            Fixture.comparison(
                title: "set", left: Fixture.side(queryCount: 3, aggregates: ["visited": 1]),
                right: Fixture.side(queryCount: 3, aggregates: ["visited": 1]),
                jaccard: 0.5)
        ])
        XCTAssertEqual(sets.comparisons.first?.overlapText, "0.50")
    }
}
