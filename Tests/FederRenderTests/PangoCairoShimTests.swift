import Foundation
import XCTest

/// CPangoCairo declares the pango functions it uses instead of including pango's headers (whose pkg-config flags
/// carry a -pthread SwiftPM warns about). Compiled against the installed headers, those declarations must be
/// pango's own: the same prototypes (a C compiler refuses a conflicting redeclaration), and the same constants,
/// enum values and rectangle layout (printed by both and compared).
final class PangoCairoShimTests: XCTestCase {
    private var shimDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/CPangoCairo")
    }

    private func run(_ tool: String, _ arguments: [String], in directory: URL) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        process.currentDirectoryURL = directory
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func testTheShimDeclaresWhatPangosHeadersDeclare() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pango-shim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let flags = try run("pkg-config", ["--cflags", "pangocairo"], in: directory)
        guard flags.status == 0 else { throw XCTSkip("pango's development files are not installed: \(flags.output)") }
        let cflags = flags.output.split(whereSeparator: \.isWhitespace).map(String.init)
        let include = ["-I", shimDirectory.path]

        // Every prototype redeclared after pango's own: a mismatch is an error.
        let prototypes = "#include <pango/pangocairo.h>\n#define FEDER_PANGO_SHIM_DECLARATIONS_ONLY\n#include \"shim.h\"\n"
        try prototypes.write(to: directory.appendingPathComponent("prototypes.c"), atomically: true, encoding: .utf8)
        let compiled = try run(
            "cc", ["-std=gnu11", "-Werror", "-fsyntax-only"] + cflags + include + ["prototypes.c"], in: directory)
        XCTAssertEqual(compiled.status, 0, compiled.output)

        // The constants, enum values and rectangle layout, printed from pango's header and from the shim.
        let printer = """
            #include <stdio.h>
            #include <stddef.h>
            #include HEADER
            int main(void) {
                printf("%d %d %d %d %d %d %d %d %d %d %d\\n", PANGO_SCALE, PANGO_ALIGN_LEFT, PANGO_ALIGN_CENTER,
                       PANGO_ALIGN_RIGHT, PANGO_WRAP_WORD, PANGO_WRAP_CHAR, PANGO_WRAP_WORD_CHAR, PANGO_ELLIPSIZE_NONE,
                       PANGO_ELLIPSIZE_START, PANGO_ELLIPSIZE_MIDDLE, PANGO_ELLIPSIZE_END);
                printf("%zu %zu %zu %zu %zu\\n", sizeof(PangoRectangle), offsetof(PangoRectangle, x),
                       offsetof(PangoRectangle, y), offsetof(PangoRectangle, width), offsetof(PangoRectangle, height));
                return 0;
            }
            """
        try printer.write(to: directory.appendingPathComponent("printer.c"), atomically: true, encoding: .utf8)
        var printed: [String] = []
        for (name, header) in [("pango", "<pango/pangocairo.h>"), ("shim", "\"shim.h\"")] {
            let built = try run("cc", ["-std=gnu11", "-DHEADER=\(header)"] + cflags + include + ["printer.c", "-o", name], in: directory)
            XCTAssertEqual(built.status, 0, built.output)
            let ran = try run(directory.appendingPathComponent(name).path, [], in: directory)
            XCTAssertEqual(ran.status, 0, ran.output)
            printed.append(ran.output)
        }
        XCTAssertEqual(printed.first, printed.last)
        XCTAssertTrue(printed.first?.hasPrefix("1024 0 1 2 0 1 2 0 1 2 3") ?? false, printed.first ?? "")
    }
}
