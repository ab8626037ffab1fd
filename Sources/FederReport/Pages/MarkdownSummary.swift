import FederLayout
import Foundation

/// The summary as a Markdown table, for CI step summaries.
public enum MarkdownSummary {
    public static func render(_ result: ReportResult) -> String {
        var lines = [
            "## \(result.title)", "", "| # | comparison | left → right | visited | distance computations | recall@k | overlap |",
            "|---|---|---|---|---|---|---|",
        ]
        for (position, comparison) in result.comparisons.enumerated() {
            let left = comparison.left
            let right = comparison.right
            func pair(_ key: Measure) -> String {
                let l = left.aggregates[key]?.mean ?? 0
                let r = right.aggregates[key]?.mean ?? 0
                return "\(ViewKit.format(l)) → \(ViewKit.format(r)) (\(Charts.delta(l, r)))"
            }
            // "—" for a side without exact truth (codes without their vectors).
            let recalls = [left, right].map { side in side.aggregates[.recall].map { String(format: "%.2f", $0.mean) } }
            let recall = recalls.allSatisfy { $0 == nil } ? "—" : recalls.map { $0 ?? "—" }.joined(separator: " → ")
            let queries = max(left.queryCount, right.queryCount)
            let title = cell(comparison.title) + (queries > 1 ? " (\(queries) queries)" : "")
            lines.append(
                "| \(position + 1) | \(title) | \(cell(left.index)) · \(cell(left.query)) → \(cell(right.index)) · \(cell(right.query)) | \(pair(.visited)) | "
                    + "\(pair(.distanceComputations)) | \(recall) | \(comparison.overlapText ?? "—") |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Text that stays in one table cell: pipes escaped, line breaks as spaces.
    static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
