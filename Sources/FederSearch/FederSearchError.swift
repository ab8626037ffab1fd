import Foundation

/// Why a search could not run. Every case says what to change.
public enum FederSearchError: Error, Equatable, Sendable {
    case dimensionMismatch(expected: Int, got: Int, source: String)
    case invalidK(Int)
    case invalidParameter(name: String, value: Int, detail: String)
    case unknownID(Int64)
    case unsupported(String)
    case nonFiniteQuery(source: String)
}

extension FederSearchError: LocalizedError {
    public var errorDescription: String? {
        switch self {
        case let .dimensionMismatch(expected, got, source):
            return "\(source) has dimension \(got) but the index has dimension \(expected)"
        case let .invalidK(k):
            return "k must be at least 1 (got \(k))"
        case let .invalidParameter(name, value, detail):
            return "\(name) \(value) is invalid: \(detail)"
        case let .unknownID(id):
            return "no vector with id \(id) in the index"
        case let .unsupported(detail):
            return detail
        case let .nonFiniteQuery(source):
            return "\(source) holds NaN or infinite values"
        }
    }
}
