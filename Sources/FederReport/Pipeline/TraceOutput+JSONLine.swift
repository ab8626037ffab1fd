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
    /// `JSONOutput.encode` writes it). Members are written in the encoder's order (keys sorted by their UTF-8 bytes),
    /// straight into one buffer.
    func resultsJSONLine() -> String? {
        guard recall == nil, rankOfTrueNearest == nil, exact == nil, misses == nil, needed == nil, refine == nil, ivf == nil,
            hnsw == nil, nodeLabels == nil, shards == nil, shardTraces == nil, groundTruth == nil
        else { return nil }
        var line = JSONLine()
        line.bytes.reserveCapacity(200 + results.count * 56)
        line.open()
        if let codes { line.member("codes", string: codes) }
        line.key("counts")
        line.open()
        line.member("distanceComputations", counts.distanceComputations)
        if let hops = counts.hops { line.member("hops", hops) }
        if let probedLists = counts.probedLists { line.member("probedLists", probedLists) }
        if let scanned = counts.scanned { line.member("scanned", scanned) }
        line.member("visited", counts.visited)
        if let visitedLevel0 = counts.visitedLevel0 { line.member("visitedLevel0", visitedLevel0) }
        line.close()
        line.member("kernels", string: kernels)
        line.member("kind", string: kind.rawValue)
        line.member("metric", string: metric)
        line.key("parameters")
        line.open()
        if let ef = parameters.ef { line.member("ef", ef) }
        line.member("k", parameters.k)
        if let nprobe = parameters.nprobe { line.member("nprobe", nprobe) }
        if let ompThreads = parameters.ompThreads { line.member("ompThreads", ompThreads) }
        line.close()
        line.key("query")
        line.open()
        if let id = query.id { line.member("id", id) }
        if let row = query.row { line.member("row", row) }
        line.member("source", string: query.source)
        line.close()
        line.key("results")
        line.openArray()
        for neighbor in results {
            line.element()
            line.open()
            line.key("distance")
            if neighbor.integral, neighbor.distance.isFinite {
                line.integer(Int64(LabeledNeighbor.whole(neighbor.distance)))
            } else {
                line.float(neighbor.distance)
            }
            line.member("id", neighbor.id)
            line.member("internalID", neighbor.internalID)
            line.close()
        }
        line.closeArray()
        line.key("warnings")
        line.openArray()
        for warning in warnings {
            line.element()
            line.string(warning)
        }
        line.closeArray()
        line.close()
        return String(decoding: line.bytes, as: UTF8.self)
    }
}

/// A JSON text written as `JSONOutput.encode` writes one (no spaces), its members given in sorted order by the
/// caller; commas go in where a member or element follows another.
struct JSONLine {
    var bytes: [UInt8] = []
    /// Whether the next member or element follows another (after a value, or a container just closed) and so needs a
    /// comma; an open bracket clears it.
    private var followsValue = false

    mutating func open() { begin(UInt8(ascii: "{")) }
    mutating func openArray() { begin(UInt8(ascii: "[")) }
    mutating func close() { end(UInt8(ascii: "}")) }
    mutating func closeArray() { end(UInt8(ascii: "]")) }

    private mutating func begin(_ byte: UInt8) {
        bytes.append(byte)
        followsValue = false
    }

    private mutating func end(_ byte: UInt8) {
        bytes.append(byte)
        followsValue = true
    }

    /// A comma before every member or element but the first.
    mutating func element() {
        if followsValue { bytes.append(UInt8(ascii: ",")) }
        followsValue = true
    }

    mutating func key(_ key: StaticString) {
        element()
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        followsValue = false
    }

    mutating func member(_ key: StaticString, _ value: Int) {
        self.key(key)
        integer(Int64(value))
        followsValue = true
    }

    mutating func member(_ key: StaticString, string value: String) {
        self.key(key)
        string(value)
        followsValue = true
    }

    mutating func member(_ key: StaticString, _ label: Label) {
        self.key(key)
        switch label {
        case .signed(let value): integer(value)
        case .unsigned(let value): unsigned(value)
        }
        followsValue = true
    }

    mutating func integer(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        unsigned(value.magnitude)
    }

    mutating func unsigned(_ value: UInt64) {
        // The digits from the right, in a fixed buffer (20 is UInt64's most).
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[23 - count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest > 0
            bytes.append(contentsOf: buffer[(24 - count)...])
        }
        followsValue = true
    }

    /// A float as `JSONEncoder` writes it: its shortest round-trip `description`, a whole number without ".0",
    /// non-finite values as the strings the encoder was told to use.
    mutating func float(_ value: Float) {
        if value.isNaN { return string("nan") }
        if value.isInfinite { return string(value < 0 ? "-inf" : "inf") }
        // A whole value below 2^24 is exactly its integer: the same digits `description` gives, without the ".0".
        if value == value.rounded(), abs(value) < 16_777_216 {
            if value == 0, value.sign == .minus { bytes.append(UInt8(ascii: "-")) }
            return integer(Int64(value))
        }
        var written = value.description
        if written.hasSuffix(".0") { written.removeLast(2) }
        bytes.append(contentsOf: written.utf8)
        followsValue = true
    }

    /// A string as `JSONEncoder` escapes it without escaping slashes: quote, backslash and control characters
    /// (\b \f \n \r \t by name, the rest as \u00xx); everything else as its UTF-8.
    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        defer {
            bytes.append(UInt8(ascii: "\""))
            followsValue = true
        }
        // Most strings need no escape: copied whole.
        if value.utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            bytes.append(contentsOf: value.utf8)
            return
        }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): escape(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): escape(UInt8(ascii: "\\"))
            case 0x08: escape(UInt8(ascii: "b"))
            case 0x0C: escape(UInt8(ascii: "f"))
            case 0x0A: escape(UInt8(ascii: "n"))
            case 0x0D: escape(UInt8(ascii: "r"))
            case 0x09: escape(UInt8(ascii: "t"))
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes += [
                    UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)],
                ]
            default: bytes.append(byte)
            }
        }
    }

    private mutating func escape(_ byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        bytes.append(byte)
    }
}
