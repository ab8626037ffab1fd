/// A vector's label as its library writes it: faiss labels are signed 64-bit (`idx_t`, −1 for "none"),
/// hnswlib labels unsigned 64-bit (`labeltype` is `size_t`). The tool carries every label as the `Int64` with the
/// same bits; this is how one is printed and encoded, so an hnswlib label ≥ 2^63 reads as the library reads it.
public enum Label: Codable, Hashable, Sendable, CustomStringConvertible {
    case signed(Int64)
    case unsigned(UInt64)

    /// The label with `bits`, signed or unsigned.
    public init(bits: Int64, unsigned: Bool) {
        self = unsigned ? .unsigned(UInt64(bitPattern: bits)) : .signed(bits)
    }

    /// The `Int64` with the same bits (what searches compare).
    public var bits: Int64 {
        switch self {
        case .signed(let value): return value
        case .unsigned(let value): return Int64(bitPattern: value)
        }
    }

    public var description: String {
        switch self {
        case .signed(let value): return String(value)
        case .unsigned(let value): return String(value)
        }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Int64.self) {
            self = .signed(value)
        } else {
            self = .unsigned(try container.decode(UInt64.self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .signed(let value): try container.encode(value)
        case .unsigned(let value): try container.encode(value)
        }
    }

    /// Reads a label written in decimal: any `Int64`, or an unsigned value up to 2^64 − 1 (kept as its bits).
    public static func bits(parsing text: String) -> Int64? {
        if let value = Int64(text) { return value }
        if let value = UInt64(text) { return Int64(bitPattern: value) }
        return nil
    }
}

extension IndexFile {
    /// `bits` as this index's engine writes the label.
    public func label(bits: Int64) -> Label { model.labels.label(bits) }
}
