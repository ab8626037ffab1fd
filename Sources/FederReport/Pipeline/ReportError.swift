import FederIndex
import Foundation

/// Why a job failed: its spec is wrong, a budget ran out, a query could not be resolved or traced, shards do not
/// fit together, summaries cannot be merged, a file named on the command line could not be read or written. The
/// one error type FederReport throws; each case carries its data, and the wording is here alone.
public enum ReportError: Error, Sendable {
    /// Every problem found in a job spec (or a template it names), in file order: a spec is checked whole, not up
    /// to its first mistake.
    case spec([SpecProblem])
    /// The job ran longer than `--time-limit` seconds.
    case timeBudgetExceeded(limit: Double, at: String)
    /// The job's resident memory passed `--memory-limit`.
    case memoryBudgetExceeded(limitMiB: Int, residentMiB: Int, at: String)
    /// A failure while running the job, located at the part of the spec that asked for it.
    case atSpec(file: String, path: String, underlying: any Error & Sendable)
    /// A query could not be turned into vectors (unknown id, missing row, wrong dimension, empty set).
    case query(QueryProblem)
    /// A file given on the command line (labels, media list) could not be read.
    case cannotRead(path: String, reason: String)
    /// An output file or folder could not be written.
    case cannotWrite(path: String, reason: String)
    /// A `--fail-if` gate held: one line per failing side.
    case gateFailed([String])
    /// `--check-layout` found text that is cut, overlaps other text or leaves its panel: one line each.
    case layoutProblems([String])
    /// A command-line option that does not apply (a search parameter the index's search does not read).
    case inapplicable(String)
    /// Shard `shard`'s file could not be read; `underlying` is the reader's error.
    case shardUnreadable(shard: Int, underlying: any Error & Sendable)
    /// Shard `shard` differs from shard 0 in library, dimension or metric.
    case shardMismatch(shard: Int, detail: String)
    /// A `--summary` file that cannot be merged with the others (not a summary, another job, a part missing or
    /// given twice).
    case notMergeable(file: String, detail: String)
}

/// Why a query could not be turned into vectors: plain data, thrown as `ReportError.query`.
public enum QueryProblem: Equatable, Sendable {
    /// The label is not in the index (or names a deleted hnswlib element, which hnswlib refuses too).
    case unknownID(label: Label, index: String, deleted: Bool)
    /// An id query on an index that keeps only codes (or transformed vectors), not the vectors themselves.
    case noStoredVectors(label: Label, index: String, code: String)
    /// `row` is past the end of a vector file.
    case rowOutOfRange(row: Int, rows: Int, file: String)
    /// The query's dimension is not the index's.
    case dimensionMismatch(query: String, dim: Int, index: String, indexDim: Int)
    /// A query set with no vectors.
    case emptySet(source: String)
    /// A vector file whose rows have no elements.
    case zeroDimension(source: String)
    /// More rows than one query set may have.
    case tooManyQueries(source: String, rows: Int, limit: Int)
    /// `--ids` text that is not a comma-separated list of integers.
    case badIDList(String)
    /// `--vectors` that are not the index's vectors: another row count or dimension.
    case baseVectorsMismatch(file: String, rows: Int, dim: Int, index: String, count: Int, indexDim: Int)
}

extension QueryProblem: CustomStringConvertible {
    public var description: String {
        switch self {
        case .unknownID(let label, let index, let deleted):
            return deleted
                ? "id \(label) is deleted in \(index) (hnswlib refuses it: Label not found)"
                : "id \(label) is not in \(index)"
        case .noStoredVectors(let label, let index, let code):
            return "id \(label) cannot be a query: \(index) (\(code)) keeps codes or transformed vectors, not the vectors that "
                + "were added; give the query as a vector (--vector, or \"vector\" in a spec), or the vectors that were added "
                + "(--vectors, or \"vectors\" on the index entry) to query them by id"
        case .rowOutOfRange(let row, let rows, let file):
            return "\(file) has \(rows) rows; row \(row) does not exist"
        case .dimensionMismatch(let query, let dim, let index, let indexDim):
            return "\(query) has dimension \(dim) but \(index) has dimension \(indexDim)"
        case .emptySet(let source):
            return "\(source) holds no query vectors (0 rows)"
        case .zeroDimension(let source):
            return "\(source) has rows of dimension 0"
        case .tooManyQueries(let source, let rows, let limit):
            return "\(source) has \(rows) rows; at most \(limit) queries per set"
        case .badIDList(let text):
            return "--ids takes comma-separated integers; '\(text)' is not one"
        case .baseVectorsMismatch(let file, let rows, let dim, let index, let count, let indexDim):
            return "\(file) holds \(rows) vectors of dimension \(dim), but \(index) holds \(count) of dimension \(indexDim); "
                + "the vectors given must be the ones that were added, in order"
        }
    }
}

extension ReportError {
    /// The JSON path of the spec part a failure is located at, when it is.
    public var specPath: String? {
        if case .atSpec(_, let path, _) = self { return path }
        return nil
    }

    /// The error underneath a located failure.
    public var underlying: (any Error)? {
        if case .atSpec(_, _, let underlying) = self { return underlying }
        return nil
    }

    /// The problems of a spec that was refused.
    public var specProblems: [SpecProblem]? {
        if case .spec(let problems) = self { return problems }
        return nil
    }

    /// The query that could not be turned into vectors.
    public var queryProblem: QueryProblem? {
        if case .query(let problem) = self { return problem }
        return nil
    }

    /// The shard entry (0-based) a shard that cannot be read or merged is at.
    public var shard: Int? {
        switch self {
        case .shardUnreadable(let shard, _), .shardMismatch(let shard, _): return shard
        default: return nil
        }
    }
}

extension ReportError: LocalizedError {
    public var errorDescription: String? {
        switch self {
        case .spec(let problems):
            return problems.map(\.description).joined(separator: "\n")
        case .timeBudgetExceeded(let limit, let at):
            return String(format: "%@: the job exceeded its time budget of %.0f s (raise it with --time-limit)", at, limit)
        case .memoryBudgetExceeded(let limit, let resident, let at):
            return "\(at): the job exceeded its memory budget of \(limit) MiB (\(resident) MiB resident; raise it with --memory-limit)"
        case .atSpec(let file, let path, let underlying):
            return "\(file): \(path): \(ExitStatus.describe(underlying))"
        case .query(let problem):
            return problem.description
        case .cannotRead(let path, let reason):
            return "\(path): cannot read: \(reason)"
        case .cannotWrite(let path, let reason):
            return "\(path): cannot write: \(reason)"
        case .gateFailed(let lines):
            return lines.map { "fail-if: \($0)" }.joined(separator: "\n")
        case .layoutProblems(let lines):
            return lines.map { "layout: \($0)" }.joined(separator: "\n")
        case .inapplicable(let message):
            return message
        case .shardUnreadable(_, let underlying):
            return ExitStatus.describe(underlying)
        case .shardMismatch(_, let detail):
            return "shards cannot be merged: \(detail)"
        case .notMergeable(let file, let detail):
            return "\(file): \(detail)"
        }
    }
}

extension ReportError: ToolError {
    public var exitCode: ToolExitCode {
        switch self {
        // 66 when every problem is a file that cannot be opened (the spec itself, or files it names); 65 when the
        // spec itself is wrong anywhere.
        case .spec(let problems): return !problems.isEmpty && problems.allSatisfy(\.cannotOpen) ? .cannotOpen : .dataError
        case .atSpec(_, _, let underlying): return ExitStatus.code(of: underlying)
        // A shard that cannot be read ends as its own error would; shards that do not match are bad data.
        case .shardUnreadable(_, let underlying): return ExitStatus.code(of: underlying)
        case .shardMismatch, .notMergeable: return .dataError
        case .query: return .dataError
        case .cannotRead: return .cannotOpen
        case .cannotWrite: return .cannotWrite
        case .gateFailed, .layoutProblems: return .gateFailed
        case .inapplicable: return .usage
        case .timeBudgetExceeded, .memoryBudgetExceeded: return .dataError
        }
    }
}
