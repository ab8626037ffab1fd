import Foundation

/// The fixture set written by `scripts/gen_fixtures.py`: index files from the real libraries and their answers.
///
/// `FEDER_FIXTURES` points the tests at another set (CI regenerates a fresh random one each run).
public struct FixtureManifest: Decodable, Sendable {
    public struct Generator: Decodable, Sendable {
        public var faiss: String
        public var hnswlib: String
        public var seed: Int
    }

    public struct Fixture: Decodable, Sendable {
        public var name: String
        public var file: String
        public var format: String
        public var space: String?
        public var tier: String
        public var notes: String?
        public var expect: JSONValue
        public var queries: String?
        public var searches: [Search]
    }

    public struct Search: Decodable, Sendable {
        public var k: Int
        public var nprobe: Int?
        public var ef: Int?
        public var results: [Result]
        public var stats: [Stats?]
    }

    public struct Result: Decodable, Sendable {
        public var ids: [Int64]
        public var distances: [Double]
    }

    public struct Stats: Decodable, Sendable {
        public var ndis: Int?
        public var nlist: Int?
        public var nhops: Int?
        /// An HNSW coarse quantizer's `hnsw_stats` for its search inside an IVF search.
        public var coarseNdis: Int?
        public var coarseNhops: Int?

        enum CodingKeys: String, CodingKey {
            case ndis, nlist, nhops
            case coarseNdis = "coarse_ndis"
            case coarseNhops = "coarse_nhops"
        }
    }

    public var generator: Generator
    public var fixtures: [Fixture]
    /// faiss binary indexes (their queries are uint8 codes, `.bits.npy`); answers are integers, the same on every CPU.
    public var binary: [Fixture]?
    /// Voyager indexes (`.voy`), with `Index.query`'s answers (Voyager's kernels are the same on every x86-64 CPU).
    public var voyager: [Fixture]?
    /// The folder the manifest was read from.
    public var directory: URL = URL(fileURLWithPath: "/")

    enum CodingKeys: String, CodingKey { case generator, fixtures, binary, voyager }

    /// The committed fixtures, or the set `FEDER_FIXTURES` names.
    /// - Parameter committed: ignore `FEDER_FIXTURES` (tests that patch known byte offsets need the committed set).
    public static func load(committed: Bool = false, filePath: String = #filePath) throws -> FixtureManifest {
        let directory: URL
        if !committed, let override = ProcessInfo.processInfo.environment["FEDER_FIXTURES"], !override.isEmpty {
            directory = URL(fileURLWithPath: override)
        } else {
            directory = committedDirectory(filePath: filePath)
        }
        let data = try Data(contentsOf: directory.appendingPathComponent("manifest.json"))
        var manifest = try JSONDecoder().decode(FixtureManifest.self, from: data)
        manifest.directory = directory
        if directory.standardizedFileURL == committedDirectory(filePath: filePath).standardizedFileURL {
            let answers = try LibraryAnswers.committed.get()
            for index in manifest.fixtures.indices {
                if let searches = answers[manifest.fixtures[index].name] { manifest.fixtures[index].searches = searches }
            }
        }
        return manifest
    }

    /// The committed set's searches, run again by this machine's libraries (`gen_fixtures.py --answer`): the
    /// libraries' float bits depend on their build and the CPU, so the recorded answers hold only where the
    /// files were written. A fresh set is written, and answered, on the machine that tests it.
    enum LibraryAnswers {
        static let committed: Swift.Result<[String: [Search]], Error> = Swift.Result {
            guard LibraryScript.isAvailable else { return [:] }
            let directory = committedDirectory()
            let script = directory.deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("scripts/gen_fixtures.py")
            let runner = "import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"
            let data = try LibraryScript.run(runner, arguments: [script.path, directory.path, "--answer"])
            return try JSONDecoder().decode([String: [Search]].self, from: data)
        }
    }

    /// `Tests/Fixtures` of this checkout.
    public static func committedDirectory(filePath: String = #filePath) -> URL {
        URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures")
    }

    public func path(of fixture: Fixture) -> String { directory.appendingPathComponent(fixture.file).path }

    public func queriesPath(of fixture: Fixture) -> String? {
        fixture.queries.map { directory.appendingPathComponent($0).path }
    }
}

/// Any JSON value, for comparing the libraries' views with ours key by key.
public enum JSONValue: Decodable, Equatable, Sendable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Decodes any JSON text.
    public static func parse(_ data: Data) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: data)
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let dictionary) = self { return dictionary[key] }
        return nil
    }

    public var object: [String: JSONValue]? {
        if case .object(let dictionary) = self { return dictionary }
        return nil
    }

    public var number: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    public var array: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var description: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return "\(value)"
        case .number(let value): return value == value.rounded() && abs(value) < 1e15 ? "\(Int64(value))" : "\(value)"
        case .string(let value): return "\"\(value)\""
        case .array(let values): return "[" + values.map(\.description).joined(separator: ",") + "]"
        case .object(let dictionary):
            return "{" + dictionary.keys.sorted().map { "\"\($0)\":\(dictionary[$0].map(\.description) ?? "null")" }.joined(separator: ",")
                + "}"
        }
    }
}
