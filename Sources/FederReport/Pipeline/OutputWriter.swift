import FederIndex
import FederLayout
import FederRender
import Foundation

/// Writes what a job produced: pages to PDF, PNG or SVG, panels into a folder, text files. Every file goes to a
/// temporary name beside its target and is renamed into place, so a failed run keeps the previous output.
public struct OutputWriter: Sendable {
    /// PNG resolution in pixels per inch.
    public var dpi: Double
    /// Warnings of the writes so far (images drawn as placeholders), each once.
    public private(set) var warnings: [String] = []

    public init(dpi: Double = 144) { self.dpi = dpi }

    /// PDF, HTML: one file; PNG/SVG: one file per page (`x.png` for one page, `x-1.png` … for several).
    /// - Returns: the files written.
    /// - Throws: `RenderError`.
    mutating func write(_ pages: [Scene], to path: String, title: String) throws -> [String] {
        let format = try OutputFormat(path: path)
        var written: [String] = []
        if format.holdsPages || pages.count == 1 {
            note(try DocumentWriter.write(format.holdsPages ? pages : Array(pages.prefix(1)), to: path, dpi: dpi, title: title))
            written.append(path)
        } else {
            let stem = (path as NSString).deletingPathExtension
            for (number, page) in pages.enumerated() {
                let pagePath = "\(stem)-\(number + 1).\(format.rawValue)"
                note(try DocumentWriter.write([page], to: pagePath, dpi: dpi, title: title))
                written.append(pagePath)
            }
        }
        return written
    }

    /// Every panel as `folder/NAME.png`; creates the folder.
    /// - Throws: `RenderError`.
    mutating func write(panels: [(name: String, scene: Scene)], into folder: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw RenderError.cannotWrite(path: folder, reason: error.localizedDescription)
        }
        // Each panel twice: a PNG for documents and chat, an SVG that scales (and whose text can be searched).
        for panel in panels {
            let base = (folder as NSString).appendingPathComponent(panel.name)
            note(try DocumentWriter.write([panel.scene], to: base + ".png", dpi: dpi))
            note(try DocumentWriter.write([panel.scene], to: base + ".svg", dpi: dpi))
        }
    }

    /// Refuses, before any work, an output whose folder is missing or cannot be written.
    /// - Throws: `ReportError.cannotWrite`.
    static func checkWritable(_ path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if let problem = FileAccess.problem(writingInto: directory.isEmpty ? "." : directory) {
            throw ReportError.cannotWrite(path: path, reason: problem)
        }
    }

    /// `data` to `path`, atomically.
    /// - Throws: `ReportError.cannotWrite`.
    func write(_ data: Data, to path: String) throws {
        try Self.checkWritable(path)
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ReportError.cannotWrite(path: path, reason: error.localizedDescription)
        }
    }

    private mutating func note(_ new: [String]) {
        for warning in new where !warnings.contains(warning) { warnings.append(warning) }
    }

    /// At most five warnings, then one line saying how many more there were.
    public static func summarise(_ warnings: [String]) -> [String] {
        let unique = Array(Set(warnings)).sorted()
        guard unique.count > 5 else { return unique }
        return Array(unique.prefix(5)) + ["… and \(unique.count - 5) more images could not be loaded (drawn as placeholders)"]
    }
}
