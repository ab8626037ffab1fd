import FederIndex
import FederSearch
import Foundation

/// `feder-report inspect`: what an index file holds, as text or one JSON object.
public enum InspectJob {
    /// The summary of `file`, readable (`json` false) or as sorted-key JSON.
    /// - Throws: `FederIndexError`.
    public static func run(file: String, space: Space, json: Bool) throws -> String {
        let index = try IndexFile.open(path: file, space: space.metric)
        var summary = IndexSummary(index)
        summary.nonFiniteVectors = index.countNonFiniteVectors()
        if let traced = index.traced {
            summary.kernels = traced.kernels
        } else if case .hnswlib = index {
            summary.kernels = Kernels.active.name(for: true)
        } else {
            summary.kernels = Kernels.active.name(for: false)
        }
        summary.fileBytes = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? nil
        return json ? try JSONOutput.encode(summary) + "\n" : IndexSummaryText.render(summary, path: file)
    }
}
