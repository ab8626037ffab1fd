import FederIndex
import FederSearch
import Foundation

/// The readable form of one trace.
enum TraceText {
    static func render(_ output: TraceOutput, file: String) -> String {
        var lines: [String] = []
        var parameters = "k \(output.parameters.k)"
        if let nprobe = output.parameters.nprobe { parameters += ", nprobe \(nprobe)" }
        if let ef = output.parameters.ef {
            parameters += output.kind == .hnswlib || output.kind == .voyager ? ", ef \(ef)" : ", efSearch \(ef)"
        }
        if let threads = output.parameters.ompThreads { parameters += ", \(threads) OpenMP threads" }
        lines.append("\(file) · \(output.kind) · \(output.metric) · \(output.kernels) · query \(output.query.source) · \(parameters)")
        let shardOf = output.shards?.resultShards
        lines.append("  rank  id                    " + (shardOf == nil ? "distance" : pad("distance", 12) + "shard"))
        for (rank, neighbor) in output.results.enumerated() {
            let padding = neighbor.id == .signed(-1)
            let id = padding ? "—" : "\(neighbor.id)"
            let exactMark = output.exact.map { exact in exact.contains { $0.id == neighbor.id } ? "" : "  (not in exact top-k)" } ?? ""
            var line = "  \(pad("\(rank + 1)", 4))  \(pad(id, 20))  "
            if let shardOf, !padding, rank < shardOf.count {
                line += pad(format(neighbor.distance), 12) + "\(shardOf[rank])"
            } else {
                line += format(neighbor.distance)
            }
            lines.append(line + (padding ? "  (padding)" : exactMark))
        }
        if let shards = output.shards {
            for (number, shard) in shards.shards.enumerated() {
                let shift = shard.translation == 0 ? "" : ", ids + \(shard.translation)"
                lines.append(
                    "  shard \(number) \(shard.file) (\(shard.vectors) vectors\(shift)): returned \(shard.returned), kept \(shard.kept) · "
                        + "\(shard.counts.distanceComputations) distance computations")
            }
        }
        let counts = output.counts
        var work = "\(counts.distanceComputations) distance computations · \(counts.visited) vectors visited"
        if let lists = counts.probedLists, let scanned = counts.scanned {
            work += " · \(lists) lists probed · \(scanned) vectors scanned"
        }
        if let hops = counts.hops { work += " · \(hops) hops" }
        lines.append("  work    " + work)
        if let codes = output.codes { lines.append("  codes   \(codes): distances are the codes' approximations") }
        if let refine = output.refine {
            // Where each result sat in the base index's shortlist.
            let baseRanks = output.results.filter { $0.id != .signed(-1) }.compactMap { result in
                refine.shortlist.firstIndex { $0.id == result.id }.map { String($0 + 1) }
            }
            lines.append(
                "  refine  shortlist of \(refine.kBase) (k_factor \(format(refine.kFactor))) from the \(refine.baseKind) base, "
                    + "re-scored by \(refine.refineIndex); results' shortlist ranks \(baseRanks.joined(separator: ", "))")
        }
        if let recall = output.recall {
            let rank = output.rankOfTrueNearest.map { "true nearest at rank \($0)" } ?? "true nearest missed"
            let against = output.groundTruth.map { " · against \(($0 as NSString).lastPathComponent) as given" } ?? ""
            lines.append("  quality recall@\(output.parameters.k) \(String(format: "%.2f", recall)) · \(rank)\(against)")
        }
        if let nprobe = output.needed?.nprobe { lines.append("  needed  nprobe \(nprobe) would probe every exact neighbour's list") }
        if let ef = output.needed?.ef { lines.append("  needed  ef \(ef) is the smallest that returns every exact neighbour") }
        for miss in output.misses ?? [] { lines.append("  missed  " + describe(miss)) }
        if let ivf = output.ivf {
            let probes = ivf.probes.prefix(12).map { "#\($0.list) (\($0.size), \(format($0.distance)))" }.joined(separator: " · ")
            lines.append("  probed  " + probes + (ivf.probes.count > 12 ? " · …" : ""))
        }
        if let hnsw = output.hnsw {
            for level in hnsw.upperLevels {
                let path = level.path.map(String.init).joined(separator: " → ")
                lines.append(
                    "  L\(level.level)      \(level.passes.count) pass\(level.passes.count == 1 ? "" : "es"), \(level.distanceComputations) computed (\(level.nodesScored) nodes), path \(path) (d \(format(level.exitDistance)))"
                )
            }
            let expanded = hnsw.level0.steps.filter(\.expanded).count
            lines.append(
                "  L0      \(expanded) expansions from \(hnsw.level0.entry), ef \(hnsw.level0.ef), \(hnsw.level0.visitedCount) visited, stop: \(hnsw.level0.stopReason.words)"
            )
        }
        for warning in output.warnings { lines.append("  note    \(warning)") }
        return lines.joined(separator: "\n") + "\n\n"
    }

    /// "id 812 (exact rank 3, 1.5e+04): list not probed: list 17, coarse rank 9" — the reason in the words every
    /// output uses (`Miss.Reason.label`), then what this miss adds to it.
    static func describe(_ miss: TraceOutput.MissOutput) -> String {
        var details: [String] = []
        let approximate = miss.approximateDistance.map { "the search's distance \(format($0))" }
        let list = miss.list.map { list in "list \(list)" + (miss.listRank.map { ", coarse rank \($0)" } ?? "") }
        switch miss.reason {
        case .unprobedList: details = [list].compactMap { $0 }
        case .quantization, .transform: details = [list.map { "scored in " + $0 } ?? "scored", approximate].compactMap { $0 }
        case .refineShortlist: details = ["scored by the base", approximate].compactMap { $0 }
        case .unreachable: details = ["no layer-0 path from where the search entered layer 0"]
        case .notReached, .deletedPath: details = ["\(hops(miss.hops)) from the visited set"]
        case .tie: details = ["the library kept another id"]
        case .notKept: details = ["on layer 0", approximate].compactMap { $0 }
        case .filteredBeforeK, .scanBudget: details = []
        }
        return "id \(miss.id) (exact rank \(miss.exactRank), \(format(miss.distance))): \(miss.reason.label)"
            + (details.isEmpty ? "" : ": " + details.joined(separator: ", "))
    }

    static func hops(_ count: Int?) -> String { count.map { "\($0) hop\($0 == 1 ? "" : "s")" } ?? "? hops" }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    static func format(_ value: Float) -> String {
        if abs(value) >= 1e30 { return value > 0 ? "+FLT_MAX" : "-FLT_MAX" }
        return String(format: "%.6g", value)
    }
}
