import FederIndex
import FederRender
import FederSearch
import XCTest

@testable import FederReport

/// One mapping from every stage's errors to exit codes (sysexits.h) and to the lines printed for them.
final class ExitStatusTests: XCTestCase {
    func testEachKindOfFailureHasItsExitCode() {
        var unopenable = SpecProblem(file: "s.json", path: "$.indexes.a.file", message: "cannot open")
        unopenable.cannotOpen = true
        let wrong = SpecProblem(file: "s.json", path: "$.k", message: "bad")
        let cases: [(any Error, Int32)] = [
            (FederIndexError.cannotOpen(path: "x", reason: "missing"), 66),
            (FederIndexError.truncated(path: "x", format: "IxF2", field: "ntotal", offset: 8, needed: 8, available: 2), 65),
            (FederIndexError.unknownCode(path: "x", code: "'abcd'", offset: 0), 65),
            (FederSearchError.invalidK(0), 65),
            (ReportError.query(.emptySet(source: "q.npy")), 65),
            (ReportError.spec([wrong]), 65),
            (ReportError.spec([unopenable, unopenable]), 66),
            (ReportError.spec([unopenable, wrong]), 65),
            (FederIndexError.cannotReadMediaList(path: "m.txt", reason: "no such file"), 66),
            (RenderError.cannotWrite(path: "out.pdf", reason: "read-only"), 73),
            (RenderError.unsupportedFormat("gif"), 64),
            (ReportError.cannotRead(path: "labels.txt", reason: "no such file"), 66),
            (ReportError.cannotWrite(path: "s.json", reason: "read-only"), 73),
            (ReportError.gateFailed(["comparison 1 left: recall 0.5 (recall<0.9)"]), 1),
            (ReportError.layoutProblems(["page 2: cut: 'Top-8 nu…' is cut with … (needs 3 lines, has 2)"]), 1),
            (ReportError.notMergeable(file: "p1.json", detail: "slice 2/2 missing"), 65),
            (ReportError.timeBudgetExceeded(limit: 1, at: "s.json: $.comparisons[0]"), 65),
            (
                ReportError.atSpec(
                    file: "s.json", path: "$.indexes.a.file", underlying: FederIndexError.cannotOpen(path: "a", reason: "gone")), 66
            ),
            (
                ReportError.atSpec(
                    file: "s.json", path: "$.queries.q.vector", underlying: ReportError.query(.zeroDimension(source: "q.npy"))), 65
            ),
            (RenderError.cannotReadImage(path: "a.png", reason: "no such file"), 66),
            (RenderError.notAnImage(path: "a.png"), 65),
            (ReportError.shardUnreadable(shard: 1, underlying: FederIndexError.cannotOpen(path: "b", reason: "gone")), 66),
            (ReportError.shardMismatch(shard: 1, detail: "dimension 8, not 16"), 65),
        ]
        for (error, code) in cases {
            XCTAssertEqual(ExitStatus.code(for: error), code, "\(error)")
            XCTAssertTrue(ExitStatus.isToolError(error), "\(error)")
        }
        struct Foreign: Error {}
        XCTAssertFalse(ExitStatus.isToolError(Foreign()))
        XCTAssertEqual(ExitStatus.code(for: Foreign()), 65)
        // A stage's error carries its code: a new error type needs no line here.
        struct Carried: ToolError { var exitCode: ToolExitCode { .cannotWrite } }
        XCTAssertEqual(ExitStatus.code(for: ReportError.atSpec(file: "s.json", path: "$.output", underlying: Carried())), 73)
    }

    func testLinesNameTheSpecPathAndTheUnderlyingProblem() {
        let located = ReportError.atSpec(
            file: "s.json", path: "$.queries.q.vector", underlying: ReportError.query(.emptySet(source: "empty.npy")))
        XCTAssertEqual(
            ExitStatus.lines(for: located), ["feder-report: error: s.json: $.queries.q.vector: empty.npy holds no query vectors (0 rows)"])
        let all = ReportError.spec([
            SpecProblem(file: "s.json", path: "$.params.k", message: "k must be a positive whole number, found 0"),
            SpecProblem(file: "s.json", path: "$.comparisons", message: "list at least one comparison"),
        ])
        XCTAssertEqual(
            ExitStatus.lines(for: all),
            [
                "feder-report: error: s.json: $.params.k: k must be a positive whole number, found 0",
                "feder-report: error: s.json: $.comparisons: list at least one comparison",
            ])
        XCTAssertEqual(
            ExitStatus.lines(for: ReportError.gateFailed(["a (recall<0.9)", "b (recall<0.9)"])),
            ["feder-report: fail-if: a (recall<0.9)", "feder-report: fail-if: b (recall<0.9)"])
        XCTAssertEqual(
            ExitStatus.lines(for: ReportError.layoutProblems(["page 1: overlap: 'a' overlaps 'b' (2.0 × 3.0 pt)"])),
            ["feder-report: layout: page 1: overlap: 'a' overlaps 'b' (2.0 × 3.0 pt)"])
        XCTAssertEqual(
            ExitStatus.lines(for: ReportError.query(.unknownID(label: .unsigned(7), index: "h.hnsw", deleted: true))),
            ["feder-report: error: id 7 is deleted in h.hnsw (hnswlib refuses it: Label not found)"])
    }
}
