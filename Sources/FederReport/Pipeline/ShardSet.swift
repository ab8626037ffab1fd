import Dispatch
import FederIndex
import FederSearch
import Foundation

/// The shards of one index entry (`"shards": [...]`): one index file each, every one searched alone with the same
/// parameters and the answers merged as faiss's `IndexShards` merges them (`ShardMerge`). Exact truth is the same
/// merge over each shard's exact top-k, so it is what an `IndexShards` of flat indexes over the same files answers.
public struct ShardSet: Sendable {
    public let files: [String]
    public let indexes: [IndexFile]
    /// Added to each shard's labels: the vectors of the shards before it (faiss `successive_ids`), or 0.
    public let translations: [Int64]
    public let successiveIDs: Bool

    public var largerIsBetter: Bool { indexes.first?.model.distance.largerIsBetter ?? false }
    public var unsignedLabels: Bool { indexes.first?.model.labels.isUnsigned ?? false }
    /// Vectors over all shards.
    public var count: Int { indexes.reduce(0) { $0 + $1.count } }
    public var dim: Int { indexes.first?.dim ?? 0 }

    /// The most shards one entry may list.
    public static let maxShards = 1024

    /// Opens every shard and checks they can be merged: one library, one dimension, one metric (faiss refuses
    /// to add a shard that differs in either).
    /// - Parameter successiveIDs: shift each shard's labels by the vectors before it (faiss's default for
    ///   `IndexShards(d)`); false when every shard stores its own global ids.
    /// - Throws: `ReportError.shardMismatch` naming the shard that does not fit, or
    ///   `ReportError.shardUnreadable` wrapping the reader's error for that file with its position.
    public static func open(files: [String], space: Metric, successiveIDs: Bool) throws -> ShardSet {
        var indexes: [IndexFile] = []
        for (position, file) in files.enumerated() {
            let index: IndexFile
            do {
                index = try IndexFile.open(path: file, space: space)
            } catch {
                throw ReportError.shardUnreadable(shard: position, underlying: error)
            }
            if let first = indexes.first, let firstFile = files.first {
                let name = (file as NSString).lastPathComponent
                let firstName = (firstFile as NSString).lastPathComponent
                let (engine, firstEngine) = (index.model.engine, first.model.engine)
                if engine != firstEngine {
                    throw ReportError.shardMismatch(
                        shard: position, detail: "\(name) is a \(engine) index, but shard 0 (\(firstName)) is \(firstEngine)")
                }
                if index.dim != first.dim {
                    throw ReportError.shardMismatch(
                        shard: position, detail: "\(name) has dimension \(index.dim), but shard 0 (\(firstName)) has \(first.dim)")
                }
                if index.metric != first.metric {
                    throw ReportError.shardMismatch(
                        shard: position,
                        detail: "\(name) measures \(index.metric.name), but shard 0 (\(firstName)) measures \(first.metric.name)")
                }
            }
            indexes.append(index)
        }
        var translations = [Int64](repeating: 0, count: indexes.count)
        if successiveIDs {
            for shard in indexes.indices.dropFirst() {
                translations[shard] = translations[shard - 1] + Int64(indexes[shard - 1].count)
            }
        }
        return ShardSet(files: files, indexes: indexes, translations: translations, successiveIDs: successiveIDs)
    }

    /// The shard holding `label` and its label inside that shard: by range with successive ids, else the first
    /// shard that stores it.
    public func locate(_ label: Int64, positions: (Int) -> LabelPositions) -> (shard: Int, local: Int64)? {
        if successiveIDs {
            guard label >= 0 else { return nil }
            for shard in indexes.indices.reversed() where label >= translations[shard] {
                let local = label - translations[shard]
                return local < Int64(indexes[shard].count) ? (shard, local) : nil
            }
            return nil
        }
        for shard in indexes.indices where positions(shard).position(of: label) != nil { return (shard, label) }
        return nil
    }

    /// Exact top-k of every query over all shards for every k of `ks`: each shard's exact answers, translated and
    /// merged; nil when a shard keeps no vectors to search exactly.
    public func exact(queries: [[Float]], ks: [Int]) throws -> [[[Neighbor]]]? {
        var perShard: [[[[Neighbor]]]] = []
        for index in indexes {
            guard let answers = try TraceLoop.exact(index: index, queries: queries, ks: ks) else { return nil }
            perShard.append(answers)
        }
        return ks.indices.map { which in
            queries.indices.map { query in
                ShardMerge.merge(
                    perShard.map { $0[which][query] }, translations: translations, k: ks[which], largerIsBetter: largerIsBetter,
                    labelsAreUnsigned: unsignedLabels
                ).map(\.neighbor)
            }
        }
    }

    /// A ground-truth file's rows with the library kernel's distance where a shard stores the vector.
    public func truth(file: String, queries: [ResolvedQuery], positions: (Int) -> LabelPositions) throws -> [[Neighbor]] {
        try TraceLoop.truth(file: file, queries: queries) { ids in
            // Each label's distance in the shard that holds it (labels elsewhere ask for -1, which no shard stores).
            var computed = ids.map { [Float?](repeating: nil, count: $0.count) }
            for shard in indexes.indices {
                let local = ids.map { row in
                    row.map { label -> Int64 in
                        guard let place = locate(label, positions: positions), place.shard == shard else { return -1 }
                        return place.local
                    }
                }
                let distances = try BlockedExact.distances(indexes[shard], queries: queries.map(\.vector), labels: local)
                for query in ids.indices {
                    for slot in ids[query].indices where local[query][slot] >= 0 {
                        computed[query][slot] = computed[query][slot] ?? distances[query][slot]
                    }
                }
            }
            return computed
        }
    }

    /// The files' names, joined as a command line lists them (`a.faiss + b.faiss`).
    public var name: String { files.map { ($0 as NSString).lastPathComponent }.joined(separator: " + ") }

    /// What `trace` and `view` start from when given several index files: the shards of `file` and `more`, one
    /// explanation context each, and the query's vectors. `--vectors` is refused: each shard's own vectors are the
    /// truth, as in specs.
    static func forCommand(
        file: String, more: [String], space: Metric, successiveIDs: Bool, vectors: String?, query: JobSpec.QuerySource
    ) throws -> (shards: ShardSet, contexts: [Explanations.Context], queries: [ResolvedQuery]) {
        guard vectors == nil else {
            throw FederSearchError.unsupported("--vectors cannot be combined with shards: each shard's own vectors are the truth")
        }
        let shards = try ShardSet.open(files: [file] + more, space: space, successiveIDs: successiveIDs)
        let contexts = shards.indexes.map { Explanations.Context($0) }
        let queries = try shards.resolve(
            query, name: TraceJob.sourceName(query), resolver: QueryResolver(), indexName: file, maxQueries: 100_000,
            positions: { contexts[$0].positions })
        return (shards, contexts, queries)
    }

    /// The vectors of an id query (looked up in the shard holding each label); other sources as for one index.
    public func resolve(
        _ source: JobSpec.QuerySource, name: String, resolver: QueryResolver, indexName: String, maxQueries: Int,
        positions: (Int) -> LabelPositions
    ) throws -> [ResolvedQuery] {
        func stored(_ label: Int64) throws -> ResolvedQuery {
            guard let place = locate(label, positions: positions) else {
                throw ReportError.query(.unknownID(label: Label(bits: label, unsigned: unsignedLabels), index: indexName, deleted: false))
            }
            var query = try resolver.resolve(
                .id(place.local), name: name, in: indexes[place.shard], indexName: indexName, maxQueries: maxQueries)[0]
            query.id = label
            query.source = "id \(Label(bits: label, unsigned: unsignedLabels))"
            return query
        }
        guard let first = indexes.first else { throw ReportError.query(.emptySet(source: name)) }
        switch source {
        case .id(let label): return [try stored(label)]
        case .ids(let labels):
            guard !labels.isEmpty else { throw ReportError.query(.emptySet(source: name)) }
            return try labels.map(stored)
        case .file, .inline:
            return try resolver.resolve(source, name: name, in: first, indexName: indexName, maxQueries: maxQueries)
        }
    }
}
