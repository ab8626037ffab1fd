import Foundation

/// What each vector label shows: an image file or a text snippet, read from a one-entry-per-line list.
///
/// Plain form: line i (0-based) belongs to label i; a blank line keeps the numbering but holds nothing.
/// Tab form, used when every non-blank line is `LABEL<TAB>VALUE` with an integer label: labels are explicit.
/// Image paths that are relative are resolved against `root` when given, else against the list's folder.
public struct MediaList: Sendable {
    /// Whether the entries are image paths or text snippets.
    public enum Kind: String, Codable, Sendable { case image, text }

    /// Whether the entries are image paths or text snippets.
    public let kind: Kind
    /// Label → image path (absolute or as resolved) or text; labels without an entry are absent.
    public let entries: [Int64: String]

    public init(kind: Kind, entries: [Int64: String]) {
        self.kind = kind
        self.entries = entries
    }

    /// Number of labels that have an entry (blank lines are not counted).
    public var count: Int { entries.count }

    /// The image path for `label`, or nil when there is none or this is a text list.
    public func imagePath(for label: Int64) -> String? {
        kind == .image ? entries[label] : nil
    }

    /// The text snippet for `label`, or nil when there is none or this is an image list.
    public func text(for label: Int64) -> String? {
        kind == .text ? entries[label] : nil
    }

    /// Reads the list at `listPath`.
    ///
    /// In an image list whose first non-blank line is in tab form, a later line that is not is an error (a
    /// path such as `12<TAB>a.jpg` would be nonsense); a text list with such a mix is read in plain form,
    /// since text may contain tabs. A label given twice in tab form is an error.
    ///
    /// - Throws: `FederIndexError.cannotReadMediaList`, `.mediaListNotUTF8` or `.malformedMediaListLine`.
    public static func load(listPath: String, kind: Kind, root: String?) throws -> MediaList {
        if let problem = FileAccess.problem(reading: listPath) {
            throw FederIndexError.cannotReadMediaList(path: listPath, reason: problem)
        }
        guard let data = FileManager.default.contents(atPath: listPath) else {
            throw FederIndexError.cannotReadMediaList(path: listPath, reason: "read error")
        }
        guard var content = String(data: data, encoding: .utf8) else {
            throw FederIndexError.mediaListNotUTF8(path: listPath)
        }
        if content.hasPrefix("\u{FEFF}") { content.removeFirst() }

        // "\r\n" is one Character in Swift, so it has to be named as a separator of its own.
        var lines = content.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        if lines.last?.isEmpty == true { lines.removeLast() }  // the newline ending the last line

        let base: String
        if let root { base = root } else { base = (listPath as NSString).deletingLastPathComponent }
        func value(_ raw: Substring) -> String? {
            guard !isBlank(raw) else { return nil }
            switch kind {
            case .text: return String(raw)
            case .image: return resolve(raw.trimmingCharacters(in: .whitespaces), against: base)
            }
        }

        let nonBlank = lines.indices.filter { !isBlank(lines[$0]) }
        let tabbed = nonBlank.filter { tabEntry(lines[$0]) != nil }
        let useTabs = !nonBlank.isEmpty && tabbed.count == nonBlank.count
        if !useTabs, kind == .image, let first = nonBlank.first, tabEntry(lines[first]) != nil,
            let bad = nonBlank.first(where: { tabEntry(lines[$0]) == nil })
        {
            throw FederIndexError.malformedMediaListLine(
                path: listPath, line: bad + 1, reason: "expected LABEL<TAB>PATH like the first entry")
        }

        var entries: [Int64: String] = [:]
        if useTabs {
            for index in nonBlank {
                guard let (label, raw) = tabEntry(lines[index]) else { continue }
                guard entries[label] == nil else {
                    throw FederIndexError.malformedMediaListLine(path: listPath, line: index + 1, reason: "label \(label) repeated")
                }
                if let value = value(raw) { entries[label] = value }
            }
        } else {
            for index in nonBlank {
                if let value = value(lines[index]) { entries[Int64(index)] = value }
            }
        }
        return MediaList(kind: kind, entries: entries)
    }

    private static func isBlank(_ line: Substring) -> Bool {
        line.allSatisfy { $0.isWhitespace }
    }

    /// `LABEL<TAB>VALUE` split into its label and value, or nil when the line is not of that form.
    private static func tabEntry(_ line: Substring) -> (Int64, Substring)? {
        guard let tab = line.firstIndex(of: "\t"),
            let label = Int64(line[..<tab].trimmingCharacters(in: .whitespaces))
        else { return nil }
        return (label, line[line.index(after: tab)...])
    }

    /// `path` unchanged when absolute, else appended to `base` (itself possibly relative to the working folder).
    private static func resolve(_ path: String, against base: String) -> String {
        if path.hasPrefix("/") || base.isEmpty { return path }
        return (base as NSString).appendingPathComponent(path)
    }
}
