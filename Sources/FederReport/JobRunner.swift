import FederIndex
import FederLayout
import FederSearch
import Foundation

/// Runs a job: loads every index once, resolves each side's queries in its own index, traces every query
/// (across cores), measures against exact search, and runs the sweeps.
public struct JobRunner {
    public let spec: JobSpec
    /// Called with short progress lines (for stderr).
    public var progress: @Sendable (String) -> Void = { _ in }
    /// Wall-clock budget for the whole job, checked between steps.
    public var timeLimit: TimeInterval = 1800
    /// Resident-memory budget in bytes, checked between steps (0: none).
    public var memoryLimit: Int = 0
    /// The most traced searches one job may ask for (queries × (1 + sweep points), both sides, all comparisons).
    public static let maxSearches = 2_000_000

    public init(spec: JobSpec) { self.spec = spec }

    /// One side of a comparison after running: the numbers plus what the views need.
    public struct SideRun: Sendable {
        public var spec: JobSpec.Side
        public var index: IndexFile
        public var indexName: String
        public var firstTrace: SearchTrace
        public var firstQuery: [Float]
        public var media: MediaList?
        public var queryMedia: String?
        public var result: SideResult
        /// Every query vector of the side, and its exact top-k (reused by sweeps: truth does not change).
        public var vectors: [[Float]]
        public var exact: [[Neighbor]]
    }

    public struct ComparisonRun: Sendable {
        public var spec: JobSpec.ComparisonSpec
        public var left: SideRun
        public var right: SideRun
        public var result: ComparisonResult
    }

    public func run() throws -> (runs: [ComparisonRun], result: ReportResult) {
        var indexes: [String: IndexFile] = [:]
        for name in spec.indexNames {
            guard let indexSpec = spec.indexes[name] else { continue }
            do {
                indexes[name] = try IndexFile.open(path: indexSpec.file, space: indexSpec.space)
            } catch let error as FederIndexError {
                throw SpecError(file: spec.file, path: "$.indexes.\(name).file", message: error.errorDescription ?? "\(error)")
            }
        }
        var mediaCache: [String: MediaList] = [:]
        func media(_ mediaSpec: JobSpec.MediaSpec?, path: String) throws -> MediaList? {
            guard let mediaSpec else { return nil }
            let key = "\(mediaSpec.kind)|\(mediaSpec.list)|\(mediaSpec.root ?? "")"
            if let cached = mediaCache[key] { return cached }
            do {
                let list = try MediaList.load(listPath: mediaSpec.list, kind: mediaSpec.kind, root: mediaSpec.root)
                mediaCache[key] = list
                return list
            } catch {
                throw SpecError(file: spec.file, path: path, message: error.localizedDescription)
            }
        }
        var vectorFiles: [String: VectorTable] = [:]
        func table(_ path: String, at jsonPath: String) throws -> VectorTable {
            if let cached = vectorFiles[path] { return cached }
            do {
                let loaded = try VectorFile.read(path: path)
                vectorFiles[path] = loaded
                return loaded
            } catch let error as FederIndexError {
                throw SpecError(file: spec.file, path: jsonPath, message: error.errorDescription ?? "\(error)")
            }
        }

        var runs: [ComparisonRun] = []
        let started = Date()
        var searches = 0
        for (position, comparison) in spec.comparisons.enumerated() {
            progress("[\(position + 1)/\(spec.comparisons.count)] \(comparison.title)")
            try checkBudget(started: started, at: comparison.path)
            var sides: [SideRun] = []
            for side in [comparison.left, comparison.right] {
                guard let index = indexes[side.index], let query = spec.queries[side.query] else {
                    throw SpecError(file: spec.file, path: side.path, message: "unknown index or query")
                }
                let vectors = try resolve(query, in: index, side: side, table: table)
                searches += vectors.count * (1 + (comparison.sweep?.values.count ?? 0))
                guard searches <= Self.maxSearches else {
                    throw SpecError(
                        file: spec.file, path: side.path,
                        message: "the job asks for more than \(Self.maxSearches) traced searches (queries × (1 + sweep points)); use fewer queries or sweep points")
                }
                let params = spec.params.overridden(by: side.params)
                let request = SearchRequest(k: params.k ?? 10, nprobe: params.nprobe, ef: params.ef)
                let mediaList = try media(side.media ?? spec.indexes[side.index]?.media ?? spec.media, path: side.path + ".media")
                // A stored vector's own picture stands for an id query.
                var queryMedia = query.media
                if queryMedia == nil, mediaList?.kind == .image {
                    switch query.source {
                    case .id(let id): queryMedia = mediaList?.imagePath(for: id)
                    case .ids(let ids): queryMedia = ids.first.flatMap { mediaList?.imagePath(for: $0) }
                    default: break
                    }
                }
                sides.append(try runSide(side, index: index, vectors: vectors, request: request, media: mediaList, queryMedia: queryMedia))
            }
            var result = ComparisonResult(title: comparison.title, left: sides[0].result, right: sides[1].result)
            if sides[0].result.queries.count == sides[1].result.queries.count {
                let overlaps = zip(sides[0].result.queries, sides[1].result.queries).map { Measures.jaccard($0.results, $1.results) }
                result.jaccard = overlaps.reduce(0, +) / Double(max(overlaps.count, 1))
            }
            if let leftLists = sides[0].result.first.probedLists, let rightLists = sides[1].result.first.probedLists {
                result.probedBoth = Set(leftLists).intersection(rightLists).count
            }
            if let sweep = comparison.sweep {
                result.sweep = try runSweep(sweep, sides: sides, comparison: comparison, started: started)
            }
            runs.append(ComparisonRun(spec: comparison, left: sides[0], right: sides[1], result: result))
        }
        return (runs, ReportResult(title: spec.title, comparisons: runs.map(\.result)))
    }

    /// Throws when the job has run past its time or memory budget.
    func checkBudget(started: Date, at path: String) throws {
        let elapsed = Date().timeIntervalSince(started)
        if elapsed > timeLimit {
            throw SpecError(file: spec.file, path: path, message: String(format: "the job exceeded its time budget of %.0f s (raise it with --time-limit)", timeLimit))
        }
        if memoryLimit > 0, let resident = Self.residentBytes(), resident > memoryLimit {
            throw SpecError(
                file: spec.file, path: path,
                message: "the job exceeded its memory budget of \(memoryLimit >> 20) MiB (\(resident >> 20) MiB resident; raise it with --memory-limit)")
        }
    }

    /// Resident set size from /proc/self/statm (nil where that file does not exist).
    static func residentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// The query vectors of `query` for one side's index, each with a label.
    func resolve(
        _ query: JobSpec.QuerySpec, in index: IndexFile, side: JobSpec.Side,
        table: (String, String) throws -> VectorTable
    ) throws -> [(source: String, vector: [Float])] {
        var vectors: [(String, [Float])] = []
        switch query.source {
        case .id(let id):
            guard let vector = index.storedVector(label: id) else {
                throw SpecError(file: spec.file, path: side.path + ".query", message: "query '\(query.name)': id \(id) is not in index '\(side.index)'")
            }
            vectors = [("id \(id)", vector)]
        case .ids(let ids):
            vectors = try ids.map { id in
                guard let vector = index.storedVector(label: id) else {
                    throw SpecError(file: spec.file, path: side.path + ".query", message: "query '\(query.name)': id \(id) is not in index '\(side.index)'")
                }
                return ("id \(id)", vector)
            }
        case let .file(path, row):
            let rows = try table(path, "$.queries.\(query.name).vector")
            if let row {
                guard row < rows.count else {
                    throw SpecError(file: spec.file, path: "$.queries.\(query.name).row", message: "row \(row) does not exist (\(rows.count) rows)")
                }
                vectors = [("\(query.name) row \(row)", rows.row(row))]
            } else {
                guard rows.count <= JobSpecParser.maxQueriesPerSet else {
                    throw SpecError(file: spec.file, path: "$.queries.\(query.name).vector", message: "\(rows.count) rows; at most \(JobSpecParser.maxQueriesPerSet) queries per set")
                }
                vectors = (0..<rows.count).map { ("\(query.name) row \($0)", rows.row($0)) }
            }
        case .inline(let rows):
            vectors = rows.enumerated().map { ("\(query.name)\(rows.count > 1 ? " row \($0.offset)" : "")", $0.element) }
        }
        for (_, vector) in vectors where vector.count != index.dim {
            throw SpecError(
                file: spec.file, path: side.path,
                message: "query '\(query.name)' has dimension \(vector.count) but index '\(side.index)' has dimension \(index.dim)")
        }
        return vectors
    }

    func runSide(
        _ side: JobSpec.Side, index: IndexFile, vectors: [(source: String, vector: [Float])], request: SearchRequest,
        media: MediaList?, queryMedia: String?
    ) throws -> SideRun {
        let exact = exactAll(index: index, vectors: vectors.map(\.vector), k: request.k)
        let traces = try traceAll(index: index, vectors: vectors.map(\.vector), exact: exact, request: request, path: side.path)
        let outcomes = zip(vectors, traces).map { Self.outcome(source: $0.0.source, trace: $0.1) }
        var aggregates: [String: Distribution] = [
            "visited": Distribution(outcomes.map { Double($0.counts.visited) }),
            "distanceComputations": Distribution(outcomes.map { Double($0.counts.distanceComputations) }),
            "recall": Distribution(outcomes.compactMap(\.recall)),
        ]
        let ranks = outcomes.compactMap(\.rankOfTrueNearest).map(Double.init)
        if !ranks.isEmpty { aggregates["rankOfTrueNearest"] = Distribution(ranks) }
        let hops = outcomes.compactMap(\.counts.hops).map(Double.init)
        if !hops.isEmpty { aggregates["hops"] = Distribution(hops) }
        let scanned = outcomes.compactMap(\.counts.scanned).map(Double.init)
        if !scanned.isEmpty { aggregates["scanned"] = Distribution(scanned) }
        let first = traces[0]
        let result = SideResult(
            index: side.index, query: side.query, kind: first.kind, metric: first.metric, parameters: first.parameters,
            queryCount: traces.count, first: outcomes[0], aggregates: aggregates, queries: outcomes)
        return SideRun(
            spec: side, index: index, indexName: side.index, firstTrace: first, firstQuery: vectors[0].vector, media: media,
            queryMedia: queryMedia, result: result, vectors: vectors.map(\.vector), exact: exact)
    }

    /// Exact top-k of every vector, across cores.
    func exactAll(index: IndexFile, vectors: [[Float]], k: Int) -> [[Neighbor]] {
        let slots = Slots<[Neighbor]>(count: vectors.count)
        DispatchQueue.concurrentPerform(iterations: vectors.count) { position in
            slots[position] = Measures.exactNeighbors(index, query: vectors[position], k: k)
        }
        return slots.values.map { $0 ?? [] }
    }

    /// Traces every vector across cores, each measured against its exact top-k; order kept.
    func traceAll(index: IndexFile, vectors: [[Float]], exact: [[Neighbor]], request: SearchRequest, path: String) throws -> [SearchTrace] {
        let slots = Slots<Result<SearchTrace, Error>>(count: vectors.count)
        let largerIsBetter = index.format == .faiss && index.metric == .innerProduct
        DispatchQueue.concurrentPerform(iterations: vectors.count) { position in
            slots[position] = Result {
                var (trace, _) = try Searcher.trace(index, query: vectors[position], request: request)
                trace.measures = Measures.compare(results: trace.results, exact: exact[position], k: request.k, largerIsBetter: largerIsBetter)
                if position > 0 { trace.ivf?.scanned = []; trace.hnsw = trace.hnsw.map { Self.slim($0) } }
                return trace
            }
        }
        return try slots.values.map { slot in
            guard let slot else { throw SpecError(file: spec.file, path: path, message: "a query produced no result") }
            do {
                return try slot.get()
            } catch let error as FederSearchError {
                throw SpecError(file: spec.file, path: path, message: error.errorDescription ?? "\(error)")
            }
        }
    }

    /// Keeps only what summaries read from an HNSW trace (the views draw the first query's full trace).
    static func slim(_ trace: HNSWTrace) -> HNSWTrace {
        var slim = trace
        slim.level0.steps = []
        slim.upperLevels = trace.upperLevels.map { level in
            var kept = level
            kept.passes = []
            return kept
        }
        slim.visited = []
        return slim
    }

    static func outcome(source: String, trace: SearchTrace) -> QueryOutcome {
        QueryOutcome(
            source: source, results: trace.results, counts: trace.counts, recall: trace.measures?.recall,
            rankOfTrueNearest: trace.measures?.rankOfTrueNearest,
            probedLists: trace.ivf?.probes.map(\.list),
            pathLengths: trace.hnsw?.upperLevels.map { $0.path.count },
            levelMinDistances: trace.hnsw.map { hnsw in hnsw.upperLevels.map(\.exitDistance) })
    }

    func runSweep(_ sweep: JobSpec.Sweep, sides: [SideRun], comparison: JobSpec.ComparisonSpec, started: Date) throws -> SweepResult {
        var points: [[SweepPoint]] = []
        for side in sides {
            var series: [SweepPoint] = []
            for value in sweep.values {
                try checkBudget(started: started, at: comparison.path + ".sweep")
                var request = SearchRequest(k: side.result.parameters.k, nprobe: side.result.parameters.nprobe, ef: side.result.parameters.ef)
                switch sweep.parameter {
                case .nprobe: request.nprobe = value
                case .ef: request.ef = value
                }
                let traces = try traceAll(
                    index: side.index, vectors: side.vectors, exact: side.exact, request: request, path: comparison.path + ".sweep")
                let count = Double(max(traces.count, 1))
                series.append(
                    SweepPoint(
                        value: value, recall: traces.compactMap(\.measures?.recall).reduce(0, +) / count,
                        distanceComputations: Double(traces.map(\.counts.distanceComputations).reduce(0, +)) / count,
                        visited: Double(traces.map(\.counts.visited).reduce(0, +)) / count))
            }
            points.append(series)
        }
        return SweepResult(parameter: sweep.parameter.rawValue, values: sweep.values, left: points[0], right: points[1])
    }
}

/// Results written from concurrent iterations, one slot each.
public final class Slots<Value>: @unchecked Sendable {
    private var storage: [Value?]
    private let lock = NSLock()

    public init(count: Int) { storage = Array(repeating: nil, count: count) }

    public subscript(position: Int) -> Value? {
        get { lock.withLock { storage[position] } }
        set { lock.withLock { storage[position] = newValue } }
    }

    public var values: [Value?] { lock.withLock { storage } }
}
