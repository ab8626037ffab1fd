import FederIndex
import FederLayout
import Foundation

/// A validated job: which indexes, queries and parameters to compare, and how to lay out the report.
/// Paths are absolute (resolved against the spec's folder). Built only by `JobSpecParser`.
public struct JobSpec: Sendable {
    public var file: String
    public var title: String
    /// Index names in the order they appear in the spec file's keys, sorted (JSON objects have no order).
    public var indexes: [String: IndexSpec]
    public var media: MediaSpec?
    public var queries: [String: QuerySpec]
    public var params: Params
    public var comparisons: [ComparisonSpec]
    /// A built-in template or a template file.
    public var template: TemplateChoice
    public var page: PageSize
    /// Whether the spec set `output.page` itself (then it wins over the template's page).
    public var pageIsExplicit: Bool
    public var theme: ThemeName
    public var seed: UInt64
    public var projection: ProjectionMethod

    /// Which template lays out the report.
    public enum TemplateChoice: Sendable, Equatable {
        /// `compare`, `compact` or `slides`.
        case builtIn(String)
        /// A template file (absolute path).
        case file(String)

        /// How the spec wrote it.
        public var name: String {
            switch self {
            case .builtIn(let name), .file(let name): return name
            }
        }
    }

    public struct IndexSpec: Sendable, Equatable {
        public var name: String
        /// The index file; for a sharded entry, its first shard.
        public var file: String
        /// Every shard's file, in order, when the entry is sharded (`"shards"`): searched apart and merged as
        /// faiss's `IndexShards` merges.
        public var shards: [String]?
        /// Whether shard s's labels are shifted by the vectors of the shards before it (faiss's `successive_ids`).
        public var successiveIDs: Bool = true
        public var space: Metric
        public var media: MediaSpec?
        /// The vectors that were added (`"vectors"`): the truth for codes-only indexes, the quantization views.
        public var vectors: String?
        /// A pgvector index in a database (`"postgres"`, `"index"`, …) instead of a file; `file` then names it.
        public var postgres: PostgresIndex?
    }

    public struct MediaSpec: Sendable, Hashable {
        public var kind: MediaList.Kind
        public var list: String
        public var root: String?

        public init(kind: MediaList.Kind, list: String, root: String?) {
            self.kind = kind
            self.list = list
            self.root = root
        }
    }

    public enum QuerySource: Sendable, Equatable {
        /// The stored vector of this id, looked up in each side's own index.
        case id(Int64)
        /// Stored vectors of several ids (a query set).
        case ids([Int64])
        /// Rows of a vector file: one row, or all rows (a query set) when `row` is nil; `dataset` names an HDF5
        /// file's dataset (`test` when nil).
        case file(path: String, row: Int?, dataset: String? = nil)
        /// Vectors given inline.
        case inline([[Float]])
    }

    public struct QuerySpec: Sendable, Equatable {
        public var name: String
        public var source: QuerySource
        /// A picture (or text) of the query for the result strip.
        public var media: String?
        /// Neighbour ids per query from a file: recall and misses use them as given instead of exact search.
        public var groundTruth: String?
    }

    public struct Params: Sendable, Equatable {
        public var k: Int?
        public var nprobe: Int?
        public var ef: Int?

        public init(k: Int? = nil, nprobe: Int? = nil, ef: Int? = nil) {
            self.k = k
            self.nprobe = nprobe
            self.ef = ef
        }

        /// `self` with the parameters `other` sets taking precedence.
        public func overridden(by other: Params) -> Params {
            Params(k: other.k ?? k, nprobe: other.nprobe ?? nprobe, ef: other.ef ?? ef)
        }
    }

    public struct Side: Sendable, Equatable {
        public var index: String
        public var query: String
        public var params: Params
        public var media: MediaSpec?
        /// JSON path of this side, for messages found later (dimension mismatch, unknown id).
        public var path: String
    }

    public struct Sweep: Sendable, Equatable {
        public enum Parameter: String, Sendable { case nprobe, ef }
        public var parameter: Parameter
        public var values: [Int]
    }

    public struct ComparisonSpec: Sendable, Equatable {
        public var title: String
        public var left: Side
        public var right: Side
        public var sweep: Sweep?
        public var path: String
    }

    /// Page sizes a spec may name, in points.
    public enum PageSize: String, Sendable, CaseIterable {
        case a4Landscape = "A4-landscape"
        case a4 = "A4"
        case letterLandscape = "letter-landscape"
        case letter
        case widescreen = "16:9"

        public var size: Size {
            switch self {
            case .a4Landscape: return Size(842, 595)
            case .a4: return Size(595, 842)
            case .letterLandscape: return Size(792, 612)
            case .letter: return Size(612, 792)
            case .widescreen: return Size(960, 540)
            }
        }
    }

    /// Sorted index names (deterministic order for loading and listing).
    public var indexNames: [String] { indexes.keys.sorted() }
}
