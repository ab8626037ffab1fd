import FederIndex
import FederSearch
import Foundation

/// `feder-report merge`: the `--summary` files of every part of a sliced job (`--slice I/N`, one per CI matrix job)
/// joined into the whole job's numbers, as if it had run in one go: each query set's outcomes in row order, every
/// distribution worked out again from them, sweep points and overlaps weighted by the queries each part ran.
public enum SummaryMerge {
    /// Reads every part and merges them.
    /// - Throws: `ReportError.cannotRead` for a file that cannot be read, `ReportError.notMergeable` for one that is
    ///   not a part of the same sliced job as the others (not a summary, another job, a part missing or given twice).
    public static func merge(files: [String]) throws -> ReportResult {
        let parts = try files.map { file -> (file: String, result: ReportResult) in
            let data: Data
            if let problem = FileAccess.problem(reading: file) { throw ReportError.cannotRead(path: file, reason: problem) }
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: file))
            } catch {
                throw ReportError.cannotRead(path: file, reason: (error as NSError).localizedDescription)
            }
            do {
                return (file, try JSONDecoder().decode(ReportResult.self, from: data))
            } catch {
                throw ReportError.notMergeable(file: file, detail: "not a feder-report --summary file (\(describe(error)))")
            }
        }
        return try merge(parts)
    }

    /// Merges parts already read (`file` names each in messages).
    public static func merge(_ given: [(file: String, result: ReportResult)]) throws -> ReportResult {
        guard let head = given.first else { throw ReportError.notMergeable(file: "merge", detail: "no summary files given") }
        for part in given where part.result.slice == nil {
            throw ReportError.notMergeable(file: part.file, detail: "not a part of a sliced job (run the report with --slice I/N)")
        }
        let count = head.result.slice?.count ?? 0
        var byIndex: [Int: (file: String, result: ReportResult)] = [:]
        for part in given {
            guard let slice = part.result.slice, slice.count == count else {
                throw ReportError.notMergeable(
                    file: part.file, detail: "is slice \(part.result.slice?.description ?? "?"), but \(head.file) is a part of \(count)")
            }
            if let other = byIndex[slice.index] {
                throw ReportError.notMergeable(file: part.file, detail: "slice \(slice.description) is also in \(other.file)")
            }
            byIndex[slice.index] = part
        }
        let missing = (1...max(count, 1)).filter { byIndex[$0] == nil }
        guard missing.isEmpty else {
            throw ReportError.notMergeable(
                file: head.file,
                detail: "slice\(missing.count > 1 ? "s" : "") \(missing.map { "\($0)/\(count)" }.joined(separator: ", ")) missing")
        }
        let parts = (1...count).compactMap { byIndex[$0] }
        let first = parts[0]
        for part in parts.dropFirst() {
            guard part.result.title == first.result.title, part.result.comparisons.count == first.result.comparisons.count else {
                throw ReportError.notMergeable(
                    file: part.file, detail: "is not a part of the same job as \(first.file) (other title or comparisons)")
            }
        }
        var merged = first.result
        merged.slice = nil
        for position in merged.comparisons.indices {
            let comparisons = parts.map { $0.result.comparisons[position] }
            for (part, comparison) in zip(parts, comparisons) where comparison.title != comparisons[0].title {
                throw ReportError.notMergeable(
                    file: part.file,
                    detail: "comparison \(position + 1) is '\(comparison.title)', but in \(first.file) it is '\(comparisons[0].title)'")
            }
            merged.comparisons[position] = try mergeComparison(comparisons, files: parts.map(\.file), position: position)
        }
        return merged
    }

    static func mergeComparison(_ parts: [ComparisonResult], files: [String], position: Int) throws -> ComparisonResult {
        var merged = parts[0]
        merged.left = try mergeSide(parts.map(\.left), files: files, at: "comparison \(position + 1), left")
        merged.right = try mergeSide(parts.map(\.right), files: files, at: "comparison \(position + 1), right")
        let weights = parts.map { Double($0.left.queryCount) }
        if parts.allSatisfy({ $0.jaccard != nil }) {
            merged.jaccard = weighted(parts.map { $0.jaccard ?? 0 }, weights)
        } else {
            merged.jaccard = nil
        }
        if let sweep = parts[0].sweep {
            var result = sweep
            let sweeps = parts.compactMap(\.sweep)
            guard sweeps.count == parts.count, sweeps.allSatisfy({ $0.values == sweep.values && $0.parameter == sweep.parameter })
            else {
                throw ReportError.notMergeable(file: files[0], detail: "comparison \(position + 1): the parts swept different values")
            }
            result.left = mergePoints(sweeps.map(\.left), sides: parts.map(\.left))
            result.right = mergePoints(sweeps.map(\.right), sides: parts.map(\.right))
            let coarse = Set(sweeps.flatMap { $0.fromCoarseOrder ?? [] })
            result.fromCoarseOrder = coarse.isEmpty ? nil : ["left", "right"].filter(coarse.contains)
            merged.sweep = result
        }
        return merged
    }

    /// One side over every part: a sliced query set's outcomes in row order (checked to cover it once), a single
    /// query (run whole in every part) as the first part ran it.
    static func mergeSide(_ parts: [SideResult], files: [String], at place: String) throws -> SideResult {
        var merged = parts[0]
        for (file, part) in zip(files, parts)
        where part.index != merged.index || part.query != merged.query || part.parameters != merged.parameters {
            throw ReportError.notMergeable(file: file, detail: "\(place) searches \(part.index) · \(part.query), not as in \(files[0])")
        }
        guard parts[0].slice != nil else { return merged }
        var next = 0
        var queries: [QueryOutcome] = []
        for (file, part) in zip(files, parts) {
            guard let slice = part.slice, slice.first == next, slice.count == part.queries.count, slice.total == parts[0].slice?.total
            else {
                throw ReportError.notMergeable(
                    file: file, detail: "\(place): its rows do not follow on from the previous part's (query set \(part.query))")
            }
            next += slice.count
            queries += part.queries
        }
        guard next == parts[0].slice?.total else {
            throw ReportError.notMergeable(
                file: files[files.count - 1], detail: "\(place): the parts cover \(next) of \(parts[0].slice?.total ?? 0) queries")
        }
        let unsigned = merged.labels.isUnsigned
        merged.queries = queries.map { outcome in
            var labelled = outcome
            labelled.unsignedLabels = unsigned
            return labelled
        }
        merged.first.unsignedLabels = unsigned
        merged.queryCount = queries.count
        merged.aggregates = SideResult.aggregates(of: merged.queries)
        merged.slice = nil
        return merged
    }

    /// Each sweep point's means over all queries: recall weighted by the queries that had it, work by all queries.
    static func mergePoints(_ series: [[SweepPoint]], sides: [SideResult]) -> [SweepPoint] {
        guard let head = series.first else { return [] }
        let all = sides.map { Double($0.queryCount) }
        let measured = sides.map { Double($0.queries.compactMap(\.recall).count) }
        return head.indices.map { point in
            let points = series.map { $0[point] }
            var merged = points[0]
            let recalls = points.map(\.recall)
            merged.recall = recalls.contains(where: { $0 == nil }) ? nil : weighted(recalls.map { $0 ?? 0 }, measured)
            merged.distanceComputations = weighted(points.map(\.distanceComputations), all)
            merged.visited = weighted(points.map(\.visited), all)
            return merged
        }
    }

    static func weighted(_ values: [Double], _ weights: [Double]) -> Double {
        let total = weights.reduce(0, +)
        guard total > 0 else { return values.first ?? 0 }
        return zip(values, weights).reduce(0) { $0 + $1.0 * $1.1 } / total
    }

    static func describe(_ error: any Error) -> String {
        func path(_ context: DecodingError.Context) -> String {
            "$" + context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "\(path(context)): missing '\(key.stringValue)'"
        case DecodingError.dataCorrupted(let context), DecodingError.typeMismatch(_, let context),
            DecodingError.valueNotFound(_, let context):
            return "\(path(context)): \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }
}
