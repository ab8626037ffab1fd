import FederIndex
import FederLayout
import Foundation

/// Reads a job spec (JSON) into a `JobSpec`, refusing unknown keys (with a suggestion), wrong types, missing
/// references and absurd sizes, each with the JSON path of the problem.
public enum JobSpecParser {
    /// Limits that keep a hand-written spec from asking for more than a report can show.
    public static let maxQueriesPerSet = 100_000
    public static let maxSweepPoints = 64
    public static let maxComparisons = 200
    public static let maxK = 10_000

    public static func parse(file: String) throws -> JobSpec {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw SpecError(file: file, path: "$", message: "cannot read the spec (\(error.localizedDescription))")
        }
        return try parse(data: data, file: file)
    }

    public static func parse(data: Data, file: String) throws -> JobSpec {
        let tree: JSONTree
        do {
            tree = try JSONDecoder().decode(JSONTree.self, from: data)
        } catch {
            throw SpecError(file: file, path: "$", message: "not valid JSON (\(describe(error)))")
        }
        let directory = URL(fileURLWithPath: file).deletingLastPathComponent()
        let root = Node(value: tree, path: "$", file: file, directory: directory)
        let keys = try root.object(
            allowed: ["title", "indexes", "media", "queries", "params", "comparisons", "template", "output", "seed", "projection", "$schema"],
            required: ["indexes", "queries", "comparisons"])
        let title = try keys["title"]?.string() ?? (file as NSString).lastPathComponent
        let media = try keys["media"].map(parseMedia)
        var indexes: [String: JobSpec.IndexSpec] = [:]
        let indexNode = try keys["indexes"].map { $0 }.orThrow(root, "indexes")
        for (name, node) in try indexNode.object(allowed: nil, required: []).sorted(by: { $0.key < $1.key }) {
            let fields = try node.object(allowed: ["file", "space", "media"], required: ["file"])
            let path = try fields["file"].orThrow(node, "file").path(existing: true)
            var space = Metric.l2
            if let spaceNode = fields["space"] {
                let text = try spaceNode.string()
                guard let metric = Metric(name: text), metric != .other(0) else {
                    throw spaceNode.error("space '\(text)' is not one of l2, ip, cosine")
                }
                space = metric
            }
            indexes[name] = JobSpec.IndexSpec(name: name, file: path, space: space, media: try fields["media"].map(parseMedia))
        }
        guard !indexes.isEmpty else { throw indexNode.error("name at least one index") }

        var queries: [String: JobSpec.QuerySpec] = [:]
        let queryNode = try keys["queries"].orThrow(root, "queries")
        for (name, node) in try queryNode.object(allowed: nil, required: []).sorted(by: { $0.key < $1.key }) {
            queries[name] = try parseQuery(name: name, node: node)
        }
        let params = try keys["params"].map(parseParams) ?? JobSpec.Params()

        let comparisonNode = try keys["comparisons"].orThrow(root, "comparisons")
        let comparisonNodes = try comparisonNode.array()
        guard !comparisonNodes.isEmpty else { throw comparisonNode.error("list at least one comparison") }
        guard comparisonNodes.count <= maxComparisons else {
            throw comparisonNode.error("\(comparisonNodes.count) comparisons; at most \(maxComparisons) fit a report")
        }
        var comparisons: [JobSpec.ComparisonSpec] = []
        for (position, node) in comparisonNodes.enumerated() {
            let fields = try node.object(allowed: ["title", "left", "right", "sweep"], required: ["left", "right"])
            let left = try parseSide(try fields["left"].orThrow(node, "left"), indexes: indexes, queries: queries)
            let right = try parseSide(try fields["right"].orThrow(node, "right"), indexes: indexes, queries: queries)
            let sweep = try fields["sweep"].map(parseSweep)
            let title = try fields["title"]?.string() ?? "\(left.index) · \(left.query)  vs  \(right.index) · \(right.query)"
            comparisons.append(JobSpec.ComparisonSpec(title: title, left: left, right: right, sweep: sweep, path: "$.comparisons[\(position)]"))
        }

        var template = "compare"
        if let node = keys["template"] {
            template = try node.string()
            if !["compare", "compact", "slides"].contains(template) {
                let resolved = node.resolve(template)
                guard FileManager.default.fileExists(atPath: resolved) else {
                    let hint = suggestion(for: template, among: ["compare", "compact", "slides"]).map { " — did you mean \($0)?" } ?? ""
                    throw node.error("template '\(template)' is neither compare, compact, slides nor an existing file\(hint)")
                }
                template = resolved
            }
        }
        var page = JobSpec.PageSize.a4Landscape
        var pageIsExplicit = false
        var theme = "light"
        if let output = keys["output"] {
            let fields = try output.object(allowed: ["page", "theme"], required: [])
            if let pageNode = fields["page"] {
                let text = try pageNode.string()
                guard let size = JobSpec.PageSize(rawValue: text) else {
                    let names = JobSpec.PageSize.allCases.map(\.rawValue)
                    let hint = suggestion(for: text, among: names).map { " — did you mean \($0)?" } ?? ""
                    throw pageNode.error("page '\(text)' is not one of \(names.joined(separator: ", "))\(hint)")
                }
                page = size
                pageIsExplicit = true
            }
            if let themeNode = fields["theme"] {
                theme = try themeNode.string()
                guard Theme.named(theme) != nil else { throw themeNode.error("theme '\(theme)' is not light or dark") }
            }
        }
        let seed = try keys["seed"].map { UInt64(try $0.int(in: 0...Int(Int32.max))) } ?? 1
        var projection = "pca"
        if let node = keys["projection"] {
            projection = try node.string()
            guard ["pca", "umap", "tsne"].contains(projection) else {
                throw node.error("projection '\(projection)' is not pca, umap or tsne")
            }
        }
        return JobSpec(
            file: file, title: title, indexes: indexes, media: media, queries: queries, params: params,
            comparisons: comparisons, template: template, page: page, pageIsExplicit: pageIsExplicit, theme: theme, seed: seed,
            projection: projection)
    }

    // MARK: parts

    static func parseMedia(_ node: Node) throws -> JobSpec.MediaSpec {
        let fields = try node.object(allowed: ["type", "list", "root"], required: ["list"])
        var kind = MediaList.Kind.image
        if let typeNode = fields["type"] {
            let text = try typeNode.string()
            guard let value = MediaList.Kind(rawValue: text) else { throw typeNode.error("media type '\(text)' is not image or text") }
            kind = value
        }
        let list = try fields["list"].orThrow(node, "list").path(existing: true)
        let root = try fields["root"].map { try $0.path(existing: false) }
        return JobSpec.MediaSpec(kind: kind, list: list, root: root)
    }

    static func parseQuery(name: String, node: Node) throws -> JobSpec.QuerySpec {
        let fields = try node.object(allowed: ["id", "ids", "vector", "row", "media"], required: [])
        let sources = ["id", "ids", "vector"].filter { fields[$0] != nil }
        guard sources.count == 1 else {
            throw node.error(sources.isEmpty ? "give one of id, ids or vector" : "give only one of id, ids or vector (found \(sources.joined(separator: ", ")))")
        }
        let media = try fields["media"].map { try $0.path(existing: false) }
        if let idNode = fields["id"] {
            if fields["row"] != nil { throw node.error("row goes with vector, not id") }
            return JobSpec.QuerySpec(name: name, source: .id(Int64(try idNode.int(in: 0...Int(Int64.max >> 1)))), media: media)
        }
        if let idsNode = fields["ids"] {
            let items = try idsNode.array()
            guard !items.isEmpty else { throw idsNode.error("list at least one id") }
            guard items.count <= maxQueriesPerSet else {
                throw idsNode.error("\(items.count) ids; at most \(maxQueriesPerSet) queries per set")
            }
            return JobSpec.QuerySpec(name: name, source: .ids(try items.map { Int64(try $0.int(in: 0...Int(Int64.max >> 1))) }), media: media)
        }
        let vectorNode = try fields["vector"].orThrow(node, "vector")
        let row = try fields["row"].map { try $0.int(in: 0...Int(Int32.max)) }
        switch vectorNode.value {
        case .string:
            return JobSpec.QuerySpec(name: name, source: .file(path: try vectorNode.path(existing: true), row: row), media: media)
        case .array(let items):
            if row != nil { throw node.error("row goes with a vector file, not an inline vector") }
            guard !items.isEmpty else { throw vectorNode.error("an inline vector needs numbers") }
            if case .array = items[0] {
                let rows = try vectorNode.array().map { try $0.floats() }
                guard let dim = rows.first?.count, rows.allSatisfy({ $0.count == dim }) else {
                    throw vectorNode.error("inline rows have different lengths")
                }
                return JobSpec.QuerySpec(name: name, source: .inline(rows), media: media)
            }
            return JobSpec.QuerySpec(name: name, source: .inline([try vectorNode.floats()]), media: media)
        default:
            throw vectorNode.error("expected a file path or an array of numbers, found \(vectorNode.value.typeName)")
        }
    }

    static func parseParams(_ node: Node) throws -> JobSpec.Params {
        let fields = try node.object(allowed: ["k", "nprobe", "ef"], required: [])
        return JobSpec.Params(
            k: try fields["k"].map { try $0.int(in: 1...maxK) }, nprobe: try fields["nprobe"].map { try $0.int(in: 1...1_000_000) },
            ef: try fields["ef"].map { try $0.int(in: 1...1_000_000) })
    }

    static func parseSide(_ node: Node, indexes: [String: JobSpec.IndexSpec], queries: [String: JobSpec.QuerySpec]) throws -> JobSpec.Side {
        let fields = try node.object(allowed: ["index", "query", "params", "media"], required: ["index", "query"])
        let indexNode = try fields["index"].orThrow(node, "index")
        let index = try indexNode.string()
        guard indexes[index] != nil else {
            let hint = suggestion(for: index, among: Array(indexes.keys)).map { " — did you mean \($0)?" } ?? ""
            throw indexNode.error("unknown index '\(index)'\(hint) (the spec names \(indexes.keys.sorted().joined(separator: ", ")))")
        }
        let queryNode = try fields["query"].orThrow(node, "query")
        let query = try queryNode.string()
        guard queries[query] != nil else {
            let hint = suggestion(for: query, among: Array(queries.keys)).map { " — did you mean \($0)?" } ?? ""
            throw queryNode.error("unknown query '\(query)'\(hint) (the spec names \(queries.keys.sorted().joined(separator: ", ")))")
        }
        return JobSpec.Side(
            index: index, query: query, params: try fields["params"].map(parseParams) ?? JobSpec.Params(),
            media: try fields["media"].map(parseMedia), path: node.path)
    }

    static func parseSweep(_ node: Node) throws -> JobSpec.Sweep {
        let fields = try node.object(allowed: ["nprobe", "ef"], required: [])
        guard fields.count == 1, let (name, valuesNode) = fields.first, let parameter = JobSpec.Sweep.Parameter(rawValue: name) else {
            throw node.error("sweep one parameter: {\"nprobe\": [...]} or {\"ef\": [...]}")
        }
        let items = try valuesNode.array()
        guard !items.isEmpty else { throw valuesNode.error("list at least one value") }
        guard items.count <= maxSweepPoints else {
            throw valuesNode.error("\(items.count) sweep points; at most \(maxSweepPoints) fit a chart")
        }
        let values = try items.map { try $0.int(in: 1...1_000_000) }
        return JobSpec.Sweep(parameter: parameter, values: values)
    }

    static func describe(_ error: Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return underlying ?? context.debugDescription
        }
        return error.localizedDescription
    }
}

/// A value in the spec with its JSON path: typed accessors throw `SpecError`s that say where and what.
struct Node {
    let value: JSONTree
    let path: String
    let file: String
    let directory: URL

    func error(_ message: String) -> SpecError { SpecError(file: file, path: path, message: message) }

    func child(_ key: String, _ value: JSONTree) -> Node {
        let simple = key.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
        return Node(value: value, path: simple ? "\(path).\(key)" : "\(path)[\"\(key)\"]", file: file, directory: directory)
    }

    /// The object's members; unknown keys (when `allowed` is given) and missing required keys are errors.
    func object(allowed: [String]?, required: [String]) throws -> [String: Node] {
        guard case .object(let members) = value else { throw error("expected an object, found \(value.typeName)") }
        if let allowed {
            for key in members.keys.sorted() where !allowed.contains(key) {
                let hint = suggestion(for: key, among: allowed).map { " — did you mean \($0)?" } ?? ""
                throw child(key, members[key] ?? .null).error("unknown key '\(key)'\(hint)")
            }
        }
        for key in required where members[key] == nil { throw error("missing '\(key)'") }
        return Dictionary(uniqueKeysWithValues: members.map { ($0.key, child($0.key, $0.value)) })
    }

    func array() throws -> [Node] {
        guard case .array(let items) = value else { throw error("expected an array, found \(value.typeName)") }
        return items.enumerated().map { Node(value: $0.element, path: "\(path)[\($0.offset)]", file: file, directory: directory) }
    }

    func string() throws -> String {
        guard case .string(let text) = value else { throw error("expected a string, found \(value.typeName)") }
        return text
    }

    func int(in range: ClosedRange<Int>) throws -> Int {
        guard case .number(let number) = value else { throw error("expected a whole number, found \(value.typeName)") }
        guard number == number.rounded(), number >= Double(range.lowerBound), number <= Double(range.upperBound) else {
            throw error("\(number) is not a whole number in \(range.lowerBound)…\(range.upperBound)")
        }
        return Int(number)
    }

    func floats() throws -> [Float] {
        try array().map { node in
            guard case .number(let number) = node.value, Float(number).isFinite else {
                throw node.error("expected a finite number, found \(node.value.typeName)")
            }
            return Float(number)
        }
    }

    /// A path relative to the spec's folder, made absolute; `existing` requires the file to exist.
    func path(existing: Bool) throws -> String {
        let text = try string()
        guard !text.isEmpty else { throw error("empty path") }
        let resolved = resolve(text)
        if existing, !FileManager.default.fileExists(atPath: resolved) {
            throw error("file not found: \(text) (looked for \(resolved))")
        }
        return resolved
    }

    func resolve(_ text: String) -> String {
        text.hasPrefix("/") ? text : directory.appendingPathComponent(text).standardizedFileURL.path
    }
}

extension Optional where Wrapped == Node {
    func orThrow(_ parent: Node, _ key: String) throws -> Node {
        guard let node = self else { throw parent.error("missing '\(key)'") }
        return node
    }
}
