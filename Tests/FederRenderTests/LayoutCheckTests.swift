import FederLayout
import FederRender
import XCTest

/// The layout check finds each kind of problem where it is, and nothing on a clean page.
final class LayoutCheckTests: XCTestCase {
    let theme = ThemeName.light.theme
    let page = Size(400, 300)

    private func scene(_ marks: [Mark]) -> Scene { Scene(size: page, background: theme.background, marks: marks) }

    private func text(_ string: String, at point: Point, width: Double? = nil, maxLines: Int? = nil) -> Mark {
        .text(TextMark(string, at: point, font: theme.labelFont, color: theme.text, width: width, maxLines: maxLines))
    }

    private let panel = Mark.rect(Rect(x: 10, y: 10, width: 200, height: 120), fill: Color(hex: 0xF5F5F5), stroke: nil, cornerRadius: 6)

    func testACleanPageHasNoProblems() {
        let marks = [
            panel, text("recall 0.9", at: Point(20, 20)), text("visited 120", at: Point(20, 40)), text("far away", at: Point(250, 200)),
        ]
        XCTAssertEqual(LayoutCheck.problems(in: [scene(marks)]), [])
    }

    func testATextCutWithAnEllipsisIsReportedWithTheLinesItNeeds() throws {
        let long = "a caption far too long for the narrow box it has been given here"
        let problems = LayoutCheck.problems(in: [scene([panel, text(long, at: Point(20, 20), width: 60, maxLines: 2)])])
        let cut = try XCTUnwrap(problems.first { $0.kind == .cut })
        XCTAssertEqual(cut.page, 1)
        XCTAssertTrue(cut.description.contains("has 2"), cut.description)
        XCTAssertTrue(cut.description.hasPrefix("page 1: cut: 'a caption far"), cut.description)
    }

    func testOverlappingTextsAreReportedOnceAndAHaloIsNot() {
        let marks = [
            panel, text("first label", at: Point(20, 20)), text("second label", at: Point(30, 22)), text("halo", at: Point(20, 80)),
            text("halo", at: Point(20, 80)),
        ]
        let problems = LayoutCheck.problems(in: [scene(marks)])
        XCTAssertEqual(problems.map(\.kind), [.overlap])
        XCTAssertTrue(problems.first?.description.contains("'first label' overlaps 'second label'") ?? false)
    }

    func testTextRunningOutOfItsPanelOrThePageIsReported() {
        let marks = [
            panel, text("this sentence runs past the panel's right edge", at: Point(150, 60)), text("off the page", at: Point(380, 280)),
        ]
        let problems = LayoutCheck.problems(in: [scene(marks), scene([])])
        XCTAssertEqual(problems.filter { $0.kind == .outside }.count, 2)
        XCTAssertTrue(problems.contains { $0.description.contains("out of its panel") })
        XCTAssertTrue(problems.contains { $0.description.contains("out of the page") })
    }

    func testALineDrawnOverATextCrossesItAndOneDrawnUnderItDoesNot() {
        let line = Mark.polyline([Point(20, 10), Point(80, 40)], stroke: Stroke(theme.text, width: 1))
        let over = LayoutCheck.problems(in: [scene([panel, text("crossed label", at: Point(20, 20)), line])])
        XCTAssertEqual(over.map(\.kind), [.crossed])
        XCTAssertTrue(over.first?.description.contains("'crossed label' is crossed by a line") ?? false)
        XCTAssertEqual(LayoutCheck.problems(in: [scene([panel, line, text("crossed label", at: Point(20, 20))])]), [])
        // A line that passes beside the text is not a crossing.
        let beside = Mark.polyline([Point(20, 60), Point(180, 60)], stroke: Stroke(theme.text, width: 1))
        XCTAssertEqual(LayoutCheck.problems(in: [scene([panel, text("crossed label", at: Point(20, 20)), beside])]), [])
    }

    func testATextUnderAFilledShapeDrawnOverItIsCovered() {
        let dot = Mark.circle(center: Point(30, 25), radius: 9, fill: theme.result, stroke: nil)
        let problems = LayoutCheck.problems(in: [scene([panel, text("12", at: Point(24, 20)), dot])])
        XCTAssertEqual(problems.map(\.kind), [.covered])
        // The same dot drawn first is the text's background, and a faint one does not hide it.
        XCTAssertEqual(LayoutCheck.problems(in: [scene([panel, dot, text("12", at: Point(24, 20))])]), [])
        let faint = Mark.circle(center: Point(30, 25), radius: 9, fill: theme.result.withAlpha(0.2), stroke: nil)
        XCTAssertEqual(LayoutCheck.problems(in: [scene([panel, text("12", at: Point(24, 20)), faint])]), [])
    }

    func testALegendEntryWhosePanelDrawsNoMarkOfItsKindIsReported() {
        let red = Color(hex: 0xD55E00)
        let entry = ViewKit.legend(
            [(.dot(red), "missed"), (.ring(theme.truth), "exact")], in: Rect(x: 20, y: 100, width: 180, height: 20),
            theme: theme, measurer: EstimatingTextMeasurer()
        ).marks
        let ring = Mark.circle(center: Point(60, 60), radius: 4, fill: nil, stroke: Stroke(theme.truth, width: 1.5))
        let problems = LayoutCheck.problems(in: [scene([panel, ring] + entry)])
        XCTAssertEqual(problems.map(\.kind), [.legend])
        XCTAssertTrue(problems.first?.description.contains("'missed' is in the legend") ?? false)
        let dot = Mark.circle(center: Point(90, 60), radius: 2, fill: red.withAlpha(0.7), stroke: nil)
        XCTAssertEqual(LayoutCheck.problems(in: [scene([panel, ring, dot] + entry)]), [])
    }

    func testATallPanelWhoseLowerHalfIsEmptyIsReported() {
        let tall = Mark.rect(Rect(x: 10, y: 10, width: 200, height: 240), fill: Color(hex: 0xF5F5F5), stroke: nil, cornerRadius: 6)
        let problems = LayoutCheck.problems(in: [scene([tall, text("only a title", at: Point(20, 20))])])
        XCTAssertEqual(problems.map(\.kind), [.empty])
        XCTAssertEqual(
            LayoutCheck.problems(in: [scene([tall, text("a title", at: Point(20, 20)), text("a foot", at: Point(20, 200))])]), [])
    }
}
