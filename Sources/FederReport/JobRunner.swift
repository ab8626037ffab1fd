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
    /// faiss's OpenMP threads to mirror in every search (`SearchRequest.ompThreads`).
    public var ompThreads = 1
    /// Whether nprobe sweeps of IVF over float vectors come from one coarse ranking per query (exact; ties traced)
    /// rather than a traced search per point. Off only to check the two agree.
    public var useCoarseOrder = true
    /// Whether each query's misses and the nprobe / ef it needed are worked out (`--no-explain` turns it off).
    public var explain = true
    /// Run only part `index` (1-based) of `count` of every query set (`--slice I/N`): contiguous rows, so the parts'
    /// `--summary` files merge (`feder-report merge`) into the whole job's numbers. Single queries run in every part.
    public var slice: JobSlice?
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
        /// Every query of the side, and its exact top-k (reused by sweeps: truth does not change).
        public var vectors: [ResolvedQuery]
        public var exact: [[Neighbor]]?
        /// The vectors that were added, when the index entry names them.
        public var base: BaseVectors?
        /// A sharded index: its shards and the first query's whole trace on each (`index` and the views are the
        /// shard that gave the nearest answer; `firstTrace` is the merged answer).
        public var shards: ShardRun?

        /// The first query as the index searched it: after its pre-transform chain, when it has one.
        public var searchedQuery: [Float] { firstTrace.transform?.transformedQuery(from: firstQuery) ?? firstQuery }
    }

    /// The shards of a side and what the first query did on each.
    public struct ShardRun: Sendable {
        public var set: ShardSet
        public var parts: [SearchTrace]
        /// The shard the views draw: the one whose answer the merge ranked first.
        public var shown: Int

        /// That shard's trace of the first query.
        public var shownTrace: SearchTrace { parts[shown] }
    }

    public struct ComparisonRun: Sendable {
        public var spec: JobSpec.ComparisonSpec
        public var left: SideRun
        public var right: SideRun
        public var result: ComparisonResult
    }

    /// A side ready to trace: its index opened, its queries resolved in it (and sliced), its request and media.
    public struct PreparedSide: Sendable {
        public var spec: JobSpec.Side
        public var index: IndexFile
        public var shards: ShardSet?
        public var vectors: [ResolvedQuery]
        public var querySlice: QuerySlice?
        public var request: SearchRequest
        public var media: MediaList?
        public var queryMedia: String?
    }

    /// Everything a job reads, opened and checked, before any search runs.
    public struct PreparedJob {
        public var indexes: [String: IndexFile]
        public var bases: [String: BaseVectors]
        public var shardSets: [String: ShardSet]
        /// Each shard's explanation context, by index name.
        var shardContexts: [String: [Explanations.Context]]
        /// Each comparison's two sides, in spec order.
        public var comparisons: [(spec: JobSpec.ComparisonSpec, sides: [PreparedSide])]
        /// What the spec asks that its indexes will not do (a side's parameter or a sweep its search does not read),
        /// each located in the spec.
        public var warnings: [String]
    }

    /// Opens every index (and shard, and vectors file), loads every media list and resolves every side's queries in
    /// its own index — every check the run makes before it traces, each error located in the spec.
    public func prepare() throws -> PreparedJob {
        var indexes: [String: IndexFile] = [:]
        var bases: [String: BaseVectors] = [:]
        var shardSets: [String: ShardSet] = [:]
        for name in spec.indexNames {
            guard let indexSpec = spec.indexes[name] else { continue }
            if let shards = indexSpec.shards {
                do {
                    let set = try ShardSet.open(files: shards, space: indexSpec.space, successiveIDs: indexSpec.successiveIDs)
                    shardSets[name] = set
                    indexes[name] = set.indexes.first
                } catch let error as ReportError {
                    guard let shard = error.shard else { throw error }
                    throw ReportError.atSpec(file: spec.file, path: "$.indexes.\(name).shards[\(shard)]", underlying: error)
                }
                continue
            }
            if let database = indexSpec.postgres {
                do {
                    indexes[name] = try database.open()
                } catch {
                    throw ReportError.atSpec(file: spec.file, path: "$.indexes.\(name)", underlying: error)
                }
                continue
            }
            do {
                indexes[name] = try IndexFile.open(path: indexSpec.file, space: indexSpec.space)
            } catch {
                throw ReportError.atSpec(file: spec.file, path: "$.indexes.\(name).file", underlying: error)
            }
            if let vectors = indexSpec.vectors, let index = indexes[name] {
                do {
                    bases[name] = try BaseVectors.load(path: vectors, for: index, indexName: "index '\(name)'")
                } catch {
                    throw ReportError.atSpec(file: spec.file, path: "$.indexes.\(name).vectors", underlying: error)
                }
            }
        }
        var mediaCache: [JobSpec.MediaSpec: MediaList] = [:]
        func media(_ mediaSpec: JobSpec.MediaSpec?, path: String) throws -> MediaList? {
            guard let mediaSpec else { return nil }
            if let cached = mediaCache[mediaSpec] { return cached }
            do {
                let list = try MediaList.load(listPath: mediaSpec.list, kind: mediaSpec.kind, root: mediaSpec.root)
                mediaCache[mediaSpec] = list
                return list
            } catch {
                throw ReportError.atSpec(file: spec.file, path: path, underlying: error)
            }
        }
        let resolver = QueryResolver()
        // Each shard's explanation context (its label positions resolve ids across shards; the run reuses them).
        let shardContexts = shardSets.mapValues { set in set.indexes.map { Explanations.Context($0) } }
        var comparisons: [(spec: JobSpec.ComparisonSpec, sides: [PreparedSide])] = []
        var warnings: [String] = []
        var searches = 0
        for comparison in spec.comparisons {
            var sides: [PreparedSide] = []
            for side in [comparison.left, comparison.right] {
                guard let index = indexes[side.index], let query = spec.queries[side.query] else {
                    throw ReportError.spec([SpecProblem(file: spec.file, path: side.path, message: "unknown index or query")])
                }
                var vectors: [ResolvedQuery]
                let shardSet = shardSets[side.index]
                let shardContext = shardContexts[side.index] ?? []
                do {
                    if let shardSet {
                        vectors = try shardSet.resolve(
                            query.source, name: query.name, resolver: resolver, indexName: "index '\(side.index)'",
                            maxQueries: JobSpecParser.maxQueriesPerSet, positions: { shardContext[$0].positions })
                    } else {
                        vectors = try resolver.resolve(
                            query.source, name: query.name, in: index, indexName: "index '\(side.index)'",
                            maxQueries: JobSpecParser.maxQueriesPerSet, base: bases[side.index])
                    }
                } catch {
                    // Where in the spec the problem is: the side for a query that does not fit its index, the
                    // side's query for an id the index lacks, the query's own entry for its vectors.
                    let path: String
                    switch ((error as? ReportError)?.queryProblem, query.source) {
                    case (.dimensionMismatch?, _): path = side.path
                    case (.unknownID?, _): path = side.path + ".query"
                    case (.rowOutOfRange?, _): path = "$.queries.\(query.name).row"
                    case (_, .id), (_, .ids): path = side.path + ".query"
                    default: path = "$.queries.\(query.name).vector"
                    }
                    throw ReportError.atSpec(file: spec.file, path: path, underlying: error)
                }
                var querySlice: QuerySlice?
                if let slice, vectors.count > 1 {
                    let total = vectors.count
                    let first = total * (slice.index - 1) / slice.count
                    let end = total * slice.index / slice.count
                    guard end > first else {
                        throw ReportError.spec([
                            SpecProblem(
                                file: spec.file, path: side.path + ".query",
                                message:
                                    "query set '\(side.query)' has \(total) queries, so slice \(slice.index)/\(slice.count) of it is empty; use at most \(total) slices"
                            )
                        ])
                    }
                    vectors = Array(vectors[first..<end])
                    querySlice = QuerySlice(first: first, count: end - first, total: total)
                }
                searches += vectors.count * (1 + (comparison.sweep?.values.count ?? 0))
                guard searches <= Self.maxSearches else {
                    throw ReportError.spec([
                        SpecProblem(
                            file: spec.file, path: side.path,
                            message:
                                "the job asks for more than \(Self.maxSearches) traced searches (queries × (1 + sweep points)); use fewer queries or sweep points"
                        )
                    ])
                }
                // A side's own parameter its index does not read (the spec's shared ones serve whichever side reads them).
                let own = SearchRequest(k: 1, nprobe: side.params.nprobe, ef: side.params.ef)
                for message in ParameterCheck.unread(own, model: index.model, name: { "\"\($0.rawValue)\"" }) {
                    warnings.append("\(spec.file): \(side.path).params: \(message); it is ignored")
                }
                if let sweep = comparison.sweep, !index.model.reads(SearchParameter(sweep.parameter)) {
                    warnings.append(
                        "\(spec.file): \(comparison.path).sweep: \(side.index) does not read \(sweep.parameter.rawValue) "
                            + "(\(index.model.engine) \(index.model.typeName)): each of its points repeats its own search")
                }
                let params = spec.params.overridden(by: side.params)
                let request = SearchRequest(k: params.k ?? 10, nprobe: params.nprobe, ef: params.ef, ompThreads: ompThreads)
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
                sides.append(
                    PreparedSide(
                        spec: side, index: index, shards: shardSet, vectors: vectors, querySlice: querySlice, request: request,
                        media: mediaList, queryMedia: queryMedia))
            }
            comparisons.append((comparison, sides))
        }
        return PreparedJob(
            indexes: indexes, bases: bases, shardSets: shardSets, shardContexts: shardContexts, comparisons: comparisons,
            warnings: Array(NSOrderedSet(array: warnings).compactMap { $0 as? String }))
    }

    /// What `validate` adds to `prepare`: each side's first query searched once with its parameters (and at every
    /// sweep value its search reads), and its ground-truth file read against its queries, so that a spec that
    /// validates is not refused by its searches. Each error is located in the spec as the run locates it.
    public func check(_ job: PreparedJob) throws {
        for (comparison, sides) in job.comparisons {
            for side in sides {
                guard let first = side.vectors.first else {
                    throw ReportError.atSpec(
                        file: spec.file, path: side.spec.path, underlying: ReportError.query(.emptySet(source: side.spec.query)))
                }
                if let truthFile = spec.queries[side.spec.query]?.groundTruth {
                    do {
                        if let shards = side.shards {
                            let contexts = job.shardContexts[side.spec.index] ?? []
                            _ = try shards.truth(file: truthFile, queries: side.vectors, positions: { contexts[$0].positions })
                        } else {
                            _ = try TraceLoop.truth(file: truthFile, index: side.index, queries: side.vectors)
                        }
                    } catch {
                        throw ReportError.atSpec(file: spec.file, path: "$.queries.\(side.spec.query).groundTruth", underlying: error)
                    }
                }
                var requests = [(side.request, side.spec.path)]
                if let sweep = comparison.sweep, side.index.model.reads(SearchParameter(sweep.parameter)) {
                    for value in sweep.values {
                        var request = side.request
                        switch sweep.parameter {
                        case .nprobe: request.nprobe = value
                        case .ef: request.ef = value
                        }
                        requests.append((request, comparison.path + ".sweep"))
                    }
                }
                for (request, path) in requests {
                    do {
                        for index in side.shards?.indexes ?? [side.index] {
                            _ = try Searcher.trace(index, query: first.vector, request: request, source: first.source)
                        }
                    } catch {
                        throw ReportError.atSpec(file: spec.file, path: path, underlying: error)
                    }
                }
            }
        }
    }

    /// Runs the job (`prepared` when it has been prepared already).
    public func run(_ prepared: PreparedJob? = nil) throws -> (runs: [ComparisonRun], result: ReportResult) {
        let job = try prepared ?? prepare()
        let truths = ExactCache()
        // One explanation context per index (each part built on first need): its label table and graph
        // reachability serve every side.
        let contexts = job.indexes.mapValues { Explanations.Context($0) }

        var runs: [ComparisonRun] = []
        let started = Date()
        for (position, (comparison, prepared)) in job.comparisons.enumerated() {
            progress("[\(position + 1)/\(spec.comparisons.count)] \(comparison.title)")
            try checkBudget(started: started, at: comparison.path)
            var sides: [SideRun] = []
            for side in prepared {
                var sideRun: SideRun
                if let shardSet = side.shards {
                    sideRun = try runShardedSide(
                        side.spec, shards: shardSet, vectors: side.vectors, request: side.request, media: side.media,
                        queryMedia: side.queryMedia, truths: truths, contexts: job.shardContexts[side.spec.index] ?? [])
                } else {
                    sideRun = try runSide(
                        side.spec, index: side.index, vectors: side.vectors, request: side.request, media: side.media,
                        queryMedia: side.queryMedia, base: job.bases[side.spec.index], truths: truths, context: contexts[side.spec.index])
                }
                sideRun.result.slice = side.querySlice
                sides.append(sideRun)
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
                result.sweep = try runSweep(sweep, sides: sides, comparison: comparison, started: started, truths: truths)
            }
            runs.append(ComparisonRun(spec: comparison, left: sides[0], right: sides[1], result: result))
        }
        // Each index's health, once (an index drawn by several comparisons is checked once).
        let health = spec.indexNames.flatMap { name -> [IndexHealthEntry] in
            if let set = job.shardSets[name] {
                return zip(set.files, set.indexes).enumerated().compactMap { shard, pair in
                    IndexHealth.of(pair.1).map {
                        IndexHealthEntry(
                            index: "\(name) · shard \(shard)", file: pair.0, health: $0, unsignedLabels: pair.1.model.labels.isUnsigned)
                    }
                }
            }
            guard let index = job.indexes[name], let file = spec.indexes[name]?.file, let health = IndexHealth.of(index) else { return [] }
            return [IndexHealthEntry(index: name, file: file, health: health, unsignedLabels: index.model.labels.isUnsigned)]
        }
        var result = ReportResult(title: spec.title, comparisons: runs.map(\.result), health: health.isEmpty ? nil : health)
        result.slice = slice
        return (runs, result)
    }

    /// Throws when the job has run past its time or memory budget.
    func checkBudget(started: Date, at path: String) throws {
        if Date().timeIntervalSince(started) > timeLimit {
            throw ReportError.timeBudgetExceeded(limit: timeLimit, at: "\(spec.file): \(path)")
        }
        if memoryLimit > 0, let resident = Self.residentBytes(), resident > memoryLimit {
            throw ReportError.memoryBudgetExceeded(limitMiB: memoryLimit >> 20, residentMiB: resident >> 20, at: "\(spec.file): \(path)")
        }
    }

    /// Resident set size from /proc/self/statm (nil where that file does not exist).
    static func residentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    func runSide(
        _ side: JobSpec.Side, index: IndexFile, vectors: [ResolvedQuery], request: SearchRequest, media: MediaList?, queryMedia: String?,
        base: BaseVectors? = nil, truths: ExactCache, context: Explanations.Context? = nil
    ) throws -> SideRun {
        // A query entry's ground-truth file replaces exact search (its ids as given).
        let truthFile = spec.queries[side.query]?.groundTruth
        let exact: [[Neighbor]]?
        if let truthFile {
            do {
                exact = try TraceLoop.truth(file: truthFile, index: index, queries: vectors)
            } catch {
                throw ReportError.atSpec(file: spec.file, path: "$.queries.\(side.query).groundTruth", underlying: error)
            }
        } else {
            exact = try truths.exact(index: side.index, query: side.query, k: request.k) { ks in
                try TraceLoop.exact(index: index, queries: vectors.map(\.vector), ks: ks, base: base)
            }
        }
        let traces = try traceAll(
            index: index, vectors: vectors, exact: exact, exactFromBase: base != nil, explain: explain, truthFromFile: truthFile != nil,
            context: context, request: request, path: side.path)
        let result = try sideResult(side, traces: traces, vectors: vectors, truthFile: truthFile)
        guard let first = traces.first, let firstQuery = vectors.first else {
            throw ReportError.atSpec(file: spec.file, path: side.path, underlying: ReportError.query(.emptySet(source: side.query)))
        }
        return SideRun(
            spec: side, index: index, indexName: side.index, firstTrace: first, firstQuery: firstQuery.vector, media: media,
            queryMedia: queryMedia, result: result, vectors: vectors, exact: exact, base: base)
    }

    /// A sharded side: every query traced on every shard and merged, measured against the merged exact truth.
    func runShardedSide(
        _ side: JobSpec.Side, shards: ShardSet, vectors: [ResolvedQuery], request: SearchRequest, media: MediaList?, queryMedia: String?,
        truths: ExactCache, contexts: [Explanations.Context]
    ) throws -> SideRun {
        let truthFile = spec.queries[side.query]?.groundTruth
        let exact: [[Neighbor]]?
        if let truthFile {
            do {
                exact = try shards.truth(file: truthFile, queries: vectors, positions: { contexts[$0].positions })
            } catch {
                throw ReportError.atSpec(file: spec.file, path: "$.queries.\(side.query).groundTruth", underlying: error)
            }
        } else {
            exact = try truths.exact(index: side.index, query: side.query, k: request.k) { ks in
                try shards.exact(queries: vectors.map(\.vector), ks: ks)
            }
        }
        let traces: [TraceLoop.ShardedTrace]
        do {
            traces = try TraceLoop.run(
                shards: shards, queries: vectors, request: request, exact: exact, explain: explain, truthFromFile: truthFile != nil,
                contexts: contexts
            ) { $0 == 0 ? .full : .summary }
        } catch {
            throw ReportError.atSpec(file: spec.file, path: side.path, underlying: error)
        }
        var result = try sideResult(side, traces: traces.map(\.merged), vectors: vectors, truthFile: truthFile)
        result.shards = shards.files.map { ($0 as NSString).lastPathComponent }
        guard let first = traces.first, let firstQuery = vectors.first else {
            throw ReportError.atSpec(file: spec.file, path: side.path, underlying: ReportError.query(.emptySet(source: side.query)))
        }
        let shown = first.merged.shards?.resultShards.first ?? 0
        return SideRun(
            spec: side, index: shards.indexes[shown], indexName: side.index, firstTrace: first.merged, firstQuery: firstQuery.vector,
            media: media, queryMedia: queryMedia, result: result, vectors: vectors, exact: exact, base: nil,
            shards: ShardRun(set: shards, parts: first.parts, shown: shown))
    }

    /// A side's numbers from its traces (one per query, in order).
    func sideResult(_ side: JobSpec.Side, traces: [SearchTrace], vectors: [ResolvedQuery], truthFile: String?) throws -> SideResult {
        let outcomes = zip(vectors, traces).map { Self.outcome(source: $0.0.source, trace: $0.1) }
        let aggregates = SideResult.aggregates(of: outcomes)
        guard let first = traces.first, let firstOutcome = outcomes.first else {
            throw ReportError.atSpec(file: spec.file, path: side.path, underlying: ReportError.query(.emptySet(source: side.query)))
        }
        return SideResult(
            index: side.index, query: side.query, kind: first.kind, metric: first.metric, labels: first.labels,
            parameters: first.parameters,
            queryCount: traces.count, first: firstOutcome, aggregates: aggregates, queries: outcomes, groundTruth: truthFile)
    }

    /// Traces every vector across cores, each measured against its exact top-k; the first keeps its whole trace
    /// (the views draw it), the rest only what summaries read.
    func traceAll(
        index: IndexFile, vectors: [ResolvedQuery], exact: [[Neighbor]]?, exactFromBase: Bool = false, explain: Bool = true,
        truthFromFile: Bool = false, context: Explanations.Context? = nil, request: SearchRequest, path: String
    ) throws -> [SearchTrace] {
        do {
            return try TraceLoop.run(
                index: index, queries: vectors, request: request, exact: exact, exactFromBase: exactFromBase, explain: explain,
                truthFromFile: truthFromFile, context: context
            ) {
                $0 == 0 ? .full : .summary
            }
            .map(\.trace)
        } catch {
            throw ReportError.atSpec(file: spec.file, path: path, underlying: error)
        }
    }

    static func outcome(source: String, trace: SearchTrace) -> QueryOutcome {
        QueryOutcome(
            source: source, results: trace.results, counts: trace.counts, recall: trace.measures?.recall,
            rankOfTrueNearest: trace.measures?.rankOfTrueNearest,
            probedLists: trace.ivf?.probes.map(\.list),
            pathLengths: trace.hnsw?.upperLevels.map { $0.path.count },
            levelMinDistances: trace.hnsw.map { hnsw in hnsw.upperLevels.map(\.exitDistance) },
            misses: trace.measures?.misses, needed: trace.measures?.needed, unsignedLabels: trace.labels.isUnsigned)
    }

    func runSweep(
        _ sweep: JobSpec.Sweep, sides: [SideRun], comparison: JobSpec.ComparisonSpec, started: Date, truths: ExactCache
    ) throws -> SweepResult {
        var points: [[SweepPoint]] = []
        var fromCoarseOrder: [String] = []
        for (position, side) in sides.enumerated() {
            var series: [SweepPoint] = []
            // IVF over float vectors: every nprobe from one coarse ranking per query (ties traced instead).
            // (Not against a ground-truth file: the curve settles ties with the exact k + 1.)
            if sweep.parameter == .nprobe, useCoarseOrder, side.exact != nil, side.result.groundTruth == nil, side.shards == nil,
                IVFCurve.ivf(of: side.index) != nil
            {
                try checkBudget(started: started, at: comparison.path + ".sweep")
                let k = side.result.parameters.k
                let request = SearchRequest(k: k, nprobe: 1, ef: nil, ompThreads: ompThreads)
                let exactPlusOne =
                    try truths.exact(index: side.spec.index, query: side.spec.query, k: k + 1) { ks in
                        try TraceLoop.exact(index: side.index, queries: side.vectors.map(\.vector), ks: ks, base: side.base)
                    } ?? []
                if let curve = try IVFCurve.build(
                    index: side.index, queries: side.vectors, exactPlusOne: exactPlusOne, k: k, request: request, values: sweep.values)
                {
                    for value in sweep.values {
                        try checkBudget(started: started, at: comparison.path + ".sweep")
                        series.append(try curvePoint(curve, side: side, value: value, path: comparison.path + ".sweep"))
                    }
                    points.append(series)
                    fromCoarseOrder.append(position == 0 ? "left" : "right")
                    continue
                }
            }
            // A parameter this side's search does not read (nprobe of an HNSW, ef of an IVF over a flat
            // quantizer): every point is the side's own run, not the same searches again.
            if !Self.reads(sweep.parameter, side.shards?.shownTrace ?? side.firstTrace) {
                let queries = side.result.queries
                let count = Double(max(queries.count, 1))
                let recalls = queries.compactMap(\.recall)
                let point = { (value: Int) in
                    SweepPoint(
                        value: value, recall: recalls.isEmpty ? nil : recalls.reduce(0, +) / Double(recalls.count),
                        distanceComputations: Double(queries.map(\.counts.distanceComputations).reduce(0, +)) / count,
                        visited: Double(queries.map(\.counts.visited).reduce(0, +)) / count)
                }
                points.append(sweep.values.map(point))
                continue
            }
            try checkBudget(started: started, at: comparison.path + ".sweep")
            let requests = sweep.values.map { value in
                var request = SearchRequest(
                    k: side.result.parameters.k, nprobe: side.result.parameters.nprobe, ef: side.result.parameters.ef,
                    ompThreads: ompThreads)
                switch sweep.parameter {
                case .nprobe: request.nprobe = value
                case .ef: request.ef = value
                }
                return request
            }
            // Every point of a query in one go (an hnswlib query descends its upper levels once).
            let swept: [[SearchTrace]]
            do {
                if let shards = side.shards {
                    swept = try TraceLoop.sweep(
                        shards: shards.set, queries: side.vectors, requests: requests, exact: side.exact,
                        truthFromFile: side.result.groundTruth != nil)
                } else {
                    swept = try TraceLoop.sweep(
                        index: side.index, queries: side.vectors, requests: requests, exact: side.exact, exactFromBase: side.base != nil,
                        truthFromFile: side.result.groundTruth != nil)
                }
            } catch {
                throw ReportError.atSpec(file: spec.file, path: comparison.path + ".sweep", underlying: error)
            }
            for (value, traces) in zip(sweep.values, swept) {
                let count = Double(max(traces.count, 1))
                let recalls = traces.compactMap(\.measures?.recall)
                series.append(
                    SweepPoint(
                        value: value, recall: recalls.isEmpty ? nil : recalls.reduce(0, +) / Double(recalls.count),
                        distanceComputations: Double(traces.map(\.counts.distanceComputations).reduce(0, +)) / count,
                        visited: Double(traces.map(\.counts.visited).reduce(0, +)) / count))
            }
            points.append(series)
        }
        return SweepResult(
            parameter: sweep.parameter.rawValue, values: sweep.values, left: points[0], right: points[1],
            fromCoarseOrder: fromCoarseOrder.isEmpty ? nil : fromCoarseOrder)
    }

    /// Whether a search like `trace` reads `parameter` (through a refine's base too).
    static func reads(_ parameter: JobSpec.Sweep.Parameter, _ trace: SearchTrace) -> Bool {
        if let base = trace.refine?.base, reads(parameter, base) { return true }
        switch parameter {
        case .nprobe: return trace.ivf != nil
        case .ef: return trace.hnsw != nil || trace.ivf?.coarseHNSW != nil
        }
    }

    /// One sweep point from the coarse order: the queries a tie leaves undecided are traced at that nprobe.
    func curvePoint(_ curve: IVFCurve, side: SideRun, value: Int, path: String) throws -> SweepPoint {
        var recall = 0.0
        var computations = 0
        var visited = 0
        var traced: [Int] = []
        for query in side.vectors.indices {
            if let point = curve.point(query: query, nprobe: value) {
                recall += point.recall
                computations += point.distanceComputations
                visited += point.visited
            } else {
                traced.append(query)
            }
        }
        if !traced.isEmpty {
            let request = SearchRequest(k: side.result.parameters.k, nprobe: value, ef: nil, ompThreads: ompThreads)
            let traces = try traceAll(
                index: side.index, vectors: traced.map { side.vectors[$0] }, exact: side.exact.map { exact in traced.map { exact[$0] } },
                exactFromBase: side.base != nil, explain: false, request: request, path: path)
            for trace in traces {
                recall += trace.measures?.recall ?? 0
                computations += trace.counts.distanceComputations
                visited += trace.counts.visited
            }
        }
        let count = Double(max(side.vectors.count, 1))
        return SweepPoint(
            value: value, recall: recall / count, distanceComputations: Double(computations) / count, visited: Double(visited) / count)
    }
}

/// Each (index, query set, k)'s exact top-k, computed once for every comparison, side and sweep of a job that
/// asks for it (a query set resolves to the same vectors in one index every time). A k is computed with k + 1 in
/// the same pass (the exact nprobe sweep asks for k + 1 next).
final class ExactCache {
    struct Key: Hashable {
        var index: String
        var query: String
        var k: Int
    }
    private var values: [Key: [[Neighbor]]?] = [:]

    /// `make` is given the ks to compute (k and k + 1 unless k + 1 is known) and returns one answer per k.
    func exact(index: String, query: String, k: Int, make: ([Int]) throws -> [[[Neighbor]]]?) rethrows -> [[Neighbor]]? {
        let key = Key(index: index, query: query, k: k)
        if let known = values[key] { return known }
        let deeper = Key(index: index, query: query, k: k + 1)
        let ks = values[deeper] == nil ? [k, k + 1] : [k]
        let made = try make(ks)
        for (position, each) in ks.enumerated() {
            values[Key(index: index, query: query, k: each)] = made.map { $0[position] }
        }
        return values[key] ?? nil
    }
}

extension SearchParameter {
    init(_ parameter: JobSpec.Sweep.Parameter) {
        switch parameter {
        case .nprobe: self = .nprobe
        case .ef: self = .ef
        }
    }
}
