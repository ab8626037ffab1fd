import FederIndex
import FederSearch
import Foundation

/// `feder-report inspect`: what an index file holds, as text or one JSON object.
public enum InspectJob {
    /// The summary of `file`, readable (`json` false) or as sorted-key JSON.
    /// - Throws: `FederIndexError`.
    public static func run(file: String, space: Space, json: Bool) throws -> String {
        let index = try IndexFile.open(path: file, space: space.metric)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? nil
        return try run(index: index, name: file, fileBytes: bytes, json: json)
    }

    /// The summary of an opened index (a file's, or a database's), called `name`.
    public static func run(index: IndexFile, name: String, fileBytes: Int?, json: Bool) throws -> String {
        var summary = IndexSummary(index)
        summary.nonFiniteVectors = index.countNonFiniteVectors()
        if let traced = index.traced {
            summary.kernels = traced.kernels
        } else if case .hnswlib = index {
            summary.kernels = Kernels.active.name(for: true)
        } else {
            summary.kernels = Kernels.active.name(for: false)
        }
        if let fileBytes { summary.fileBytes = fileBytes }
        return json ? try JSONOutput.encode(summary) + "\n" : IndexSummaryText.render(summary, path: name)
    }
}
