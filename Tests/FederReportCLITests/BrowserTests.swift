import FederTestSupport
import Foundation
import XCTest

/// The HTML report driven in a real browser (Debian's chromium, headless, through Playwright —
/// scripts/browser_check.py): it opens from file:// with no request outside the file and no console error, a hovered
/// result shows its tooltip, a click highlights the same id across the comparison's views, the replay slider walks
/// layer 0, the keyboard moves between pages and the theme switches. CI installs both (FEDER_BROWSER_TESTS=1 makes
/// their absence a failure rather than a skip).
final class BrowserTests: XCTestCase {
    func testTheHTMLReportWorksInChromium() throws {
        let repository = FixtureManifest.committedDirectory().deletingLastPathComponent().deletingLastPathComponent()
        let chromium = "/usr/bin/chromium"
        let required = ProcessInfo.processInfo.environment["FEDER_BROWSER_TESTS"] == "1"
        let playwright = LibraryScript.isAvailable && (try? LibraryScript.run("import playwright", arguments: [])) != nil
        guard FileManager.default.isExecutableFile(atPath: chromium), playwright else {
            if required { return XCTFail("FEDER_BROWSER_TESTS=1 but chromium or Playwright is missing") }
            throw XCTSkip("no chromium at \(chromium) or no Playwright in .venv")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-browser-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let html = directory.appendingPathComponent("report.html").path
        let rendered = try CLI.run([repository.appendingPathComponent("Examples/digits/compare.json").path, "-o", html, "--quiet"])
        XCTAssertEqual(rendered.status, 0, rendered.stderr)
        let script = try String(contentsOf: repository.appendingPathComponent("scripts/browser_check.py"), encoding: .utf8)
        do {
            let output = try LibraryScript.run(
                script, arguments: [html, directory.appendingPathComponent("shots").path, "--chromium", chromium])
            let seen = try JSONSerialization.jsonObject(with: output) as? [String: Any]
            let highlighted = seen?["highlighted"] as? [String: Any]
            XCTAssertGreaterThanOrEqual(highlighted?["targets"] as? Int ?? 0, 2)
            XCTAssertTrue((seen?["tooltip"] as? String ?? "").hasPrefix("id "))
        } catch let failure as LibraryScript.Failure {
            XCTFail("browser check failed: \(failure.stderr.suffix(2000))")
        }
    }
}
