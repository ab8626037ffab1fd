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
}
