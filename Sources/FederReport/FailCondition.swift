import FederSearch
import Foundation

/// A `--fail-if` gate such as `recall<0.9`: a measure, a comparison, a threshold.
public struct FailCondition: Equatable, Sendable {
    public enum Comparison: String, CaseIterable, Sendable {
        case less = "<"
        case lessOrEqual = "<="
        case greater = ">"
        case greaterOrEqual = ">="

        func holds(_ value: Double, _ threshold: Double) -> Bool {
            switch self {
            case .less: return value < threshold
            case .lessOrEqual: return value <= threshold
            case .greater: return value > threshold
            case .greaterOrEqual: return value >= threshold
            }
        }
    }

    /// Which number of a side's distribution the gate reads (`recall.p95`, `needed.nprobe.max`); the mean by default.
    public enum Statistic: String, CaseIterable, Sendable {
        case mean, p50, p95, min, max

        func value(of distribution: Distribution) -> Double {
            switch self {
            case .mean: return distribution.mean
            case .p50: return distribution.p50
            case .p95: return distribution.p95
            case .min: return distribution.min
            case .max: return distribution.max
            }
        }
    }

    /// Which sweep points a gate judges (`recall@sweep<0.9`, `recall@nprobe=16<0.95`); nil: the sides' own runs.
    public enum SweepSelector: Equatable, Sendable {
        /// Every point of every sweep.
        case every
        /// The points at this value of this parameter (`nprobe` or `ef`).
        case point(parameter: String, value: Int)
    }

    public var measure: Measure
    public var statistic: Statistic = .mean
    public var sweep: SweepSelector?
    public var comparison: Comparison
    public var threshold: Double
    public var text: String

    /// Parses `MEASURE OP NUMBER` (spaces allowed), e.g. `recall<0.9`, `visited >= 5000`, `recall.p95<0.8`, and for
    /// sweep points `recall@sweep<0.9` or `recall@nprobe=16<0.95` (recall, distanceComputations, visited).
    public init?(_ text: String) {
        let compact = text.replacingOccurrences(of: " ", with: "")
        for op in [Comparison.lessOrEqual, .greaterOrEqual, .less, .greater] {
            guard let range = compact.range(of: op.rawValue) else { continue }
            var name = String(compact[..<range.lowerBound])
            // `@sweep` or `@nprobe=16` / `@ef=32`: the gate reads sweep points.
            if let at = name.firstIndex(of: "@") {
                let selector = name[name.index(after: at)...]
                name = String(name[..<at])
                if selector == "sweep" {
                    sweep = .every
                } else {
                    let parts = selector.split(separator: "=", omittingEmptySubsequences: false)
                    guard parts.count == 2, ["nprobe", "ef"].contains(String(parts[0])), let value = Int(parts[1]), value > 0 else {
                        return nil
                    }
                    sweep = .point(parameter: String(parts[0]), value: value)
                }
                guard [Measure.recall.rawValue, Measure.distanceComputations.rawValue, Measure.visited.rawValue].contains(name) else {
                    return nil
                }
            }
            var parsed = Measure(rawValue: name).map { ($0, Statistic.mean) }
            if parsed == nil, let dot = name.lastIndex(of: "."),
                let statistic = Statistic(rawValue: String(name[name.index(after: dot)...])),
                let measure = Measure(rawValue: String(name[..<dot])), measure != .jaccard
            {
                parsed = (measure, statistic)
            }
            guard let (measure, statistic) = parsed, let threshold = Self.number(compact[range.upperBound...]) else { return nil }
            self.measure = measure
            self.statistic = statistic
            comparison = op
            self.threshold = threshold
            self.text = compact
            return
        }
        return nil
    }

    /// What is wrong with a gate that does not parse, for the command line: a likely misspelt measure named
    /// (`recal<0.9`: did you mean recall?), else the syntax.
    public static func problem(_ text: String) -> String {
        let compact = text.replacingOccurrences(of: " ", with: "")
        let name = String(compact.prefix { !"<>@".contains($0) })
        let base = Statistic.allCases.reduce(name) { name, statistic in
            name.hasSuffix("." + statistic.rawValue) ? String(name.dropLast(statistic.rawValue.count + 1)) : name
        }
        if !base.isEmpty, Measure(rawValue: base) == nil,
            let near = suggestion(for: base, among: Measure.allCases.map(\.rawValue))
        {
            return "--fail-if '\(text)': unknown measure '\(base)'; did you mean \(near)?"
        }
        return "--fail-if '\(text)' is not MEASURE<NUMBER (\(syntax))."
    }

    /// The sweep points the gate selects that meet it; a line saying so when no sweep has the point named.
    func sweepFailures(in result: ReportResult, selecting selector: SweepSelector) -> [String] {
        var lines: [String] = []
        var judged = 0
        for (position, comparison) in result.comparisons.enumerated() {
            guard let sweep = comparison.sweep else { continue }
            let name = "comparison \(position + 1) '\(comparison.title)'"
            for (sideName, side, points) in [("left", comparison.left, sweep.left), ("right", comparison.right, sweep.right)] {
                for point in points {
                    if case .point(let parameter, let value) = selector, parameter != sweep.parameter || value != point.value { continue }
                    let value: Double?
                    switch measure {
                    case .recall: value = point.recall
                    case .distanceComputations: value = point.distanceComputations
                    default: value = point.visited
                    }
                    judged += 1
                    let at = "\(sideName) (\(side.index), \(side.query)) at \(sweep.parameter) \(point.value)"
                    guard let value else {
                        lines.append("\(name) \(at): \(measure.rawValue) not measured (\(text))")
                        continue
                    }
                    if self.comparison.holds(value, threshold) {
                        lines.append("\(name) \(at): \(measure.rawValue) \(String(format: "%.4g", value)) (\(text))")
                    }
                }
            }
        }
        if judged == 0 {
            let wanted: String
            switch selector {
            case .every: wanted = "no comparison has a sweep"
            case .point(let parameter, let value): wanted = "no sweep has a point at \(parameter) \(value)"
            }
            lines.append("\(text): \(wanted) to judge")
        }
        return lines
    }

    /// An index-level measure of `health`; nil where the index has no such structure (imbalance of a graph).
    static func healthValue(_ measure: Measure, of health: IndexHealth?) -> Double? {
        guard let health else { return nil }
        switch measure {
        case .unreachable: return health.hnsw.map { Double($0.unreachable) }
        case .inDegreeZero: return health.hnsw.map { Double($0.inDegreeZero) }
        case .imbalance: return health.ivf?.imbalanceFactor
        case .emptyLists: return health.ivf.map { Double($0.emptyLists) }
        default: return nil
        }
    }

    /// What a condition looks like, for usage messages.
    public static var syntax: String {
        "measures: \(Measure.allCases.map(\.rawValue).joined(separator: ", ")), each optionally followed by "
            + ".\(Statistic.allCases.map(\.rawValue).joined(separator: "|")) (default mean), or recall, distanceComputations or "
            + "visited @sweep (every sweep point) or @nprobe=N / @ef=N (one point); <, <=, >, >=; a finite decimal number"
    }

    /// A finite decimal number (`0.9`, `-2`, `1e3`); not `nan`, `inf` or hexadecimal, which `Double` also reads
    /// but which would make a gate that can never hold.
    static func number(_ text: Substring) -> Double? {
        guard !text.isEmpty, text.allSatisfy({ "0123456789.+-eE".contains($0) }), let value = Double(text), value.isFinite else {
            return nil
        }
        return value
    }

    /// One line per side (or comparison, for jaccard) that meets the condition.
    public func failures(in result: ReportResult) -> [String] {
        var lines: [String] = []
        if let sweep { return sweepFailures(in: result, selecting: sweep) }
        if [.unreachable, .inDegreeZero, .imbalance, .emptyLists].contains(measure) {
            for entry in result.health ?? [] {
                guard let value = Self.healthValue(measure, of: entry.health), self.comparison.holds(value, threshold) else { continue }
                lines.append("index '\(entry.index)' (\(entry.file)): \(measure.rawValue) \(String(format: "%.4g", value)) (\(text))")
            }
            return lines
        }
        for (position, comparison) in result.comparisons.enumerated() {
            let name = "comparison \(position + 1) '\(comparison.title)'"
            if measure == .jaccard {
                if let value = comparison.jaccard, self.comparison.holds(value, threshold) {
                    lines.append("\(name): jaccard \(String(format: "%.3f", value)) (\(text))")
                }
                continue
            }
            for (sideName, side) in [("left", comparison.left), ("right", comparison.right)] {
                // A gate on recall cannot pass where recall was not measured: an index of codes without its vectors.
                if measure == .recall, side.aggregates[.recall] == nil {
                    lines.append(
                        "\(name) \(sideName) (\(side.index), \(side.query)): recall not measured — the index keeps only codes; "
                            + "name the vectors that were added (\"vectors\" on its index entry) (\(text))")
                    continue
                }
                guard let value = side.aggregates[measure].map(statistic.value), self.comparison.holds(value, threshold) else { continue }
                let shown = measure.rawValue + (statistic == .mean ? "" : ".\(statistic.rawValue)")
                lines.append("\(name) \(sideName) (\(side.index), \(side.query)): \(shown) \(String(format: "%.4g", value)) (\(text))")
            }
        }
        return lines
    }
}
