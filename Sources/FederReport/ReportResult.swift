import FederIndex
import FederSearch

/// A measure a report aggregates over a query set and a `--fail-if` gate can name.
public enum Measure: String, CaseIterable, Codable, CodingKeyRepresentable, Sendable {
    case recall, visited, distanceComputations, rankOfTrueNearest, hops, scanned
    /// IVF: the smallest nprobe that would have probed every exact neighbour's list, per query.
    case neededNprobe = "needed.nprobe"
    /// HNSW: the smallest ef that returns every exact neighbour, per query (queries with an unreachable one left out).
    case neededEF = "needed.ef"
    /// Index health (per index, not per side): HNSW live nodes unreachable on layer 0, live nodes nothing links
    /// to; IVF imbalance factor and empty lists.
    case unreachable, inDegreeZero, imbalance, emptyLists
    /// Result overlap of a comparison's two sides (per comparison, not per side).
    case jaccard
}

/// Every number a report shows, as written by `--summary s.json`.
public struct ReportResult: Codable, Equatable, Sendable {
    public var title: String
    public var comparisons: [ComparisonResult]
    /// Every index of the spec with IVF lists or an HNSW graph, in spec order: its health.
    public var health: [IndexHealthEntry]?
    /// Which part of a sliced job this is (`--slice I/N`); nil for a whole job or a merge of all its parts.
    public var slice: JobSlice?

    public init(title: String, comparisons: [ComparisonResult], health: [IndexHealthEntry]? = nil) {
        self.title = title
        self.comparisons = comparisons
        self.health = health
    }
}

/// One index's health in a report: written as `health --json` writes it (hnswlib labels unsigned).
public struct IndexHealthEntry: Codable, Equatable, Sendable {
    public var index: String
    public var file: String
    public var health: IndexHealth
    public var unsignedLabels: Bool

    public init(index: String, file: String, health: IndexHealth, unsignedLabels: Bool) {
        (self.index, self.file, self.health, self.unsignedLabels) = (index, file, health, unsignedLabels)
    }

    enum CodingKeys: String, CodingKey {
        case index, file, kind, labels, count, ivf, hnsw
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        index = try container.decode(String.self, forKey: .index)
        file = try container.decode(String.self, forKey: .file)
        health = IndexHealth(
            kind: try container.decode(String.self, forKey: .kind), count: try container.decode(Int.self, forKey: .count),
            ivf: try container.decodeIfPresent(IVFHealth.self, forKey: .ivf),
            hnsw: try? container.decodeIfPresent(HNSWHealth.self, forKey: .hnsw))
        let labels = try container.decodeIfPresent(LabelKind.self, forKey: .labels)
        unsignedLabels = labels.map(\.isUnsigned) ?? (health.kind == "hnswlib")
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(index, forKey: .index)
        try container.encode(file, forKey: .file)
        try container.encode(health.kind, forKey: .kind)
        try container.encode(unsignedLabels ? LabelKind.unsigned : .signed, forKey: .labels)
        try container.encode(health.count, forKey: .count)
        try container.encodeIfPresent(health.ivf, forKey: .ivf)
        try container.encodeIfPresent(health.hnsw.map { HealthJob.HNSWOutput($0, unsigned: unsignedLabels) }, forKey: .hnsw)
    }
}

public struct ComparisonResult: Codable, Equatable, Sendable {
    public var title: String
    public var left: SideResult
    public var right: SideResult
    /// Mean Jaccard overlap of the two sides' result lists, query by query (when both run the same number).
    public var jaccard: Double?
    /// IVF on both sides: lists probed by both for the first query.
    public var probedBoth: Int?
    public var sweep: SweepResult?

    /// How much the two sides' answers agree, in words: "4 of 5 shared" for one query each, the mean Jaccard overlap
    /// ("0.36") for query sets; nil when the sides ran different numbers of queries.
    public var overlapText: String? {
        guard let jaccard else { return nil }
        guard left.queryCount == 1, right.queryCount == 1 else { return String(format: "%.2f", jaccard) }
        let leftIDs = Set(left.first.results.filter { $0.internalID >= 0 || $0.id >= 0 }.map(\.id))
        let rightIDs = Set(right.first.results.filter { $0.internalID >= 0 || $0.id >= 0 }.map(\.id))
        // A summary written without the answers (or with none found) has only the overlap value.
        guard !leftIDs.isEmpty || !rightIDs.isEmpty else { return String(format: "%.2f", jaccard) }
        return "\(leftIDs.intersection(rightIDs).count) of \(max(leftIDs.count, rightIDs.count)) shared"
    }
}

public struct SideResult: Codable, Equatable, Sendable {
    public var index: String
    public var query: String
    public var kind: TraceKind
    public var metric: String
    /// How the side's labels read (its index model's); a summary written before sides recorded it reads hnswlib's
    /// as unsigned and the rest as signed.
    public var labels: LabelKind {
        get { recordedLabels ?? (kind == .hnswlib ? .unsigned : .signed) }
        set { recordedLabels = newValue }
    }
    private var recordedLabels: LabelKind?
    public var parameters: SearchParameters
    public var queryCount: Int
    /// The first query's outcome (the one the views draw).
    public var first: QueryOutcome
    /// Over every query of the side: visited, distanceComputations, recall, rankOfTrueNearest, hops, scanned.
    public var aggregates: [Measure: Distribution]
    /// Every query's outcome, in order.
    public var queries: [QueryOutcome]
    /// The ground-truth file recall and misses were measured against (its ids as given); nil: exact search.
    public var groundTruth: String?
    /// A sharded index: its shard files' names, in order (results are the merge of their searches).
    public var shards: [String]?

    /// The part of the query set this side ran (`--slice`); nil: all of it.
    public var slice: QuerySlice?

    enum CodingKeys: String, CodingKey {
        case recordedLabels = "labels"
        case index, query, kind, metric, parameters, queryCount, first, aggregates, queries, groundTruth, shards, slice
    }

    init(
        index: String, query: String, kind: TraceKind, metric: String, labels: LabelKind, parameters: SearchParameters,
        queryCount: Int, first: QueryOutcome, aggregates: [Measure: Distribution], queries: [QueryOutcome], groundTruth: String?
    ) {
        (self.index, self.query, self.kind, self.metric, recordedLabels) = (index, query, kind, metric, labels)
        (self.parameters, self.queryCount, self.first, self.aggregates) = (parameters, queryCount, first, aggregates)
        (self.queries, self.groundTruth) = (queries, groundTruth)
    }

    /// Each measure's distribution over `outcomes`: visited and distance computations always; recall, rank of the
    /// true nearest, hops, scanned and the needed parameters where any query has them (no recall at all, not a
    /// recall of 0, where no query had exact truth: an index of codes without its vectors).
    public static func aggregates(of outcomes: [QueryOutcome]) -> [Measure: Distribution] {
        var aggregates: [Measure: Distribution] = [
            .visited: Distribution(outcomes.map { Double($0.counts.visited) }),
            .distanceComputations: Distribution(outcomes.map { Double($0.counts.distanceComputations) }),
        ]
        let optional: [(Measure, (QueryOutcome) -> Double?)] = [
            (.recall, { $0.recall }),
            (.rankOfTrueNearest, { $0.rankOfTrueNearest.map(Double.init) }),
            (.hops, { $0.counts.hops.map(Double.init) }),
            (.scanned, { $0.counts.scanned.map(Double.init) }),
            (.neededNprobe, { $0.needed?.nprobe.map(Double.init) }),
            (.neededEF, { $0.needed?.ef.map(Double.init) }),
        ]
        for (measure, value) in optional {
            let values = outcomes.compactMap(value)
            if !values.isEmpty { aggregates[measure] = Distribution(values) }
        }
        return aggregates
    }

    /// How many exact neighbours were missed for each reason, over every query.
    public var missReasons: [Miss.Reason: Int] {
        var counts: [Miss.Reason: Int] = [:]
        for query in queries { for miss in query.misses ?? [] { counts[miss.reason, default: 0] += 1 } }
        return counts
    }
}

/// Part `index` (1-based) of `count` of a job whose query sets are split (`--slice I/N`).
public struct JobSlice: Codable, Equatable, Sendable {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) {
        (self.index, self.count) = (index, count)
    }

    /// Reads `I/N` with 1 ≤ I ≤ N ≤ 10,000.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), (1...10_000).contains(count),
            (1...count).contains(index)
        else { return nil }
        self.init(index: index, count: count)
    }

    public var description: String { "\(index)/\(count)" }
}

/// Which rows of a query set one run of a sliced job (`--slice I/N`) took: rows `first ..< first + count` of
/// `total`.
public struct QuerySlice: Codable, Equatable, Sendable {
    public var first: Int
    public var count: Int
    public var total: Int

    public init(first: Int, count: Int, total: Int) {
        (self.first, self.count, self.total) = (first, count, total)
    }
}

public struct QueryOutcome: Codable, Equatable, Sendable {
    public var source: String
    public var results: [Neighbor]
    public var counts: SearchCounts
    public var recall: Double?
    public var rankOfTrueNearest: Int?
    /// faiss IVF: probed list numbers in rank order; HNSW: path length per upper level, top first.
    public var probedLists: [Int]?
    public var pathLengths: [Int]?
    public var levelMinDistances: [Float]?
    /// The exact neighbours the search missed, and why; the parameter it needed.
    public var misses: [Miss]?
    public var needed: Needed?
    /// Whether the labels are hnswlib's unsigned ones: they are then written unsigned (not itself written).
    public var unsignedLabels = false

    enum CodingKeys: String, CodingKey {
        case source, results, counts, recall, rankOfTrueNearest, probedLists, pathLengths, levelMinDistances, misses, needed
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(source, forKey: .source)
        try container.encode(results.map { TraceOutput.LabeledNeighbor($0, unsigned: unsignedLabels) }, forKey: .results)
        try container.encode(counts, forKey: .counts)
        try container.encodeIfPresent(recall, forKey: .recall)
        try container.encodeIfPresent(rankOfTrueNearest, forKey: .rankOfTrueNearest)
        try container.encodeIfPresent(probedLists, forKey: .probedLists)
        try container.encodeIfPresent(pathLengths, forKey: .pathLengths)
        try container.encodeIfPresent(levelMinDistances, forKey: .levelMinDistances)
        try container.encodeIfPresent(misses.map { $0.map { TraceOutput.MissOutput($0, unsigned: unsignedLabels) } }, forKey: .misses)
        try container.encodeIfPresent(needed, forKey: .needed)
    }
}

extension QueryOutcome {
    /// What `--summary` wrote: labels written unsigned (hnswlib) are read back as their bits.
    public init(from decoder: Decoder) throws {
        self.init(source: "", results: [], counts: SearchCounts(distanceComputations: 0, visited: 0))
        struct Answer: Decodable {
            var id: Label
            var distance: Float
            var internalID: Int
        }
        struct MissedNeighbor: Decodable {
            var id: Label
            var exactRank: Int
            var distance: Float
            var reason: Miss.Reason
            var list: Int?
            var listRank: Int?
            var approximateDistance: Float?
            var hops: Int?
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        source = try container.decode(String.self, forKey: .source)
        results = try container.decode([Answer].self, forKey: .results).map {
            Neighbor(id: $0.id.bits, distance: $0.distance, internalID: $0.internalID)
        }
        counts = try container.decode(SearchCounts.self, forKey: .counts)
        recall = try container.decodeIfPresent(Double.self, forKey: .recall)
        rankOfTrueNearest = try container.decodeIfPresent(Int.self, forKey: .rankOfTrueNearest)
        probedLists = try container.decodeIfPresent([Int].self, forKey: .probedLists)
        pathLengths = try container.decodeIfPresent([Int].self, forKey: .pathLengths)
        levelMinDistances = try container.decodeIfPresent([Float].self, forKey: .levelMinDistances)
        misses = try container.decodeIfPresent([MissedNeighbor].self, forKey: .misses)?.map { read in
            var miss = Miss(id: read.id.bits, exactRank: read.exactRank, distance: read.distance, reason: read.reason)
            (miss.list, miss.listRank, miss.approximateDistance, miss.hops) = (
                read.list, read.listRank, read.approximateDistance, read.hops
            )
            return miss
        }
        needed = try container.decodeIfPresent(Needed.self, forKey: .needed)
        // Whether to write them unsigned again is the side's (its kind); labels past 2^63 say so themselves.
        unsignedLabels = false
    }

}

/// Mean, median, 95th percentile and range of a measure over a query set.
public struct Distribution: Codable, Equatable, Sendable {
    public var mean: Double
    public var p50: Double
    public var p95: Double
    public var min: Double
    public var max: Double
    public var count: Int

    public init(_ values: [Double]) {
        let sorted = values.filter(\.isFinite).sorted()
        count = sorted.count
        guard let first = sorted.first, let last = sorted.last else {
            (mean, p50, p95, min, max) = (0, 0, 0, 0, 0)
            return
        }
        mean = sorted.reduce(0, +) / Double(sorted.count)
        func quantile(_ q: Double) -> Double {
            let position = q * Double(sorted.count - 1)
            let low = Int(position.rounded(.down))
            let high = Swift.min(low + 1, sorted.count - 1)
            return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
        }
        p50 = quantile(0.5)
        p95 = quantile(0.95)
        min = first
        max = last
    }
}

public struct SweepResult: Codable, Equatable, Sendable {
    public var parameter: String
    public var values: [Int]
    public var left: [SweepPoint]
    public var right: [SweepPoint]
    /// The sides ("left", "right") whose points came from one coarse ranking per query rather than a search
    /// per point: IVF over float vectors, where that is exact (ties traced).
    public var fromCoarseOrder: [String]?

    public init(parameter: String, values: [Int], left: [SweepPoint], right: [SweepPoint], fromCoarseOrder: [String]? = nil) {
        (self.parameter, self.values, self.left, self.right, self.fromCoarseOrder) = (parameter, values, left, right, fromCoarseOrder)
    }
}

public struct SweepPoint: Codable, Equatable, Sendable {
    public var value: Int
    /// Mean recall@k over the queries; nil when the side has no exact truth (an index of codes whose vectors
    /// were not named), never a recall of the codes against themselves.
    public var recall: Double?
    public var distanceComputations: Double
    public var visited: Double
}
