/// Why a spec is not valid JSON, and where: the data of the problem; `message` holds all the wording. It never
/// leaves FederReport: the spec check turns it into a `SpecProblem`.
struct JSONSyntaxError: Error, Equatable, Sendable {
    /// What the parser wanted at the place it stopped.
    enum Expectation: Equatable, Sendable {
        case value
        case keyOrEndOfObject
        case keyAfterComma
        case colonAfterKey
        case commaOrEndOfObject
        case commaOrEndOfArray
        case endOfFile
    }

    /// What the parser found instead.
    enum Found: Equatable, Sendable {
        case endOfFile
        /// A character that cannot start the expected token.
        case character(Unicode.Scalar)
        /// A run of letters and digits, as `tru`, `NaN`, `None`.
        case word(String)
        /// A byte that does not start valid UTF-8.
        case invalidByte(UInt8)
    }

    enum Reason: Equatable, Sendable {
        /// Nothing but whitespace (and perhaps a byte order mark).
        case emptyFile
        case expected(Expectation, found: Found)
        /// `[1, 2,]` or `{"a": 1,}`: the closing bracket is given.
        case trailingComma(before: Character)
        /// No closing quote before the end of the line (`atLineBreak`) or of the file; located at the opening quote.
        case unterminatedString(atLineBreak: Bool)
        /// A raw control character (below U+0020) inside a string.
        case controlCharacter(UInt8)
        /// `\` followed by something other than `" \ / b f n r t u`.
        case invalidEscape(Found)
        /// `\u` not followed by four hex digits.
        case badUnicodeEscape
        /// A `\uD800`…`\uDFFF` escape that is not half of a surrogate pair.
        case loneSurrogate(UInt16)
        /// A byte inside a string that is not valid UTF-8 there.
        case invalidUTF8(UInt8)
        /// `012`: JSON numbers have no leading zeros.
        case leadingZero
        /// `-`, `1.` or `1e` without the digits that must follow.
        case missingDigits(after: String)
        /// Arrays and objects nested deeper than the limit.
        case tooDeep(limit: Int)
    }

    var reason: Reason
    var position: SourcePosition

    init(_ reason: Reason, at position: SourcePosition) {
        self.reason = reason
        self.position = position
    }

    /// The message, without the location: `expected ',' or '}' after an object member, found '"'`.
    var message: String {
        switch reason {
        case .emptyFile:
            return "the file is empty (expected a JSON object)"
        case .expected(let expectation, .endOfFile):
            return "unexpected end of file, expected \(Self.describe(expectation))"
        case .expected(let expectation, let found):
            return "expected \(Self.describe(expectation)), found \(Self.describe(found))\(Self.hint(expectation, found))"
        case .trailingComma(let closer):
            return "expected a value after ',', found '\(closer)' (JSON allows no trailing comma)"
        case .unterminatedString(let atLineBreak):
            return "unterminated string: no closing '\"' before the end of the \(atLineBreak ? "line (write a line break as \\n)" : "file")"
        case .controlCharacter(let byte):
            let escape = [0x09: "\\t", 0x08: "\\b", 0x0C: "\\f"][Int(byte)] ?? "\\u\(Self.hex(UInt16(byte)))"
            return "control character U+\(Self.hex(UInt16(byte))) in a string (write it as \(escape))"
        case .invalidEscape(let found):
            return "invalid escape: expected one of \" \\ / b f n r t u after '\\', found \(Self.describe(found))"
        case .badUnicodeEscape:
            return "expected four hex digits after '\\u'"
        case .loneSurrogate(let unit):
            let half =
                unit < 0xDC00
                ? "high surrogate \\u\(Self.hex(unit)) not followed by a low surrogate \\uDC00…\\uDFFF"
                : "low surrogate \\u\(Self.hex(unit)) without a high surrogate \\uD800…\\uDBFF before it"
            return "lone surrogate: \(half)"
        case .invalidUTF8(let byte):
            return "invalid UTF-8 in a string (byte 0x\(Self.hex(UInt16(byte), digits: 2)))"
        case .leadingZero:
            return "a number cannot have leading zeros"
        case .missingDigits(let after):
            return "expected a digit after '\(after)'"
        case .tooDeep(let limit):
            return "arrays and objects nested deeper than \(limit) levels"
        }
    }

    static func describe(_ expectation: Expectation) -> String {
        switch expectation {
        case .value: return "a value"
        case .keyOrEndOfObject: return "a string key or '}'"
        case .keyAfterComma: return "a string key after ','"
        case .colonAfterKey: return "':' after the key"
        case .commaOrEndOfObject: return "',' or '}' after an object member"
        case .commaOrEndOfArray: return "',' or ']' after an array element"
        case .endOfFile: return "the end of the file after the top-level value"
        }
    }

    static func describe(_ found: Found) -> String {
        switch found {
        case .endOfFile:
            return "end of file"
        case .character(let scalar):
            if scalar.value < 0x20 || scalar.value == 0x7F { return "control character U+\(hex(UInt16(scalar.value)))" }
            if scalar.isASCII { return "'\(Character(scalar))'" }
            if SpecFault.isUnprintable(scalar) { return "U+\(hex(scalar.value))" }
            return "'\(Character(scalar))' (U+\(hex(scalar.value)))"
        case .word(let word):
            return "'\(word)'"
        case .invalidByte(let byte):
            return "byte 0x\(hex(UInt16(byte), digits: 2)) (not UTF-8)"
        }
    }

    /// A likely cause, for mistakes people make when they write JSON by hand.
    static func hint(_ expectation: Expectation, _ found: Found) -> String {
        switch found {
        case .character("/"), .character("#"):
            return " (JSON has no comments)"
        case .character("'"):
            return " (JSON strings use double quotes)"
        case .character("+") where expectation == .value:
            return " (JSON numbers have no '+' sign)"
        case .character(".") where expectation == .value:
            return " (write 0.5, not .5)"
        case .word(let word) where expectation == .keyOrEndOfObject || expectation == .keyAfterComma:
            return " (keys need double quotes: \"\(word)\")"
        case .word(let word) where ["True", "False", "Null", "TRUE", "FALSE", "NULL"].contains(word):
            return " (JSON writes true, false and null in lower case)"
        case .word(let word) where ["NaN", "Infinity", "inf", "nan"].contains(word):
            return " (JSON has no NaN or Infinity)"
        case .word("None"), .word("nil"), .word("undefined"):
            return " (JSON writes null)"
        case .character("\""), .character("{"), .character("["), .word:
            if expectation == .commaOrEndOfObject || expectation == .commaOrEndOfArray { return " (missing ',' before it?)" }
            return ""
        default:
            return ""
        }
    }

    static func hex(_ value: UInt16, digits: Int = 4) -> String { hex(UInt32(value), digits: digits) }

    static func hex(_ value: UInt32, digits: Int = 4) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
