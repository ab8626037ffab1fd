import FederIndex
import FederRender
import Foundation

/// Query sources written as command-line text: `--ids 1,2,3` and `--vector-json '[0.1, 0.2]'`.
public enum QuerySourceText {
    /// A label in decimal (signed, or unsigned up to 2^64 − 1 for hnswlib), as the bits the searches compare.
    public static func label(_ text: String) -> Int64? {
        Label.bits(parsing: text.trimmingCharacters(in: .whitespaces))
    }

    /// The labels of a comma-separated id list, or nil when any part is not an integer (or there are none).
    public static func ids(_ text: String) -> [Int64]? {
        let labels = text.split(separator: ",", omittingEmptySubsequences: false).map { label(String($0)) }
        guard !labels.isEmpty, labels.allSatisfy({ $0 != nil }) else { return nil }
        return labels.compactMap { $0 }
    }

    /// The rows of an inline JSON vector (`[…]` or `[[…], …]`).
    /// - Throws: `FederIndexError` naming `--vector-json`.
    public static func inlineVector(_ text: String) throws -> [[Float]] {
        let table = try VectorFile.parseJSON(Data(text.utf8), name: "--vector-json")
        return (0..<table.count).map { table.row($0) }
    }
}

/// The interrupt handlers: SIGINT and SIGTERM remove the output file being written and exit with 128 + signal.
public enum Interrupts {
    public static func install() { PartialFiles.installSignalHandlers() }
}
