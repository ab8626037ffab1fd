/// What is wrong with a part of a job spec, as data; `message` is the one place that words it (`SpecNode` puts the
/// message into a `SpecProblem` with the file and the place).
enum SpecFault: Equatable, Sendable {
    case unreadable(reason: String)
    case tooLarge(limit: Int)
    case wrongType(expected: String, found: String)
    case unknownKey(String, advice: SpecKeyAdvice)
    case missingKey(String)
    case duplicateKey(String, first: SourcePosition)
    case emptyName(of: String)
    /// `text` as written; `name` is the key (`k`) when the value has one.
    case notWholeNumber(text: String, range: ClosedRange<Int>, name: String?)
    case notFloat(text: String)
    case emptyPath
    case nulInPath
    case fileNotFound(path: String, resolved: String)
    case folderNotFile(path: String, resolved: String)
    case unknownSpace(String)
    case unknownMediaType(String)
    case fileAndShards
    /// A file-index key in a pgvector index entry.
    case notWithPostgres(String)
    /// A pgvector setting pgvector would refuse.
    case badSetting(String)
    /// `index` in an index entry without `postgres`.
    case indexWithoutPostgres
    case datasetWithoutHDF5
    case emptyDataset
    case tooFewShards(Int)
    case tooManyShards(Int, limit: Int)
    case unknownShardIds(String)
    case shardIdsWithoutShards
    case vectorsWithShards
    case noIndexes
    case noComparisons
    case tooManyComparisons(count: Int, limit: Int)
    case querySources(found: [String])
    case rowWithout(source: String)
    case emptyIDs
    case tooManyQueries(count: Int, what: String, limit: Int)
    case tooManySweepPoints(count: Int, limit: Int)
    case emptyInlineVector
    case emptyInlineRow
    case raggedRows(row: Int, length: Int, firstLength: Int)
    case mixedInline
    case pathOrNumbers(found: String)
    case unknownReference(kind: String, name: String, suggestion: String?, known: [String])
    case sweepShape
    case emptySweep
    case repeatedSweepValue(text: String)
    case unknownTemplate(String, suggestion: String?)
    case unknownPage(String, names: [String], suggestion: String?)
    case unknownTheme(String)
    case unknownProjection(String)

    /// The message on one line: control, line-separator and bidirectional-override characters from the spec
    /// (in keys, names or paths) are written as `\u{…}` so they cannot break or disguise an error line, and a
    /// message made huge by a huge key or name is cut short.
    var message: String {
        let text = wording
        return Self.printable(text.count > Self.maxMessage ? text.prefix(Self.maxMessage) + "…" : text)
    }

    static let maxMessage = 480

    static func printable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isUnprintable) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            if isUnprintable(scalar) {
                result += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    static func isUnprintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x7F..<0xA0, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C: return true
        default: return false
        }
    }

    private var wording: String {
        switch self {
        case .unreadable(let reason):
            return "cannot read the spec (\(reason))"
        case .tooLarge(let limit):
            return "the spec is larger than \(limit >> 20) MiB, the most a spec may be"
        case .wrongType(let expected, let found):
            return "expected \(expected), found \(found)"
        case .unknownKey(let key, let advice):
            return "unknown key '\(key)'\(advice.text)"
        case .missingKey(let key):
            return "missing '\(key)'"
        case .duplicateKey(let key, let first):
            return "duplicate key '\(key)' (first at \(first))"
        case .emptyName(let kind):
            return "an \(kind) name cannot be empty"
        case .notWholeNumber(let text, let range, let name):
            let subject = name.map { "`\($0)` must be" } ?? "expected"
            if range.lowerBound == 1 {
                return "\(subject) a positive whole number (at most \(range.upperBound)), found \(text)"
            }
            return "\(subject) a whole number in \(range.lowerBound)…\(range.upperBound), found \(text)"
        case .notFloat(let text):
            return "\(text) is beyond the range of a 32-bit float"
        case .emptyPath:
            return "empty path"
        case .nulInPath:
            return "a path cannot contain U+0000"
        case .fileNotFound(let path, let resolved):
            return "file not found: \(path) (looked for \(resolved))"
        case .folderNotFile(let path, let resolved):
            return "\(path) is a folder, not a file (\(resolved))"
        case .unknownSpace(let text):
            return "space '\(text)' is not one of l2, ip, cosine"
        case .unknownMediaType(let text):
            return "media type '\(text)' is not image or text"
        case .datasetWithoutHDF5:
            return "dataset names a dataset of an .hdf5 (or .h5) vector file; this query has none"
        case .emptyDataset:
            return "the dataset name cannot be empty"
        case .fileAndShards:
            return "give either 'file' or 'shards', not both"
        case .notWithPostgres(let key):
            return "'\(key)' belongs to an index file; a pgvector entry ('postgres', 'index') reads its table"
        case .badSetting(let detail):
            return detail
        case .indexWithoutPostgres:
            return "'index' names a pgvector index in a database and goes with 'postgres' (a connection string); "
                + "an index file goes in 'file'"
        case .tooFewShards(let count):
            return "list at least two shard files (found \(count)); a single file goes in 'file'"
        case .tooManyShards(let count, let limit):
            return "\(count) shards; at most \(limit) per index"
        case .unknownShardIds(let text):
            return
                "shardIds '\(text)' is not successive (each shard's labels shifted by the vectors before it, faiss's default) or stored (labels as each shard stores them)"
        case .shardIdsWithoutShards:
            return "shardIds applies only to an index given as 'shards'"
        case .vectorsWithShards:
            return "'vectors' cannot be combined with 'shards' (give the shards' own stored vectors)"
        case .noIndexes:
            return "name at least one index"
        case .noComparisons:
            return "list at least one comparison"
        case .tooManyComparisons(let count, let limit):
            return "\(count) comparisons; at most \(limit) fit a report"
        case .querySources(let found):
            return found.isEmpty
                ? "give one of id, ids or vector" : "give only one of id, ids or vector (found \(found.joined(separator: ", ")))"
        case .rowWithout(let source):
            return "row goes with a vector file, not \(source)"
        case .emptyIDs:
            return "list at least one id"
        case .tooManyQueries(let count, let what, let limit):
            return "\(count) \(what); at most \(limit) queries per set"
        case .tooManySweepPoints(let count, let limit):
            return "\(count) sweep points; at most \(limit) fit a chart"
        case .emptyInlineVector:
            return "an inline vector needs numbers"
        case .emptyInlineRow:
            return "an inline row needs numbers"
        case .raggedRows(let row, let length, let firstLength):
            return "inline rows have different lengths: row \(row) has \(length) numbers, row 0 has \(firstLength)"
        case .mixedInline:
            return "an inline vector is either numbers or rows of numbers, not both"
        case .pathOrNumbers(let found):
            return "expected a file path or an array of numbers, found \(found)"
        case .unknownReference(let kind, let name, let suggestion, let known):
            let hint = suggestion.map { " — did you mean \($0)?" } ?? ""
            return "unknown \(kind) '\(name)'\(hint) (the spec names \(known.joined(separator: ", ")))"
        case .sweepShape:
            return "sweep one parameter: {\"nprobe\": [...]} or {\"ef\": [...]}"
        case .emptySweep:
            return "list at least one value"
        case .repeatedSweepValue(let text):
            return "\(text) is swept twice; list each value once"
        case .unknownTemplate(let text, let suggestion):
            let hint = suggestion.map { " — did you mean \($0)?" } ?? ""
            return "template '\(text)' is neither compare, compact, slides nor an existing file\(hint)"
        case .unknownPage(let text, let names, let suggestion):
            let hint = suggestion.map { " — did you mean \($0)?" } ?? ""
            return "page '\(text)' is not one of \(names.joined(separator: ", "))\(hint)"
        case .unknownTheme(let text):
            return "theme '\(text)' is not light or dark"
        case .unknownProjection(let text):
            return "projection '\(text)' is not pca, umap or tsne"
        }
    }
}

extension SpecFault {
    /// A file the spec names that cannot be opened (exit 66, as for any input that cannot be opened).
    var isUnopenableFile: Bool {
        switch self {
        case .fileNotFound, .folderNotFile: return true
        default: return false
        }
    }
}
