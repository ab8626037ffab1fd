/// A parsed JSON value that knows where it was written: every value and every object key carries its
/// `SourcePosition`, numbers keep their source text (so messages print `1e3` as written, never `1000.0`),
/// and object members keep their order and any duplicates (the spec checker reports those).
/// Built by `JSONParser`.
public struct JSONTree: Equatable, Sendable {
    /// What kind of value this is, with its contents.
    public enum Kind: Equatable, Sendable {
        case null
        case bool(Bool)
        case number(JSONNumber)
        case string(String)
        case array([JSONTree])
        case object([Member])
    }

    /// One `"key": value` of an object, in source order.
    public struct Member: Equatable, Sendable {
        public var key: String
        public var keyPosition: SourcePosition
        public var value: JSONTree

        public init(key: String, keyPosition: SourcePosition, value: JSONTree) {
            self.key = key
            self.keyPosition = keyPosition
            self.value = value
        }
    }

    public var kind: Kind
    /// Where the value starts: its first character (`{`, `[`, `"`, a digit or `-`, or a letter of a literal).
    public var position: SourcePosition

    public init(_ kind: Kind, at position: SourcePosition) {
        self.kind = kind
        self.position = position
    }

    /// What a message calls this value's type.
    public var typeName: String {
        switch kind {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// Whether the value is an array or an object.
    public var isContainer: Bool {
        switch kind {
        case .array, .object: return true
        default: return false
        }
    }

    public var isArray: Bool {
        if case .array = kind { return true }
        return false
    }

    public var isNumber: Bool {
        if case .number = kind { return true }
        return false
    }

    /// The value as a message quotes it: numbers as written, strings in quotes, containers by type.
    public var quoted: String {
        switch kind {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .number(let number): return number.text
        case .string(let text): return text.count > 40 ? "'\(text.prefix(40))…'" : "'\(text)'"
        case .array, .object: return typeName
        }
    }
}
