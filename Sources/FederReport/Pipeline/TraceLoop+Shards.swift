import Dispatch
import FederIndex
import FederSearch
import Foundation

extension TraceLoop {
    /// One query over every shard: the merged answer (what faiss's `IndexShards` returns, counts summed over the
    /// shards as faiss's statistics add up) and each shard's own trace.
    public struct ShardedTrace: Sendable {
        public var merged: SearchTrace
        public var parts: [SearchTrace]
    }

    /// What one shard's search of one query gave: its trace and why it missed the exact neighbours it holds
    /// (their ids and ranks already the merged truth's).
    struct ShardPart: Sendable {
        var trace: SearchTrace
        var misses: [Miss]
        var needed: Needed?
    }

    /// Traces every query on every shard across cores (each (query, shard) pair is one task, so one query over
    /// many shards uses every core too), merges each query's answers and measures them against `exact`.
    /// - Parameters:
    ///   - exact: each query's exact top-k over all shards (`ShardSet.exact`), or nil to skip measuring.
    ///   - contexts: one explanation context per shard, shared by every query.
    ///   - detail: what to keep of query `i`'s traces (merged and shards').
    /// - Throws: the first failing search's error, in (query, shard) order.
    public static func run(
        shards: ShardSet, queries: [ResolvedQuery], request: SearchRequest, exact: [[Neighbor]]?, explain: Bool = true,
        truthFromFile: Bool = false, contexts: [Explanations.Context], detail: @Sendable (Int) -> Detail = { _ in .full }
    ) throws -> [ShardedTrace] {
        let shardCount = shards.indexes.count
        let positions = { (shard: Int) in contexts[shard].positions }
        // Where each exact neighbour lives, once per query (a label lookup per shard task would repeat it).
        let places: [[(shard: Int, local: Int64)?]]? =
            explain
            ? exact.map { truth in truth.map { $0.prefix(request.k).map { shards.locate($0.id, positions: positions) } } } : nil
        let slots = DisjointBuffer<Result<ShardPart, any Error>?>(repeating: nil, count: queries.count * shardCount)
        DispatchQueue.concurrentPerform(iterations: queries.count * shardCount) { task in
            let (position, shard) = task.quotientAndRemainder(dividingBy: shardCount)
            let query = queries[position]
            let index = shards.indexes[shard]
            slots[task] = Result {
                let (trace, _) = try Searcher.trace(index, query: query.vector, request: request, source: query.source)
                var part = ShardPart(trace: trace, misses: [], needed: nil)
                if let exact, let places {
                    // The exact top-k neighbours this shard holds, in the merged truth's order, under its own labels.
                    let mine = places[position].enumerated().compactMap { rank, place -> (rank: Int, local: Neighbor)? in
                        guard let place, place.shard == shard else { return nil }
                        var local = exact[position][rank]
                        local.id = place.local
                        return (rank, local)
                    }
                    let explained = Explanations.explain(
                        trace, index: index, exact: mine.map(\.local), k: mine.count, context: contexts[shard])
                    part.misses = explained.misses.map { miss in
                        var global = miss
                        let entry = mine[miss.exactRank - 1]
                        global.id = exact[position][entry.rank].id
                        global.exactRank = entry.rank + 1
                        return global
                    }
                    part.needed = explained.needed
                    if let effective = trace.parameters.ef, trace.hnsw != nil,
                        !explained.misses.contains(where: { $0.reason == .unreachable })
                    {
                        let ef = Explanations.neededEF(
                            index: index, query: query.vector, request: request, truth: Set(mine.map(\.local.id)),
                            known: (effective, explained.misses.isEmpty), previous: trace)
                        part.needed = Needed(nprobe: explained.needed?.nprobe, ef: ef)
                    }
                }
                if detail(position) == .summary { part.trace = slim(part.trace) }
                return part
            }
        }
        let parts = try slots.elements.map { slot in
            guard let slot else { throw FederSearchError.unsupported("a query produced no result") }
            return try slot.get()
        }
        return queries.indices.map { position in
            let mine = Array(parts[(position * shardCount)..<((position + 1) * shardCount)])
            var merged = merge(mine.map(\.trace), shards: shards, k: request.k)
            if let exact {
                measure(
                    &merged, exact: exact[position], k: request.k, largerIsBetter: shards.largerIsBetter, exactFromBase: false,
                    truthFromFile: truthFromFile)
                if explain {
                    let missed = misses(merged, exact: exact[position], k: request.k, explained: mine.flatMap(\.misses))
                    merged.measures?.misses = missed
                    merged.measures?.needed = needed(mine)
                }
            }
            return ShardedTrace(merged: merged, parts: mine.map(\.trace))
        }
    }

    /// Every sweep point over every shard: `traces[r][q]` is request r's merged (slim) trace of query q.
    public static func sweep(
        shards: ShardSet, queries: [ResolvedQuery], requests: [SearchRequest], exact: [[Neighbor]]?, truthFromFile: Bool = false
    ) throws -> [[SearchTrace]] {
        let perShard = try shards.indexes.map { index in
            try sweep(index: index, queries: queries, requests: requests, exact: nil)
        }
        return requests.indices.map { which in
            queries.indices.map { position in
                var merged = merge(perShard.map { $0[which][position] }, shards: shards, k: requests[which].k)
                if let exact {
                    measure(
                        &merged, exact: exact[position], k: requests[which].k, largerIsBetter: shards.largerIsBetter,
                        exactFromBase: false, truthFromFile: truthFromFile)
                }
                return merged
            }
        }
    }

    /// The merged trace of one query: faiss's merge of the shards' answers, their counts summed, each shard's part.
    static func merge(_ parts: [SearchTrace], shards: ShardSet, k: Int) -> SearchTrace {
        let entries = ShardMerge.merge(
            parts.map(\.results), translations: shards.translations, k: k, largerIsBetter: shards.largerIsBetter,
            labelsAreUnsigned: shards.unsignedLabels)
        let first = parts[0]
        var counts = SearchCounts(
            distanceComputations: parts.reduce(0) { $0 + $1.counts.distanceComputations },
            visited: parts.reduce(0) { $0 + $1.counts.visited })
        func sum(_ field: KeyPath<SearchCounts, Int?>) -> Int? {
            let values = parts.compactMap { $0.counts[keyPath: field] }
            return values.count == parts.count ? values.reduce(0, +) : nil
        }
        counts.scanned = sum(\.scanned)
        counts.probedLists = sum(\.probedLists)
        counts.hops = sum(\.hops)
        counts.visitedLevel0 = sum(\.visitedLevel0)
        var merged = SearchTrace(
            kind: first.kind, metric: first.metric, parameters: first.parameters, results: entries.map(\.neighbor), counts: counts,
            distance: first.distance, labels: first.labels)
        merged.codes = first.codes
        merged.openBLAS = first.openBLAS
        let kept = entries.reduce(into: [Int](repeating: 0, count: parts.count)) { $0[$1.shard] += 1 }
        merged.shards = ShardsTrace(
            shards: parts.enumerated().map { shard, part in
                let returned = part.results.prefix(k).filter { shards.unsignedLabels ? $0.internalID >= 0 : $0.id >= 0 }
                return ShardsTrace.Shard(
                    file: (shards.files[shard] as NSString).lastPathComponent, vectors: shards.indexes[shard].count,
                    translation: shards.translations[shard], returned: returned.count, kept: kept[shard], worst: returned.last?.distance,
                    counts: part.counts)
            }, resultShards: entries.map(\.shard))
        return merged
    }

    /// The exact top-k the merged answer lacks, each with the reason its shard's search gave (a tie when its shard
    /// returned it but the merge kept an equal one from another shard).
    static func misses(_ merged: SearchTrace, exact: [Neighbor], k: Int, explained: [Miss]) -> [Miss] {
        let returned = Set(merged.results.map(\.id))
        let reasons = Dictionary(explained.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return exact.prefix(k).enumerated().compactMap { position, neighbor in
            guard !returned.contains(neighbor.id) else { return nil }
            return reasons[neighbor.id] ?? Miss(id: neighbor.id, exactRank: position + 1, distance: neighbor.distance, reason: .tie)
        }
    }

    /// The parameter every shard needed: the largest of theirs (unknown when one shard's is unknown).
    static func needed(_ parts: [ShardPart]) -> Needed? {
        func largest(_ field: (Needed) -> Int?, applies: (SearchTrace) -> Bool) -> Int? {
            var best = 0
            for part in parts where applies(part.trace) {
                guard let value = part.needed.flatMap(field) else { return nil }
                best = max(best, value)
            }
            return best > 0 ? best : nil
        }
        let nprobe = largest({ $0.nprobe }, applies: { $0.ivf != nil })
        let ef = largest({ $0.ef }, applies: { $0.hnsw != nil })
        return nprobe == nil && ef == nil ? nil : Needed(nprobe: nprobe, ef: ef)
    }
}
