import FederIndex
import Foundation
import XCTest

/// Media lists: line numbering, path resolution, the tab form and the errors.
final class MediaListTests: XCTestCase {
    private var folder = URL(fileURLWithPath: NSTemporaryDirectory())

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("media-list-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func write(_ text: String, _ name: String = "list.txt") throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    private func assertError(
        _ expected: FederIndexError, file: StaticString = #filePath, line: UInt = #line,
        _ load: () throws -> MediaList
    ) {
        XCTAssertThrowsError(try load(), file: file, line: line) { error in
            XCTAssertEqual(error as? FederIndexError, expected, file: file, line: line)
            XCTAssertFalse(error.localizedDescription.contains("\n"), file: file, line: line)
        }
    }

    func testRelativePathsResolveAgainstTheListFolder() throws {
        let path = try write("a.png\nsub/b.jpg\n/abs/c.png\n")
        let list = try MediaList.load(listPath: path, kind: .image, root: nil)
        XCTAssertEqual(list.count, 3)
        XCTAssertEqual(list.imagePath(for: 0), folder.appendingPathComponent("a.png").path)
        XCTAssertEqual(list.imagePath(for: 1), folder.appendingPathComponent("sub/b.jpg").path)
        XCTAssertEqual(list.imagePath(for: 2), "/abs/c.png")
        XCTAssertNil(list.imagePath(for: 3))
        XCTAssertNil(list.text(for: 0), "an image list has no text")
    }

    func testRootOverridesTheListFolder() throws {
        let path = try write("a.png\n/abs/c.png")
        let list = try MediaList.load(listPath: path, kind: .image, root: "/data/images")
        XCTAssertEqual(list.imagePath(for: 0), "/data/images/a.png")
        XCTAssertEqual(list.imagePath(for: 1), "/abs/c.png")
    }

    func testListInWorkingFolderKeepsRelativePaths() throws {
        let path = try write("x.png\n")
        let previous = FileManager.default.currentDirectoryPath
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(folder.path))
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
        let list = try MediaList.load(listPath: URL(fileURLWithPath: path).lastPathComponent, kind: .image, root: nil)
        XCTAssertEqual(list.imagePath(for: 0), "x.png")
    }

    func testBlankLinesKeepLabelsAligned() throws {
        let path = try write("first\n\n   \nfourth  \r\nfifth\twith tab\n")
        let list = try MediaList.load(listPath: path, kind: .text, root: nil)
        XCTAssertEqual(list.count, 3)
        XCTAssertEqual(list.text(for: 0), "first")
        XCTAssertNil(list.text(for: 1))
        XCTAssertNil(list.text(for: 2))
        XCTAssertEqual(list.text(for: 3), "fourth  ")
        XCTAssertEqual(list.text(for: 4), "fifth\twith tab", "a text line with a tab but no label is plain text")
        XCTAssertNil(list.imagePath(for: 0), "a text list has no images")
    }

    func testByteOrderMarkAndMissingFinalNewline() throws {
        let path = try write("\u{FEFF}one\ntwo")
        let list = try MediaList.load(listPath: path, kind: .text, root: nil)
        XCTAssertEqual(list.entries, [0: "one", 1: "two"])
    }

    func testTabFormUsesExplicitLabels() throws {
        let path = try write("1000\tcat.png\n\n-1\t/abs/none.png\n 7 \tdog.png\n42\t\n")
        let list = try MediaList.load(listPath: path, kind: .image, root: "/img")
        XCTAssertEqual(list.count, 3)
        XCTAssertEqual(list.imagePath(for: 1000), "/img/cat.png")
        XCTAssertEqual(list.imagePath(for: -1), "/abs/none.png")
        XCTAssertEqual(list.imagePath(for: 7), "/img/dog.png")
        XCTAssertNil(list.imagePath(for: 42), "an empty value holds nothing")
        XCTAssertNil(list.imagePath(for: 0))
    }

    func testTabFormForText() throws {
        let path = try write("5\thello\tworld\n9\tbye\n")
        let list = try MediaList.load(listPath: path, kind: .text, root: nil)
        XCTAssertEqual(list.entries, [5: "hello\tworld", 9: "bye"])
    }

    func testMixedTextListIsPlain() throws {
        let path = try write("5\thello\nplain\n")
        let list = try MediaList.load(listPath: path, kind: .text, root: nil)
        XCTAssertEqual(list.entries, [0: "5\thello", 1: "plain"])
    }

    func testMalformedTabImageLine() throws {
        let path = try write("0\ta.png\n1\tb.png\n\nc.png\n")
        assertError(.malformedMediaListLine(path: path, line: 4, reason: "expected LABEL<TAB>PATH like the first entry")) {
            try MediaList.load(listPath: path, kind: .image, root: nil)
        }
    }

    func testRepeatedLabel() throws {
        let path = try write("3\ta.png\n3\tb.png\n")
        assertError(.malformedMediaListLine(path: path, line: 2, reason: "label 3 repeated")) {
            try MediaList.load(listPath: path, kind: .image, root: nil)
        }
    }

    func testMissingFile() {
        let path = folder.appendingPathComponent("absent.txt").path
        assertError(.cannotReadMediaList(path: path, reason: "no such file")) {
            try MediaList.load(listPath: path, kind: .image, root: nil)
        }
    }

    func testNotUTF8() throws {
        let url = folder.appendingPathComponent("latin1.txt")
        try Data([0x63, 0x61, 0x66, 0xE9, 0x0A]).write(to: url)  // "café" in Latin-1
        assertError(.mediaListNotUTF8(path: url.path)) { try MediaList.load(listPath: url.path, kind: .text, root: nil) }
    }

    func testEmptyList() throws {
        let list = try MediaList.load(listPath: try write(""), kind: .text, root: nil)
        XCTAssertEqual(list.count, 0)
        XCTAssertEqual(MediaList(kind: .image, entries: [4: "/a.png"]).imagePath(for: 4), "/a.png")
    }
}
