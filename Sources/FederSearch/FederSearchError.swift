import FederIndex
import Foundation

/// Why a search could not run. Every case says what to change.
public enum FederSearchError: Error, Equatable, Sendable {
    case dimensionMismatch(expected: Int, got: Int, source: String)
    case invalidK(Int)
    case invalidParameter(name: String, value: Int, detail: String)
    case unknownID(Int64)
    case unsupported(String)
    case nonFiniteQuery(source: String)
    /// `--kernels` named no known build.
    case unknownKernels(token: String)
    /// A query value the index's column type cannot hold (the sentence says which component and why).
    case invalidQuery(String)
    /// The server refused to load what the scan reached (a deleted HNSW element: "cannot load deleted element").
    case scanFailed(String)
}

extension FederSearchError: LocalizedError {
    public var errorDescription: String? {
        switch self {
        case .dimensionMismatch(let expected, let got, let source):
            return "\(source) has dimension \(got) but the index has dimension \(expected)"
        case .invalidK(let k):
            return "k must be at least 1 (got \(k))"
        case .invalidParameter(let name, let value, let detail):
            return "\(name) \(value) is invalid: \(detail)"
        case .unknownID(let id):
            return "no vector with id \(id) in the index"
        case .unsupported(let detail):
            return detail
        case .nonFiniteQuery(let source):
            return "\(source) holds NaN or infinite values"
        case .invalidQuery(let detail):
            return "the query does not fit the index: \(detail)"
        case .scanFailed(let detail):
            return detail
        case .unknownKernels(let token):
            return "unknown kernels '\(token)'; expected native or a comma-separated list of \(Kernels.names.joined(separator: ", "))"
        }
    }
}

extension FederSearchError {
    /// An index this version reads (and `inspect` describes) but does not trace yet.
    static func notTracedYet(_ index: FaissIndex) -> FederSearchError {
        .unsupported("tracing faiss \(index.code) indexes is not supported by this version yet; inspect describes them")
    }

    /// A faiss metric the traced searches do not mirror (Lp, Canberra, BrayCurtis, …).
    static func unsupportedMetric(_ metric: Metric, role: String) -> FederSearchError {
        .unsupported("tracing faiss metric \(metric) (the \(role)'s) is not supported; L2, inner product, L1 and Linf are")
    }
}

extension FederSearchError: ToolError {
    /// Every search error is about the data (a query, a parameter, an index kind, a kernels name): 65.
    public var exitCode: ToolExitCode { .dataError }
}
