/// A JSON number as written in the source, with its value.
public struct JSONNumber: Equatable, Sendable, CustomStringConvertible {
    /// The source text, e.g. `-0`, `1e3`, `5.0`; always valid RFC 8259 number syntax.
    public var text: String

    public init(text: String) { self.text = text }

    /// The nearest double (±infinity when the literal is out of range, as `1e400`).
    public var value: Double { Double(text) ?? (text.hasPrefix("-") ? -.infinity : .infinity) }

    /// The number as an integer when it is a whole number that fits `Int`: `7`, `-0`, `5.0`, `1e3`.
    public var integer: Int? {
        if !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) { return Int(text) }
        let value = self.value
        guard value.isFinite, value == value.rounded(), value >= -0x1p63, value < 0x1p63 else { return nil }
        return Int(value)
    }

    public var description: String { text }
}
