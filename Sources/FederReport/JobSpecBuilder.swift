import FederIndex
import FederLayout
import FederSearch
import Foundation

/// Checks a parsed spec part by part and builds the `JobSpec` from the parts that are valid.
///
/// Each independent part (an index entry, a query, a parameter, a comparison side, an output setting) is
/// checked inside `diagnostics.attempt`, so its problem is recorded and the rest is still checked. Names
/// that a spec declares but whose entries are broken still count as declared, so a broken index entry does
/// not also make every comparison that uses it "unknown".
struct JobSpecBuilder {
    let diagnostics: SpecDiagnostics

    func build(_ root: SpecNode) throws -> JobSpec {
        let file = diagnostics.file
        let keys = try root.object(.root)
        _ = diagnostics.attempt { try keys["$schema"]?.string() }
        let title = diagnostics.attempt { try keys["title"]?.string() } ?? nil
        let media = diagnostics.attempt { try keys["media"].map(parseMedia) } ?? nil

        var indexes: [String: JobSpec.IndexSpec] = [:]
        var indexNames: Set<String>?
        if let indexNode = keys["indexes"], let entries = diagnostics.attempt({ try indexNode.object(nil) }) {
            indexNames = Set(entries.keys)
            if entries.keys.isEmpty { indexNode.report(.noIndexes) }
            for name in entries.keys.sorted() {
                guard let node = entries[name] else { continue }
                if name.isEmpty { node.report(.emptyName(of: "index")) }
                if let index = diagnostics.attempt({ try parseIndex(name: name, node: node) }) { indexes[name] = index }
            }
        }

        var queries: [String: JobSpec.QuerySpec] = [:]
        var queryNames: Set<String>?
        if let queryNode = keys["queries"], let entries = diagnostics.attempt({ try queryNode.object(nil) }) {
            queryNames = Set(entries.keys)
            for name in entries.keys.sorted() {
                guard let node = entries[name] else { continue }
                if name.isEmpty { node.report(.emptyName(of: "query")) }
                if let query = diagnostics.attempt({ try parseQuery(name: name, node: node) }) { queries[name] = query }
            }
        }
        let params = keys["params"].map(parseParams) ?? JobSpec.Params()

        var comparisons: [JobSpec.ComparisonSpec] = []
        if let comparisonNode = keys["comparisons"], let nodes = diagnostics.attempt({ try comparisonNode.array() }) {
            if nodes.isEmpty { comparisonNode.report(.noComparisons) }
            if nodes.count > JobSpecParser.maxComparisons {
                comparisonNode.report(.tooManyComparisons(count: nodes.count, limit: JobSpecParser.maxComparisons))
            }
            for (position, node) in nodes.prefix(JobSpecParser.maxComparisons).enumerated() {
                let comparison = diagnostics.attempt {
                    try parseComparison(node, position: position, indexNames: indexNames, queryNames: queryNames)
                }
                if let comparison { comparisons.append(comparison) }
            }
        }

        let template = diagnostics.attempt { try keys["template"].map(parseTemplate) } ?? nil
        var page: JobSpec.PageSize?
        var theme: ThemeName?
        if let output = keys["output"], let fields = diagnostics.attempt({ try output.object(.output) }) {
            page = diagnostics.attempt { try fields["page"].map(parsePage) } ?? nil
            theme = diagnostics.attempt { try fields["theme"].map(parseTheme) } ?? nil
        }
        let seed = diagnostics.attempt { try keys["seed"].map { UInt64(try $0.int(in: 0...Int(Int32.max))) } } ?? nil
        let projection = diagnostics.attempt { try keys["projection"].map(parseProjection) } ?? nil

        guard diagnostics.problems.isEmpty else { throw SpecAlreadyReported() }
        return JobSpec(
            file: file, title: title ?? (file as NSString).lastPathComponent, indexes: indexes, media: media, queries: queries,
            params: params, comparisons: comparisons, template: template ?? .builtIn("compare"), page: page ?? .a4Landscape,
            pageIsExplicit: page != nil, theme: theme ?? .light, seed: seed ?? 1, projection: projection ?? .pca)
    }

    // MARK: parts

    func parseIndex(name: String, node: SpecNode) throws -> JobSpec.IndexSpec {
        let fields = try node.object(.index)
        if fields["postgres"] != nil || fields["index"] != nil { return try parsePostgresIndex(name: name, node: node, fields: fields) }
        // One file, or the files of its shards.
        var path: String?
        var shards: [String]? = nil
        switch (fields["file"], fields["shards"]) {
        case (let file?, nil):
            path = diagnostics.attempt { try file.path(existing: true) }
        case (nil, let shardNode?):
            shards = diagnostics.attempt { try parseShards(shardNode) }
            path = shards?.first
        case (_?, _?):
            node.report(.fileAndShards)
        case (nil, nil):
            if !fields.meant.contains("file") && !fields.meant.contains("shards") { node.report(.missingKey("file")) }
        }
        var successiveIDs: Bool? = true
        if let idsNode = fields["shardIds"] {
            successiveIDs = diagnostics.attempt {
                let text = try idsNode.string()
                guard fields["shards"] != nil else { throw idsNode.error(.shardIdsWithoutShards) }
                switch text {
                case "successive": return true
                case "stored": return false
                default: throw idsNode.error(.unknownShardIds(text))
                }
            }
        }
        var space: Metric? = .l2
        if let spaceNode = fields["space"] {
            space = diagnostics.attempt {
                let text = try spaceNode.string()
                guard let metric = Metric(name: text), metric != .other(0) else { throw spaceNode.error(.unknownSpace(text)) }
                return metric
            }
        }
        let media = diagnostics.attempt { try fields["media"].map(parseMedia) }
        let vectors = diagnostics.attempt { () throws -> String?? in
            guard let vectorsNode = fields["vectors"] else { return .some(nil) }
            if fields["shards"] != nil { throw vectorsNode.error(.vectorsWithShards) }
            return try vectorsNode.path(existing: true)
        }
        guard let path, let space, let media, let vectors, let successiveIDs else { throw SpecAlreadyReported() }
        return JobSpec.IndexSpec(
            name: name, file: path, shards: shards, successiveIDs: successiveIDs, space: space, media: media, vectors: vectors ?? nil)
    }

    /// A pgvector index entry: `{"postgres": CONNINFO, "index": NAME, "idColumn"?, "where"?, "settings"?: {name: value},
    /// "dataDirectory"?, "media"?}`.
    func parsePostgresIndex(name: String, node: SpecNode, fields: SpecFields) throws -> JobSpec.IndexSpec {
        for key in ["file", "shards", "shardIds", "space", "vectors"] where fields[key] != nil {
            fields[key].map { $0.report(.notWithPostgres(key)) }
        }
        let connection = diagnostics.attempt { () throws -> String in
            guard let node = fields["postgres"] else { throw (fields["index"] ?? node).error(.indexWithoutPostgres) }
            return try node.string()
        }
        let index = diagnostics.attempt { () throws -> String in
            guard let node = fields["index"] else { throw node.error(.missingKey("index")) }
            let text = try node.string()
            guard !text.isEmpty else { throw node.error(.emptyPath) }
            return text
        }
        let idColumn = diagnostics.attempt { try fields["idColumn"].map { try $0.string() } }
        let predicate = diagnostics.attempt { try fields["where"].map { try $0.string() } }
        let dataDirectory = diagnostics.attempt { try fields["dataDirectory"].map { try $0.path(existing: false) } }
        let settings = diagnostics.attempt { () throws -> [(String, String)] in
            guard let settingsNode = fields["settings"] else { return [] }
            let object = try settingsNode.object(nil)
            return try object.keys.map { key in
                guard let value = object[key] else { return (key, "") }
                switch value.value.kind {
                case .string(let text): return (key, text)
                case .number(let number): return (key, number.text)
                case .bool(let flag): return (key, flag ? "on" : "off")
                default: throw value.error(.wrongType(expected: "a string or a number", found: value.value.typeName))
                }
            }
        }
        let media = diagnostics.attempt { try fields["media"].map(parseMedia) }
        guard let connection, let index, let idColumn, let predicate, let dataDirectory, let settings, let media else {
            throw SpecAlreadyReported()
        }
        do {
            _ = try PGVectorSettings(settings)
        } catch {
            throw (fields["settings"] ?? node).error(.badSetting(error.localizedDescription))
        }
        let database = PostgresIndex(
            connection: connection, index: index, idColumn: idColumn, dataDirectory: dataDirectory, predicate: predicate, settings: settings
        )
        return JobSpec.IndexSpec(name: name, file: index, shards: nil, space: .l2, media: media, vectors: nil, postgres: database)
    }

    /// The shard files of a sharded index entry: existing paths, at least two, at most `ShardSet.maxShards`.
    func parseShards(_ node: SpecNode) throws -> [String] {
        let elements = try node.array()
        guard elements.count >= 2 else { throw node.error(.tooFewShards(elements.count)) }
        guard elements.count <= ShardSet.maxShards else { throw node.error(.tooManyShards(elements.count, limit: ShardSet.maxShards)) }
        let paths = elements.map { element in diagnostics.attempt { try element.path(existing: true) } }
        let found = paths.compactMap { $0 }
        guard found.count == paths.count else { throw SpecAlreadyReported() }
        return found
    }

    func parseMedia(_ node: SpecNode) throws -> JobSpec.MediaSpec {
        let fields = try node.object(.media)
        var kind: MediaList.Kind? = .image
        if let typeNode = fields["type"] {
            kind = diagnostics.attempt {
                let text = try typeNode.string()
                guard let value = MediaList.Kind(rawValue: text) else { throw typeNode.error(.unknownMediaType(text)) }
                return value
            }
        }
        let list = diagnostics.attempt { try fields.required("list").path(existing: true) }
        let root = diagnostics.attempt { try fields["root"].map { try $0.path(existing: false) } }
        guard let kind, let list, let root else { throw SpecAlreadyReported() }
        return JobSpec.MediaSpec(kind: kind, list: list, root: root)
    }

    func parseQuery(name: String, node: SpecNode) throws -> JobSpec.QuerySpec {
        let fields = try node.object(.query)
        let media = diagnostics.attempt { try fields["media"].map { try $0.path(existing: false) } }
        let sources = ["id", "ids", "vector"].filter { fields[$0] != nil }
        guard sources.count == 1 else {
            if sources.isEmpty, !fields.meant.isDisjoint(with: ["id", "ids", "vector"]) { throw SpecAlreadyReported() }
            throw node.error(.querySources(found: sources))
        }
        let rowNode = fields["row"]
        let source = diagnostics.attempt { () throws -> JobSpec.QuerySource in
            if let idNode = fields["id"] {
                if let rowNode { rowNode.report(.rowWithout(source: "id")) }
                if let datasetNode = fields["dataset"] { datasetNode.report(.datasetWithoutHDF5) }
                return .id(Int64(try idNode.int(in: 0...JobSpecParser.maxID)))
            }
            if let idsNode = fields["ids"] {
                if let rowNode { rowNode.report(.rowWithout(source: "ids")) }
                if let datasetNode = fields["dataset"] { datasetNode.report(.datasetWithoutHDF5) }
                return .ids(try parseIDs(idsNode))
            }
            let vectorNode = try fields.required("vector")
            if case .string = vectorNode.value.kind {
                let row = diagnostics.attempt { try rowNode.map { try $0.int(in: 0...Int(Int32.max)) } }
                let path = try vectorNode.path(existing: true)
                var dataset: String?
                if let datasetNode = fields["dataset"] {
                    let named = diagnostics.attempt { () throws -> String in
                        let name = try datasetNode.string()
                        let lower = path.lowercased()
                        guard lower.hasSuffix(".hdf5") || lower.hasSuffix(".h5") else { throw datasetNode.error(.datasetWithoutHDF5) }
                        guard !name.isEmpty else { throw datasetNode.error(.emptyDataset) }
                        return name
                    }
                    guard let named else { throw SpecAlreadyReported() }
                    dataset = named
                }
                guard let row else { throw SpecAlreadyReported() }
                return .file(path: path, row: row, dataset: dataset)
            }
            if let datasetNode = fields["dataset"] { datasetNode.report(.datasetWithoutHDF5) }
            if let rowNode { rowNode.report(.rowWithout(source: "an inline vector")) }
            return .inline(try parseInline(vectorNode))
        }
        let groundTruth = diagnostics.attempt { try fields["groundTruth"].map { try $0.path(existing: true) } }
        guard let source, let media, let groundTruth else { throw SpecAlreadyReported() }
        return JobSpec.QuerySpec(name: name, source: source, media: media, groundTruth: groundTruth)
    }

    func parseIDs(_ node: SpecNode) throws -> [Int64] {
        let items = try node.array()
        guard !items.isEmpty else { throw node.error(.emptyIDs) }
        guard items.count <= JobSpecParser.maxQueriesPerSet else {
            throw node.error(.tooManyQueries(count: items.count, what: "ids", limit: JobSpecParser.maxQueriesPerSet))
        }
        var ids: [Int64] = []
        var failed = false
        for item in items {
            if let id = diagnostics.attempt({ try item.int(in: 0...JobSpecParser.maxID) }) { ids.append(Int64(id)) } else { failed = true }
        }
        if failed { throw SpecAlreadyReported() }
        return ids
    }

    /// `[1, 2, 3]` (one vector) or `[[1, 2], [3, 4]]` (rows of the same length), all finite 32-bit floats.
    func parseInline(_ node: SpecNode) throws -> [[Float]] {
        guard case .array(let items) = node.value.kind else { throw node.error(.pathOrNumbers(found: node.value.typeName)) }
        guard let first = items.first else { throw node.error(.emptyInlineVector) }
        let isRows = first.isArray
        // A number among rows, or a row among numbers (other kinds are reported as not numbers below).
        if let mixed = items.firstIndex(where: { $0.isArray != isRows && (isRows ? $0 : first).isNumber }) {
            throw node.element(mixed).error(.mixedInline)
        }
        guard isRows else { return [try floats(node)] }
        guard items.count <= JobSpecParser.maxQueriesPerSet else {
            throw node.error(.tooManyQueries(count: items.count, what: "inline rows", limit: JobSpecParser.maxQueriesPerSet))
        }
        var rows: [[Float]] = []
        var failed = false
        for offset in items.indices {
            let item = node.element(offset)
            guard
                let row = diagnostics.attempt({ () throws -> [Float] in
                    guard try !item.elements().isEmpty else { throw item.error(.emptyInlineRow) }
                    return try floats(item)
                })
            else {
                failed = true
                continue
            }
            if let length = rows.first?.count, row.count != length {
                item.report(.raggedRows(row: offset, length: row.count, firstLength: length))
                failed = true
            }
            rows.append(row)
        }
        if failed { throw SpecAlreadyReported() }
        return rows
    }

    /// Every element of the array `node` as a finite float; each bad one is reported.
    func floats(_ node: SpecNode) throws -> [Float] {
        let items = try node.elements()
        var values: [Float] = []
        values.reserveCapacity(items.count)
        var failed = false
        for (offset, item) in items.enumerated() {
            if case .number(let number) = item.kind, case let value = Float(number.value), value.isFinite {
                values.append(value)
            } else {
                failed = true
                diagnostics.attempt { _ = try node.element(offset).float() }
            }
        }
        if failed { throw SpecAlreadyReported() }
        return values
    }

    /// Parameters; each bad one is reported and left unset.
    func parseParams(_ node: SpecNode) -> JobSpec.Params {
        guard let fields = diagnostics.attempt({ try node.object(.params) }) else { return JobSpec.Params() }
        func value(_ key: String, max: Int) -> Int? {
            guard let field = fields[key] else { return nil }
            return diagnostics.attempt { try field.int(in: 1...max, name: key) }
        }
        return JobSpec.Params(
            k: value("k", max: JobSpecParser.maxK), nprobe: value("nprobe", max: JobSpecParser.maxSearchParameter),
            ef: value("ef", max: JobSpecParser.maxSearchParameter))
    }

    func parseComparison(_ node: SpecNode, position: Int, indexNames: Set<String>?, queryNames: Set<String>?) throws
        -> JobSpec.ComparisonSpec
    {
        let fields = try node.object(.comparison)
        let left = diagnostics.attempt { try parseSide(try fields.required("left"), indexNames: indexNames, queryNames: queryNames) }
        let right = diagnostics.attempt { try parseSide(try fields.required("right"), indexNames: indexNames, queryNames: queryNames) }
        let sweep = diagnostics.attempt { try fields["sweep"].map(parseSweep) }
        let title = diagnostics.attempt { try fields["title"]?.string() }
        guard let left, let right, let sweep, let title else { throw SpecAlreadyReported() }
        return JobSpec.ComparisonSpec(
            title: title ?? "\(left.index) · \(left.query)  vs  \(right.index) · \(right.query)", left: left, right: right, sweep: sweep,
            path: node.path)
    }

    func parseSide(_ node: SpecNode, indexNames: Set<String>?, queryNames: Set<String>?) throws -> JobSpec.Side {
        let fields = try node.object(.side)
        let index = diagnostics.attempt { try reference(try fields.required("index"), kind: "index", names: indexNames) }
        let query = diagnostics.attempt { try reference(try fields.required("query"), kind: "query", names: queryNames) }
        let params = fields["params"].map(parseParams) ?? JobSpec.Params()
        let media = diagnostics.attempt { try fields["media"].map(parseMedia) }
        guard let index, let query, let media else { throw SpecAlreadyReported() }
        return JobSpec.Side(index: index, query: query, params: params, media: media, path: node.path)
    }

    /// The name of a declared index or query (not checked when the spec's list of them is itself broken).
    func reference(_ node: SpecNode, kind: String, names: Set<String>?) throws -> String {
        let name = try node.string()
        guard let names, !names.contains(name) else { return name }
        throw node.error(
            .unknownReference(kind: kind, name: name, suggestion: suggestion(for: name, among: Array(names)), known: names.sorted()))
    }

    func parseSweep(_ node: SpecNode) throws -> JobSpec.Sweep {
        let fields = try node.object(.sweep)
        guard fields.keys.count == 1, let name = fields.keys.first, let valuesNode = fields[name],
            let parameter = JobSpec.Sweep.Parameter(rawValue: name)
        else {
            // Unknown keys are already reported; only say how a sweep looks when that is not the whole story.
            if fields.keys.count != 1 || diagnostics.problems.isEmpty { throw node.error(.sweepShape) }
            throw SpecAlreadyReported()
        }
        let items = try valuesNode.array()
        guard !items.isEmpty else { throw valuesNode.error(.emptySweep) }
        guard items.count <= JobSpecParser.maxSweepPoints else {
            throw valuesNode.error(.tooManySweepPoints(count: items.count, limit: JobSpecParser.maxSweepPoints))
        }
        var values: [Int] = []
        var failed = false
        for item in items {
            guard let value = diagnostics.attempt({ try item.int(in: 1...JobSpecParser.maxSearchParameter, name: name) }) else {
                failed = true
                continue
            }
            if values.contains(value) {
                item.report(.repeatedSweepValue(text: item.value.quoted))
                failed = true
            }
            values.append(value)
        }
        if failed { throw SpecAlreadyReported() }
        return JobSpec.Sweep(parameter: parameter, values: values)
    }

    func parseTemplate(_ node: SpecNode) throws -> JobSpec.TemplateChoice {
        let template = try node.string()
        let builtIn = Template.builtIn.keys.sorted()
        if builtIn.contains(template) { return .builtIn(template) }
        var isFolder: ObjCBool = false
        let resolved = node.resolve(template)
        guard !template.isEmpty, !template.unicodeScalars.contains("\0"),
            FileManager.default.fileExists(atPath: resolved, isDirectory: &isFolder), !isFolder.boolValue
        else {
            throw node.error(.unknownTemplate(template, suggestion: suggestion(for: template, among: builtIn)))
        }
        return .file(resolved)
    }

    func parsePage(_ node: SpecNode) throws -> JobSpec.PageSize {
        let text = try node.string()
        guard let size = JobSpec.PageSize(rawValue: text) else {
            let names = JobSpec.PageSize.allCases.map(\.rawValue)
            throw node.error(.unknownPage(text, names: names, suggestion: suggestion(for: text, among: names)))
        }
        return size
    }

    func parseTheme(_ node: SpecNode) throws -> ThemeName {
        let text = try node.string()
        guard let theme = ThemeName(rawValue: text) else { throw node.error(.unknownTheme(text)) }
        return theme
    }

    func parseProjection(_ node: SpecNode) throws -> ProjectionMethod {
        let text = try node.string()
        guard let projection = ProjectionMethod(rawValue: text) else { throw node.error(.unknownProjection(text)) }
        return projection
    }
}
