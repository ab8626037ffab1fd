import FederReport
import Foundation
import XCTest

/// `--fail-if` parsing and evaluation, on hand-built results whose expected lines are written out by hand.
final class FailConditionTests: XCTestCase {
    typealias Fixture = ReportResultFixture

    // MARK: Parsing

    func testEveryOperatorParsesToItsComparison() throws {
        let cases: [(String, FailCondition.Comparison, Double)] = [
            ("recall<0.9", .less, 0.9), ("recall<=0.9", .lessOrEqual, 0.9),
            ("recall>0.9", .greater, 0.9), ("recall>=0.9", .greaterOrEqual, 0.9),
        ]
        for (text, comparison, threshold) in cases {
            let condition = try XCTUnwrap(FailCondition(text), text)
            XCTAssertEqual(condition.measure, .recall, text)
            XCTAssertEqual(condition.comparison, comparison, text)
            XCTAssertEqual(condition.threshold, threshold, text)
            XCTAssertEqual(condition.text, text)
        }
    }

    func testEveryMeasureParsesByItsName() throws {
        let names: [(String, Measure)] = [
            ("recall", .recall), ("visited", .visited), ("distanceComputations", .distanceComputations),
            ("rankOfTrueNearest", .rankOfTrueNearest), ("hops", .hops), ("scanned", .scanned), ("jaccard", .jaccard),
            ("needed.nprobe", .neededNprobe), ("needed.ef", .neededEF), ("unreachable", .unreachable), ("inDegreeZero", .inDegreeZero),
            ("imbalance", .imbalance),
            ("emptyLists", .emptyLists),
        ]
        XCTAssertEqual(names.count, Measure.allCases.count, "a new measure needs a case here")
        for (name, measure) in names {
            XCTAssertEqual(FailCondition("\(name)>=2")?.measure, measure, name)
        }
    }

    func testSpacesAnywhereAreIgnoredAndDroppedFromTheText() throws {
        let condition = try XCTUnwrap(FailCondition("  visited  >=  5000 "))
        XCTAssertEqual(condition.measure, .visited)
        XCTAssertEqual(condition.comparison, .greaterOrEqual)
        XCTAssertEqual(condition.threshold, 5000)
        XCTAssertEqual(condition.text, "visited>=5000")
        XCTAssertEqual(FailCondition("recall < = 0.5")?.comparison, .lessOrEqual, "spaces inside the operator too")
    }

    func testNumbersParseAsSwiftDoublesDo() {
        XCTAssertEqual(FailCondition("visited<1e3")?.threshold, 1000)
        XCTAssertEqual(FailCondition("recall>-0.25")?.threshold, -0.25)
        XCTAssertEqual(FailCondition("rankOfTrueNearest>3")?.threshold, 3)
    }

    func testMalformedConditionsAreRejected() {
        for text in [
            "recall<nan", "recall<inf", "recall>-inf", "recall<0x1p-1", "recall<1e999",
            "", " ", "recall", "recall0.9", "recall=0.9", "recall==0.9", "recall<", "<0.9", ">=1", "recal<0.9",
            "Recall<0.9", "distance_computations<5", "recall<abc", "recall<0.9x", "recall<<0.9", "recall=<0.9",
            "recall<0.9<1", "recall<0.9>0.1",
        ] {
            XCTAssertNil(FailCondition(text), "'\(text)' should not parse")
        }
    }

    // MARK: Evaluation

    func testBoundariesFollowEachOperator() throws {
        let result = try Fixture.result([
            Fixture.comparison(
                title: "T", left: Fixture.side(aggregates: ["visited": 100]), right: Fixture.side(aggregates: ["visited": 200]))
        ])
        func sides(_ text: String) -> [String] {
            (FailCondition(text)?.failures(in: result) ?? ["unparsed"]).map { $0.contains(" left ") ? "left" : "right" }
        }
        XCTAssertEqual(sides("visited<100"), [])
        XCTAssertEqual(sides("visited<=100"), ["left"])
        XCTAssertEqual(sides("visited<100.5"), ["left"])
        XCTAssertEqual(sides("visited>200"), [])
        XCTAssertEqual(sides("visited>=200"), ["right"])
        XCTAssertEqual(sides("visited>100"), ["right"])
        XCTAssertEqual(sides("visited>=100"), ["left", "right"])
        XCTAssertEqual(sides("visited<1"), [])
    }

    func testFailureLinesNameTheComparisonSideAndValue() throws {
        let result = try Fixture.result([
            Fixture.comparison(
                title: "first",
                left: Fixture.side(index: "ivf", query: "q1", aggregates: ["recall": 0.85, "distanceComputations": 12345.6]),
                right: Fixture.side(index: "hnsw", query: "q2", aggregates: ["recall": 1, "distanceComputations": 40])),
            Fixture.comparison(
                title: "second",
                left: Fixture.side(index: "flat", query: "set", aggregates: ["recall": 0.5, "rankOfTrueNearest": 3]),
                right: Fixture.side(index: "flat", query: "set", aggregates: ["recall": 1, "rankOfTrueNearest": 0])),
        ])
        // %.4g: 0.85 → "0.85", 0.5 → "0.5", 12345.6 → "1.235e+04", 3 → "3".
        XCTAssertEqual(
            FailCondition("recall < 0.9")?.failures(in: result),
            [
                "comparison 1 'first' left (ivf, q1): recall 0.85 (recall<0.9)",
                "comparison 2 'second' left (flat, set): recall 0.5 (recall<0.9)",
            ])
        XCTAssertEqual(
            FailCondition("distanceComputations>1000")?.failures(in: result),
            ["comparison 1 'first' left (ivf, q1): distanceComputations 1.235e+04 (distanceComputations>1000)"])
        XCTAssertEqual(
            FailCondition("rankOfTrueNearest>=1")?.failures(in: result),
            ["comparison 2 'second' left (flat, set): rankOfTrueNearest 3 (rankOfTrueNearest>=1)"],
            "a side without the measure is never reported, whatever the threshold")
        XCTAssertEqual(
            FailCondition("rankOfTrueNearest<=3")?.failures(in: result),
            [
                "comparison 2 'second' left (flat, set): rankOfTrueNearest 3 (rankOfTrueNearest<=3)",
                "comparison 2 'second' right (flat, set): rankOfTrueNearest 0 (rankOfTrueNearest<=3)",
            ])
        XCTAssertEqual(FailCondition("visited>=0")?.failures(in: result), [], "no side reports visited")
        XCTAssertEqual(FailCondition("recall<0")?.failures(in: result), [])
    }

    /// A side without recall (an index of codes whose vectors were not named) cannot pass a recall gate, whatever
    /// its threshold; other gates ignore the missing measure.
    func testARecallGateFailsWhereRecallWasNotMeasured() throws {
        let result = try Fixture.result([
            Fixture.comparison(
                title: "codes",
                left: Fixture.side(index: "pq", query: "q", aggregates: ["visited": 10]),
                right: Fixture.side(index: "flat", query: "q", aggregates: ["recall": 1, "visited": 10]))
        ])
        for gate in ["recall<0.9", "recall<0", "recall>2"] {
            let lines = FailCondition(gate)?.failures(in: result) ?? []
            XCTAssertEqual(lines.count, 1, gate)
            XCTAssertTrue(lines.first?.hasPrefix("comparison 1 'codes' left (pq, q): recall not measured") ?? false, "\(lines)")
        }
        XCTAssertEqual(FailCondition("visited>100")?.failures(in: result), [])
    }

    /// `MEASURE.STATISTIC` reads another number of the side's distribution than the mean; `needed.nprobe` is a measure.
    func testStatisticsAndTheNprobeNeeded() throws {
        XCTAssertEqual(FailCondition("needed.nprobe.p95>32")?.measure, .neededNprobe)
        XCTAssertEqual(FailCondition("needed.nprobe.p95>32")?.statistic, .p95)
        XCTAssertEqual(FailCondition("needed.nprobe>32")?.statistic, .mean)
        XCTAssertEqual(FailCondition("recall.p50 < 0.8")?.statistic, .p50)
        for bad in ["recall.p99<1", "needed.p95>3", "jaccard.p95<1", "recall.<1", ".p95<1"] { XCTAssertNil(FailCondition(bad), bad) }
        var side = Fixture.side(index: "ivf", query: "set", aggregates: ["recall": 0.9])
        // What Distribution gives for 1, 2, 2, 4, 40: mean 9.8, median 2, 95th percentile 32.8 (4 to 40, linearly).
        var aggregates = side["aggregates"] as? [String: Any] ?? [:]
        aggregates["needed.nprobe"] = ["mean": 9.8, "p50": 2, "p95": 32.8, "min": 1, "max": 40, "count": 5]
        side["aggregates"] = aggregates
        let result = try Fixture.result([Fixture.comparison(title: "t", left: side, right: side)])
        let computed = Distribution([1, 2, 2, 4, 40])
        for (value, expected) in zip([computed.mean, computed.p50, computed.p95, computed.max], [9.8, 2, 32.8, 40]) {
            XCTAssertEqual(value, expected, accuracy: 1e-9)
        }
        XCTAssertEqual(FailCondition("needed.nprobe>9")?.failures(in: result).count, 2)
        XCTAssertEqual(FailCondition("needed.nprobe.p50>2")?.failures(in: result), [])
        XCTAssertEqual(
            FailCondition("needed.nprobe.p95>32")?.failures(in: result).first,
            "comparison 1 't' left (ivf, set): needed.nprobe.p95 32.8 (needed.nprobe.p95>32)")
        XCTAssertEqual(FailCondition("needed.nprobe.max>=40")?.failures(in: result).count, 2)
    }

    /// `@sweep` judges every sweep point, `@nprobe=N` one; the sides' own runs are left to plain gates.
    func testSweepPointGates() throws {
        var comparison = Fixture.comparison(
            title: "s", left: Fixture.side(index: "ivf", query: "set", aggregates: ["recall": 0.95]),
            right: Fixture.side(index: "norm", query: "set", aggregates: ["recall": 0.97]))
        func points(_ recalls: [Double]) -> [[String: Any]] {
            zip([1, 4, 16], recalls).map {
                ["value": $0, "recall": $1, "distanceComputations": Double($0 * 100), "visited": Double($0 * 90)]
            }
        }
        comparison["sweep"] = [
            "parameter": "nprobe", "values": [1, 4, 16], "left": points([0.71, 0.9, 0.99]), "right": points([0.8, 0.95, 1]),
        ]
        let result = try Fixture.result([comparison])
        XCTAssertEqual(FailCondition("recall<0.9")?.failures(in: result), [], "the sides' own runs pass")
        XCTAssertEqual(
            FailCondition("recall@sweep<0.9")?.failures(in: result),
            [
                "comparison 1 's' left (ivf, set) at nprobe 1: recall 0.71 (recall@sweep<0.9)",
                "comparison 1 's' right (norm, set) at nprobe 1: recall 0.8 (recall@sweep<0.9)",
            ])
        XCTAssertEqual(
            FailCondition("recall@nprobe=4<0.92")?.failures(in: result),
            ["comparison 1 's' left (ivf, set) at nprobe 4: recall 0.9 (recall@nprobe=4<0.92)"])
        XCTAssertEqual(FailCondition("distanceComputations@nprobe=16>=1600")?.failures(in: result).count, 2)
        XCTAssertEqual(
            FailCondition("recall@ef=16<1")?.failures(in: result), ["recall@ef=16<1: no sweep has a point at ef 16 to judge"])
        for bad in ["recall@nprobe<0.9", "recall@nprobe=x<0.9", "recall@probe=4<0.9", "hops@sweep>3", "recall.p95@sweep<1"] {
            XCTAssertNil(FailCondition(bad), bad)
        }
    }

    func testJaccardIsJudgedPerComparisonNotPerSide() throws {
        let result = try Fixture.result([
            Fixture.comparison(
                title: "overlap",
                left: Fixture.side(aggregates: ["jaccard": 0.0]), right: Fixture.side(aggregates: ["jaccard": 0.0]), jaccard: 0.5),
            Fixture.comparison(title: "no overlap measured", left: Fixture.side(aggregates: [:]), right: Fixture.side(aggregates: [:])),
            Fixture.comparison(title: "same", left: Fixture.side(aggregates: [:]), right: Fixture.side(aggregates: [:]), jaccard: 1),
        ])
        XCTAssertEqual(
            FailCondition("jaccard<0.6")?.failures(in: result), ["comparison 1 'overlap': jaccard 0.500 (jaccard<0.6)"],
            "one line per comparison; sides' aggregates named jaccard are not read")
        XCTAssertEqual(
            FailCondition("jaccard>=0.5")?.failures(in: result),
            ["comparison 1 'overlap': jaccard 0.500 (jaccard>=0.5)", "comparison 3 'same': jaccard 1.000 (jaccard>=0.5)"])
        XCTAssertEqual(FailCondition("jaccard<0.5")?.failures(in: result), [])
    }

    func testAnEmptyReportHasNoFailures() throws {
        XCTAssertEqual(FailCondition("recall<2")?.failures(in: try Fixture.result([])), [])
    }
}
