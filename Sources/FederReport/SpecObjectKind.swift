/// The kinds of objects a spec has, with the keys each allows.
enum SpecObjectKind: CaseIterable, Sendable {
    case root, index, media, query, params, side, comparison, sweep, output

    var allowed: [String] {
        switch self {
        case .root:
            return ["title", "indexes", "media", "queries", "params", "comparisons", "template", "output", "seed", "projection", "$schema"]
        case .index:
            return [
                "file", "shards", "shardIds", "space", "media", "vectors", "postgres", "index", "idColumn", "where", "settings",
                "dataDirectory",
            ]
        case .media: return ["type", "list", "root"]
        case .query: return ["id", "ids", "vector", "row", "dataset", "media", "groundTruth"]
        case .params: return ["k", "nprobe", "ef"]
        case .side: return ["index", "query", "params", "media"]
        case .comparison: return ["title", "left", "right", "sweep"]
        case .sweep: return ["nprobe", "ef"]
        case .output: return ["page", "theme"]
        }
    }

    var required: [String] {
        switch self {
        case .root: return ["indexes", "queries", "comparisons"]
        case .media: return ["list"]
        case .side: return ["index", "query"]
        case .comparison: return ["left", "right"]
        case .index, .query, .params, .sweep, .output: return []
        }
    }

    /// Spellings that mean a key of this kind only here (`path` is an index's file but a query's vector).
    var synonyms: [String: String] {
        switch self {
        case .root:
            return [
                "index": "indexes", "indexs": "indexes", "query": "queries", "pairs": "comparisons", "runs": "comparisons", "name": "title",
            ]
        case .index:
            return [
                "path": "file", "filename": "file", "filepath": "file", "indexfile": "file", "location": "file",
                "conninfo": "postgres", "dsn": "postgres", "database": "postgres", "connection": "postgres", "url": "postgres",
                "indexname": "index", "idcolumn": "idColumn", "id_column": "idColumn", "filter": "where", "set": "settings",
                "gucs": "settings", "datadir": "dataDirectory", "pgdata": "dataDirectory", "data_directory": "dataDirectory",
                "base": "vectors", "basevectors": "vectors", "data": "vectors", "vector": "vectors",
                "shard": "shards", "files": "shards", "parts": "shards", "segments": "shards", "successiveids": "shardIds",
                "shardids": "shardIds", "ids": "shardIds",
            ]
        case .media:
            return [
                "kind": "type", "path": "list", "file": "list", "images": "list", "captions": "list",
                "folder": "root", "dir": "root", "directory": "root", "base": "root", "basedir": "root",
            ]
        case .query:
            return [
                "file": "vector", "path": "vector", "filename": "vector", "values": "vector", "vectors": "vector", "image": "media",
                "picture": "media",
            ]
        case .side:
            return ["idx": "index", "indexname": "index", "q": "query", "queryname": "query", "param": "params", "parameters": "params"]
        case .comparison:
            return [
                "name": "title", "label": "title", "heading": "title", "lhs": "left", "a": "left", "baseline": "left",
                "rhs": "right", "b": "right", "candidate": "right",
            ]
        case .params, .sweep, .output:
            return [:]
        }
    }

    /// Where a key that is not valid in `kind` lives, preferring the nearest home for keys valid in several places.
    static func home(of key: String, seenIn kind: SpecObjectKind) -> SpecObjectKind? {
        let homes = allCases.filter { $0 != kind && $0.allowed.contains(key) }
        if homes.contains(.params) { return .params }
        // `index` names a side's index far more often than a database index's name.
        if homes.contains(.side), homes.contains(.index) { return .side }
        if [.root, .side, .sweep].contains(kind), homes.contains(.comparison) { return .comparison }
        return homes.first
    }

    /// Where `key` belongs, as the tail of a message: `put it in $.output`.
    func placement(of key: String) -> String {
        switch self {
        case .params, .sweep:
            return "`\(key)` is a search parameter: put it in $.params or in a side's params"
        case .root:
            return "`\(key)` belongs at the top level of the spec ($.\(key))"
        case .output:
            return "`\(key)` belongs in $.output"
        case .comparison:
            return "`\(key)` belongs on the comparison, beside left and right ($.comparisons[…].\(key))"
        case .side:
            return "`\(key)` belongs in a comparison's left and right sides ($.comparisons[…].left.\(key))"
        case .index:
            return "`\(key)` belongs in an index entry ($.indexes.NAME.\(key)); a side names its index with \"index\""
        case .query:
            return "`\(key)` belongs in a query ($.queries.NAME.\(key)); a side names its query with \"query\""
        case .media:
            return "`\(key)` belongs in a media entry (\"media\": {\"list\": …})"
        }
    }
}
