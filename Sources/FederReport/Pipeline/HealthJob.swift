import FederIndex
import FederSearch
import Foundation

/// `feder-report health`: what is wrong with an index before any query runs.
public enum HealthJob {
    /// What `health --json` prints: the index's health with labels written as its library writes them.
    public struct Output: Encodable, Sendable {
        public var file: String
        public var kind: String
        public var count: Int
        public var ivf: IVFHealth?
        public var hnsw: HNSWOutput?
        /// What the engine says beyond the graph or the lists (a database index's dead rows, lists trained on too few
        /// rows).
        public var notes: [String]?
    }

    /// `HNSWHealth` with hnswlib's labels unsigned.
    public struct HNSWOutput: Encodable, Sendable {
        public struct Hub: Encodable, Sendable {
            public var id: Label
            public var inDegree: Int
        }

        public struct Level: Encodable, Sendable {
            public var level: Int
            public var nodes: Int
            public var links: Int
            public var inDegree: HNSWHealth.Degrees
            public var hubs: [Hub]
        }

        public var entryPoint: Label
        public var maxLevel: Int
        public var deleted: Int
        public var unreachable: Int
        public var unreachableLabels: [Label]
        public var reachableOnlyThroughDeleted: Int
        public var inDegreeZero: Int
        public var components: Int
        public var largestComponent: Int
        public var levels: [Level]
        public var inDegreeHistogram: [IVFHealth.Bin]

        init(_ health: HNSWHealth, unsigned: Bool) {
            func label(_ id: Int64) -> Label { Label(bits: id, unsigned: unsigned) }
            entryPoint = label(health.entryPoint)
            (maxLevel, deleted, unreachable) = (health.maxLevel, health.deleted, health.unreachable)
            unreachableLabels = health.unreachableLabels.map(label)
            (reachableOnlyThroughDeleted, inDegreeZero) = (health.reachableOnlyThroughDeleted, health.inDegreeZero)
            (components, largestComponent) = (health.components, health.largestComponent)
            inDegreeHistogram = health.inDegreeHistogram
            levels = health.levels.map { level in
                Level(
                    level: level.level, nodes: level.nodes, links: level.links, inDegree: level.inDegree,
                    hubs: level.hubs.map { Hub(id: label($0.id), inDegree: $0.inDegree) })
            }
        }
    }

    /// The health of `file`, readable (`json` false) or as one sorted-key JSON object.
    /// - Throws: `FederIndexError`.
    public static func run(file: String, space: Space, json: Bool) throws -> String {
        try run(index: try IndexFile.open(path: file, space: space.metric), name: file, json: json)
    }

    /// The health of an opened index (a file's, or a database's), called `name`.
    public static func run(index: IndexFile, name file: String, json: Bool) throws -> String {
        let health = IndexHealth.of(index)
        let unsigned = index.model.labels.isUnsigned
        let output = Output(
            file: file, kind: health?.kind ?? IndexSummary(index).type, count: index.count, ivf: health?.ivf,
            hnsw: health?.hnsw.map { HNSWOutput($0, unsigned: unsigned) },
            notes: health?.notes)
        return json ? try JSONOutput.encode(output) + "\n" : render(output)
    }

    static func render(_ output: Output) -> String {
        var lines: [String] = []
        let percent = { (value: Double) in String(format: "%.1f %%", value * 100) }
        if let ivf = output.ivf {
            lines.append("\(output.file) · \(output.kind) · \(output.count) vectors · \(ivf.nlist) lists")
            let sizes = ivf.sizes
            lines.append(
                "  lists       sizes min \(sizes.min) · p50 \(sizes.p50) · p95 \(sizes.p95) · max \(sizes.max) · mean "
                    + String(format: "%.1f", sizes.mean))
            let top = max(1, Int((Double(ivf.nlist) * 0.01).rounded(.up)))
            lines.append(
                "  balance     imbalance factor \(String(format: "%.3f", ivf.imbalanceFactor)) (1 = even) · \(ivf.emptyLists) empty "
                    + "list\(ivf.emptyLists == 1 ? "" : "s") · the largest \(top == 1 ? "list holds" : "\(top) lists hold") "
                    + percent(ivf.largestListsShare) + " of the vectors")
            lines.append(
                "  histogram   " + ivf.histogram.map { "\($0.from)–\($0.to): \($0.count)" }.joined(separator: " · ") + " (size: lists)")
        } else if let hnsw = output.hnsw {
            lines.append(
                "\(output.file) · \(output.kind) · \(output.count) nodes · entry point \(hnsw.entryPoint) (level \(hnsw.maxLevel))")
            var reach = "\(hnsw.unreachable) live node\(hnsw.unreachable == 1 ? "" : "s") unreachable from the entry point on layer 0"
            if hnsw.deleted > 0 {
                reach += " · \(hnsw.reachableOnlyThroughDeleted) reachable only through deleted nodes · \(hnsw.deleted) deleted"
            }
            lines.append("  reach       " + reach)
            lines.append(
                "  links       \(hnsw.inDegreeZero) live node\(hnsw.inDegreeZero == 1 ? "" : "s") with no incoming layer-0 link · "
                    + "\(hnsw.components) component\(hnsw.components == 1 ? "" : "s") on layer 0 (largest \(hnsw.largestComponent))")
            for level in hnsw.levels {
                let degree = level.inDegree
                let hubs = level.hubs.prefix(3).map { "\($0.id) (\($0.inDegree))" }.joined(separator: ", ")
                lines.append(
                    "  level \(TraceText.pad("\(level.level)", 5)) \(level.nodes) node\(level.nodes == 1 ? "" : "s") · in-degree p50 \(degree.p50) · p95 \(degree.p95) · "
                        + "max \(degree.max) · hubs \(hubs)")
            }
            if hnsw.unreachable > 0 {
                let shown = hnsw.unreachableLabels.prefix(20).map { "\($0)" }.joined(separator: ", ")
                lines.append("  unreachable \(shown)\(hnsw.unreachable > 20 ? ", … (--json lists all \(hnsw.unreachable))" : "")")
            }
        } else {
            lines.append("\(output.file) · \(output.kind) · \(output.count) vectors: no IVF lists or HNSW graph to check")
        }
        for note in output.notes ?? [] { lines.append("  note        " + note) }
        return lines.joined(separator: "\n") + "\n"
    }
}
