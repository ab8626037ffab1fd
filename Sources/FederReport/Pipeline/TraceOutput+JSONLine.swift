import FederIndex
import FederSearch
import Foundation

/// `trace --json --detail results` prints a line per query; Foundation's `JSONEncoder` took a third of such a run
/// (36 µs a query against 81 µs for hnswlib's search at ef 16). A results-only output is small and fixed in shape, so
/// it is written here directly, byte for byte as `JSONOutput.encode` writes it: keys sorted by their UTF-8 bytes,
/// numbers as their `description` (a whole float without its ".0"), non-finite floats as "inf", "-inf" and "nan",
/// strings escaped as `JSONEncoder` escapes them (slashes kept). Tests hold the two writers equal on every kind of
/// trace and on hostile strings and numbers.
extension TraceOutput {
    /// The properties this writer knows: a property added to `TraceOutput` must be written here too (a test fails
    /// until the list and the writer are brought up to date).
    static let propertiesWrittenByJSONLine = [
        "query", "kind", "metric", "kernels", "parameters", "results", "counts", "recall", "rankOfTrueNearest", "exact", "misses",
        "needed", "codes", "refine", "ivf", "hnsw", "nodeLabels", "shards", "shardTraces", "warnings", "groundTruth",
    ]

    /// The output as one JSON line, when it holds only what `--detail results` prints; nil otherwise (then
    /// `JSONOutput.encode` writes it).
    func resultsJSONLine() -> String? {
        guard recall == nil, rankOfTrueNearest == nil, exact == nil, misses == nil, needed == nil, refine == nil, ivf == nil,
            hnsw == nil, nodeLabels == nil, shards == nil, shardTraces == nil, groundTruth == nil
        else { return nil }
        var line = JSONLine()
        line.object([
            ("codes", codes.map { JSONLine.string($0) }),
            ("counts", JSONLine.counts(counts)),
            ("kernels", JSONLine.string(kernels)),
            ("kind", JSONLine.string(kind.rawValue)),
            ("metric", JSONLine.string(metric)),
            ("parameters", JSONLine.parameters(parameters)),
            ("query", JSONLine.query(query)),
            ("results", JSONLine.array(results.map(JSONLine.neighbor))),
            ("warnings", JSONLine.array(warnings.map { JSONLine.string($0) })),
        ])
        return line.text
    }
}

/// A JSON text written as `JSONOutput.encode` writes one (sorted keys, no spaces).
struct JSONLine {
    private(set) var text = ""

    /// An object from its members' keys and written values; absent (nil) members are left out, as `encodeIfPresent`
    /// leaves them out.
    mutating func object(_ members: [(String, String?)]) { text += Self.object(members) }

    static func object(_ members: [(String, String?)]) -> String {
        let present = members.compactMap { key, value in value.map { (key, $0) } }
            .sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
        return "{" + present.map { string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    static func array(_ elements: [String]) -> String { "[" + elements.joined(separator: ",") + "]" }

    static func number<T: BinaryInteger>(_ value: T) -> String { String(value) }

    /// A float as `JSONEncoder` writes it: its shortest round-trip `description`, a whole number without ".0",
    /// non-finite values as the strings the encoder was told to use.
    static func number<T: BinaryFloatingPoint & LosslessStringConvertible>(_ value: T) -> String {
        if value.isNaN { return "\"nan\"" }
        if value.isInfinite { return value < 0 ? "\"-inf\"" : "\"inf\"" }
        var written = value.description
        if written.hasSuffix(".0") { written.removeLast(2) }
        return written
    }

    /// A string as `JSONEncoder` escapes it without escaping slashes: quote, backslash and control characters
    /// (\b \f \n \r \t by name, the rest as \u00XX); everything else as its UTF-8.
    static func string(_ value: String) -> String {
        var bytes: [UInt8] = [UInt8(ascii: "\"")]
        bytes.reserveCapacity(value.utf8.count + 2)
        let hex = Array("0123456789abcdef".utf8)
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x08: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
            case 0x0C: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
            case 0x0A: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x00..<0x20:
                bytes += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
        return String(decoding: bytes, as: UTF8.self)
    }

    static func label(_ label: Label) -> String {
        switch label {
        case .signed(let value): return number(value)
        case .unsigned(let value): return number(value)
        }
    }

    static func neighbor(_ neighbor: TraceOutput.LabeledNeighbor) -> String {
        let distance =
            neighbor.integral && neighbor.distance.isFinite
            ? number(TraceOutput.LabeledNeighbor.whole(neighbor.distance)) : number(neighbor.distance)
        return object([("id", label(neighbor.id)), ("distance", distance), ("internalID", number(neighbor.internalID))])
    }

    static func counts(_ counts: SearchCounts) -> String {
        object([
            ("distanceComputations", number(counts.distanceComputations)), ("visited", number(counts.visited)),
            ("scanned", counts.scanned.map(number)), ("probedLists", counts.probedLists.map(number)),
            ("hops", counts.hops.map(number)), ("visitedLevel0", counts.visitedLevel0.map(number)),
        ])
    }

    static func parameters(_ parameters: SearchParameters) -> String {
        object([
            ("k", number(parameters.k)), ("nprobe", parameters.nprobe.map(number)), ("ef", parameters.ef.map(number)),
            ("ompThreads", parameters.ompThreads.map(number)),
        ])
    }

    static func query(_ query: TraceOutput.QueryInfo) -> String {
        object([("source", string(query.source)), ("row", query.row.map(number)), ("id", query.id.map(label))])
    }
}
