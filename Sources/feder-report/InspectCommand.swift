import ArgumentParser
import FederIndex
import Foundation

/// `feder-report inspect FILE`: what an index file holds.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Summarise a Faiss or hnswlib index file.",
        discussion: "Exit codes: 0 ok, 65 the file is corrupt or unsupported, 66 it cannot be opened.")

    @Argument(help: "The index file (faiss write_index or hnswlib save_index).")
    var file: String

    @Option(help: "The hnswlib space the index was built with: l2, ip or cosine (hnswlib files do not record it).")
    var space: SpaceOption = .l2

    @Flag(help: "Print one JSON object instead of the readable summary.")
    var json = false

    func run() throws {
        let summary = try reportingErrors { () -> IndexSummary in
            let index = try IndexFile.open(path: file, space: space.metric)
            var summary = IndexSummary(index)
            summary.nonFiniteVectors = index.countNonFiniteVectors()
            summary.fileBytes = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? nil
            return summary
        }
        if json {
            print(try encodeJSON(summary))
        } else {
            print(SummaryText.render(summary, path: file), terminator: "")
        }
    }
}

/// The spaces hnswlib knows, as a command-line option.
enum SpaceOption: String, ExpressibleByArgument, CaseIterable {
    case l2, ip, cosine

    var metric: Metric {
        switch self {
        case .l2: return .l2
        case .ip: return .innerProduct
        case .cosine: return .cosine
        }
    }
}

/// Sorted-key JSON on one line (or indented with `pretty`), the form every `--json` output uses.
func encodeJSON<T: Encodable>(_ value: T, pretty: Bool = false) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
        positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
