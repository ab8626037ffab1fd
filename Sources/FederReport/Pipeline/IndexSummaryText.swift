import FederIndex
import Foundation

/// The readable form of an `IndexSummary` (what `inspect` prints).
enum IndexSummaryText {
    static let metricNames: [String: String] = [
        "l2": "L2 (squared distances)", "ip": "inner product", "cosine": "cosine (1 − dot of normalised vectors)",
        "l1": "L1 (Σ|a − b|)", "linf": "L∞ (max |a − b|)", "hamming": "Hamming (differing bits)",
    ]

    static func render(_ summary: IndexSummary, path: String) -> String {
        var size = ""
        if let bytes = summary.fileBytes { size = ", " + formatBytes(bytes) }
        let kind =
            summary.format == summary.type
            ? "\(summary.format) index" : "\(summary.format) \(summary.type) (\(summary.typeName ?? summary.type))"
        var lines = ["\(path): \(kind)\(size)"]
        lines += body(summary, indent: "  ")
        return lines.joined(separator: "\n") + "\n"
    }

    static func body(_ summary: IndexSummary, indent: String) -> [String] {
        var lines: [String] = []
        func add(_ label: String, _ value: String) {
            lines.append(indent + label.padding(toLength: 14, withPad: " ", startingAt: 0) + value)
        }
        if summary.vectorType == "bits" {
            add("vectors", "\(summary.count) × \(summary.dim) bits (codes of \(summary.dim / 8) bytes)")
        } else if let components = summary.vectorType {
            add("vectors", "\(summary.count) × \(summary.dim) \(components)")
        } else {
            add("vectors", "\(summary.count) × \(summary.dim) float32")
        }
        var metric = metricNames[summary.metric] ?? summary.metric
        if summary.format == "hnswlib" { metric += " — as given by --space; hnswlib files do not record it" }
        add("metric", metric)
        if let kernels = summary.kernels { add("kernels", kernels + " (the library build searches reproduce; --kernels)") }
        if let transforms = summary.transforms {
            add("transforms", transforms.isEmpty ? "none" : transforms.joined(separator: " → then "))
        }
        if let kFactor = summary.kFactor {
            add("shortlist", "k_factor \(formatFactor(kFactor)) × k from the base index, re-scored by the refine index")
        }
        if let nlist = summary.nlist, let sizes = summary.listSizes {
            add("lists", "nlist \(nlist), nprobe \(summary.nprobe ?? 1) (saved default)")
            if let quantizer = summary.quantizer {
                let name = summary.quantizerTypeName.map { " (\($0))" } ?? ""
                let ef = summary.quantizerEfSearch.map { ", efSearch \($0) (saved default): lists ranked by its graph search" } ?? ""
                add("quantizer", quantizer + name + ef)
            }
            let sorted = sizes.sorted()
            // p50 and p95 as health and the report say them (Quantile.nearestRank).
            add(
                "list sizes",
                "min \(sorted.first ?? 0) · p50 \(Quantile.nearestRank(sorted, 0.5)) · p95 \(Quantile.nearestRank(sorted, 0.95)) · "
                    + "max \(sorted.last ?? 0) · \(summary.emptyLists ?? 0) empty")
            add("storage", "\(summary.invlistsLayout ?? "?") inverted lists, direct map \(summary.directMap ?? "none")")
        }
        if let pq = summary.pq {
            let residual = summary.byResidual.map { ", by residual \($0)" } ?? ""
            let fastScan = summary.fastScanBlock.map { ", fast scan in blocks of \($0)" } ?? ""
            add("encoding", "product quantizer: \(pq.M) × \(pq.nbits) bits\(residual)\(fastScan)")
        }
        if let sq = summary.sq {
            add("encoding", "scalar quantizer \(sq.name)" + (summary.byResidual.map { ", by residual \($0)" } ?? ""))
        }
        if let codeSize = summary.codeSize, summary.pq != nil || summary.sq != nil {
            let ratio = Double(summary.dim * 4) / Double(max(codeSize, 1))
            add("code size", "\(codeSize) bytes per vector (\(String(format: "%.1f", ratio))× smaller than float32)")
        }
        if let counts = summary.levelCounts {
            let perLevel = counts.enumerated().map { "L\($0.offset) \($0.element)" }.joined(separator: " · ")
            add("levels", "\(counts.count): \(perLevel)")
            var params = "M \(summary.M ?? 0), efConstruction \(summary.efConstruction ?? 0)"
            if let ef = summary.efSearch { params += ", efSearch \(ef)" }
            add("graph", params)
            if let entry = summary.entryPoint, entry != .signed(-1) {
                var text = "label \(entry)"
                if let internalID = summary.entryPointInternal, Int64(internalID) != entry.bits {
                    text += " (internal \(internalID))"
                }
                add("entry point", text + " on level \(max(counts.count - 1, 0))")
            }
        }
        if let deleted = summary.deleted { add("deleted", "\(deleted)") }
        if let bad = summary.nonFiniteVectors, bad > 0 { add("warning", "\(bad) stored vectors hold NaN or infinite values") }
        if let capacity = summary.maxElements { add("capacity", "\(capacity) elements") }
        if let range = summary.idRange, range.count == 2 { add("ids", "\(range[0]) … \(range[1])") }
        if let base = summary.base?.value {
            add("base", "\(base.type) (\(base.typeName ?? base.type))")
            lines += body(base, indent: indent + "  ")
        }
        if let inner = summary.inner?.value {
            let role = summary.kFactor != nil ? "refine" : summary.levelCounts != nil ? "storage" : "wraps"
            add(role, "\(inner.type) (\(inner.typeName ?? inner.type))")
            lines += body(inner, indent: indent + "  ")
        }
        return lines
    }

    /// "2" for 2.0, "1.5" for 1.5.
    static func formatFactor(_ value: Float) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%g", Double(value))
    }

    static func formatBytes(_ bytes: Int) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        if bytes < 1 << 20 { return String(format: "%.1f KiB", Double(bytes) / 1024) }
        if bytes < 1 << 30 { return String(format: "%.1f MiB", Double(bytes) / 1_048_576) }
        return String(format: "%.2f GiB", Double(bytes) / 1_073_741_824)
    }
}
