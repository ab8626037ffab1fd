import Foundation

/// An RFC 8259 JSON parser for job specs: UTF-8 in, a `JSONTree` out whose values and keys know their line,
/// column and byte offset.
///
/// It reads hostile input safely: nesting is limited (`maxDepth`) and handled with an explicit stack, never
/// recursion; strings must be valid UTF-8 without raw control characters and without lone surrogates in
/// `\u` escapes; anything after the top-level value is an error. A leading byte order mark is skipped.
/// Duplicate keys are kept (in order) for the caller to report.
struct JSONParser {
    /// How deep arrays and objects may nest.
    static let maxDepth = 64

    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var column = 1

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Parses one JSON document.
    /// - Throws: `JSONSyntaxError` with the position where the document stops being valid JSON.
    static func parse(_ data: Data) throws(JSONSyntaxError) -> JSONTree {
        var parser = JSONParser([UInt8](data))
        return try parser.document()
    }

    // MARK: structure

    /// An array or object being filled, while its elements are parsed.
    private struct Frame {
        var isObject: Bool
        var start: SourcePosition
        var items: [JSONTree] = []
        var members: [JSONTree.Member] = []
        var key = ""
        var keyPosition: SourcePosition
    }

    private mutating func document() throws(JSONSyntaxError) -> JSONTree {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        skipWhitespace()
        guard index < bytes.count else { throw JSONSyntaxError(.emptyFile, at: position) }
        var stack: [Frame] = []
        var expectation = JSONSyntaxError.Expectation.value
        valueLoop: while true {
            skipWhitespace()
            let start = position
            var value: JSONTree
            switch peek ?? 0 {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let isObject = peek == UInt8(ascii: "{")
                guard stack.count < Self.maxDepth else { throw JSONSyntaxError(.tooDeep(limit: Self.maxDepth), at: start) }
                advance()
                skipWhitespace()
                if isObject, peek == UInt8(ascii: "}") {
                    advance()
                    value = JSONTree(.object([]), at: start)
                } else if !isObject, peek == UInt8(ascii: "]") {
                    advance()
                    value = JSONTree(.array([]), at: start)
                } else if isObject {
                    let (key, keyPosition) = try memberKey(.keyOrEndOfObject)
                    stack.append(Frame(isObject: true, start: start, key: key, keyPosition: keyPosition))
                    expectation = .value
                    continue valueLoop
                } else {
                    stack.append(Frame(isObject: false, start: start, keyPosition: start))
                    expectation = .value
                    continue valueLoop
                }
            case UInt8(ascii: "\""):
                value = JSONTree(.string(try string()), at: start)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                value = JSONTree(.number(try number()), at: start)
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                value = try literal(expectation)
            default:
                throw JSONSyntaxError(.expected(expectation, found: found()), at: start)
            }
            // A value is complete: hand it to the enclosing containers, closing those that end here.
            while !stack.isEmpty {
                let top = stack.count - 1
                skipWhitespace()
                if stack[top].isObject {
                    stack[top].members.append(JSONTree.Member(key: stack[top].key, keyPosition: stack[top].keyPosition, value: value))
                    if peek == UInt8(ascii: ",") {
                        advance()
                        skipWhitespace()
                        if peek == UInt8(ascii: "}") { throw JSONSyntaxError(.trailingComma(before: "}"), at: position) }
                        let (key, keyPosition) = try memberKey(.keyAfterComma)
                        stack[top].key = key
                        stack[top].keyPosition = keyPosition
                        expectation = .value
                        continue valueLoop
                    }
                    guard peek == UInt8(ascii: "}") else {
                        throw JSONSyntaxError(.expected(.commaOrEndOfObject, found: found()), at: position)
                    }
                    advance()
                    let frame = stack.removeLast()
                    value = JSONTree(.object(frame.members), at: frame.start)
                } else {
                    stack[top].items.append(value)
                    if peek == UInt8(ascii: ",") {
                        advance()
                        skipWhitespace()
                        if peek == UInt8(ascii: "]") { throw JSONSyntaxError(.trailingComma(before: "]"), at: position) }
                        expectation = .value
                        continue valueLoop
                    }
                    guard peek == UInt8(ascii: "]") else {
                        throw JSONSyntaxError(.expected(.commaOrEndOfArray, found: found()), at: position)
                    }
                    advance()
                    let frame = stack.removeLast()
                    value = JSONTree(.array(frame.items), at: frame.start)
                }
            }
            skipWhitespace()
            guard index == bytes.count else { throw JSONSyntaxError(.expected(.endOfFile, found: found()), at: position) }
            return value
        }
    }

    /// `"key"` and the `:` after it.
    private mutating func memberKey(_ expectation: JSONSyntaxError.Expectation) throws(JSONSyntaxError) -> (String, SourcePosition) {
        let keyPosition = position
        guard peek == UInt8(ascii: "\"") else { throw JSONSyntaxError(.expected(expectation, found: found()), at: keyPosition) }
        let key = try string()
        skipWhitespace()
        guard peek == UInt8(ascii: ":") else { throw JSONSyntaxError(.expected(.colonAfterKey, found: found()), at: position) }
        advance()
        return (key, keyPosition)
    }

    // MARK: tokens

    private static let literals: [([UInt8], JSONTree.Kind)] = [
        (Array("true".utf8), .bool(true)), (Array("false".utf8), .bool(false)), (Array("null".utf8), .null),
    ]

    /// The byte each one-letter escape stands for.
    private static let simpleEscapes: [UInt8: UInt8] = [
        UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "/"): 0x2F, UInt8(ascii: "b"): 0x08,
        UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09,
    ]

    private mutating func literal(_ expectation: JSONSyntaxError.Expectation) throws(JSONSyntaxError) -> JSONTree {
        let start = position
        for (word, kind) in Self.literals {
            if bytes[index...].starts(with: word), !isWordByte(at: index + word.count) {
                for _ in word { advance() }
                return JSONTree(kind, at: start)
            }
        }
        throw JSONSyntaxError(.expected(expectation, found: found()), at: start)
    }

    private mutating func number() throws(JSONSyntaxError) -> JSONNumber {
        let start = index
        if peek == UInt8(ascii: "-") { advance() }
        if peek == UInt8(ascii: "0") {
            advance()
            if isDigit(peek) { throw JSONSyntaxError(.leadingZero, at: position) }
        } else {
            guard isDigit(peek) else { throw JSONSyntaxError(.missingDigits(after: "-"), at: position) }
            while isDigit(peek) { advance() }
        }
        if peek == UInt8(ascii: ".") {
            advance()
            guard isDigit(peek) else { throw JSONSyntaxError(.missingDigits(after: "."), at: position) }
            while isDigit(peek) { advance() }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            let marker = String(UnicodeScalar(bytes[index]))
            advance()
            var after = marker
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") {
                after += String(UnicodeScalar(bytes[index]))
                advance()
            }
            guard isDigit(peek) else { throw JSONSyntaxError(.missingDigits(after: after), at: position) }
            while isDigit(peek) { advance() }
        }
        return JSONNumber(text: String(decoding: bytes[start..<index], as: UTF8.self))
    }

    /// A string starting at its opening quote; validates UTF-8 and escapes as it copies.
    private mutating func string() throws(JSONSyntaxError) -> String {
        let opening = position
        advance()
        var utf8: [UInt8] = []
        while true {
            guard index < bytes.count else { throw JSONSyntaxError(.unterminatedString(atLineBreak: false), at: opening) }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                advance()
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try escape(into: &utf8)
            case 0x0A, 0x0D:
                throw JSONSyntaxError(.unterminatedString(atLineBreak: true), at: opening)
            case 0..<0x20:
                throw JSONSyntaxError(.controlCharacter(byte), at: position)
            case 0..<0x80:
                utf8.append(byte)
                advance()
            default:
                let length = Self.sequenceLength(bytes, at: index)
                guard length > 0 else {
                    throw JSONSyntaxError(.invalidUTF8(byte), at: position)
                }
                utf8.append(contentsOf: bytes[index..<index + length])
                index += length
                column += 1
            }
        }
    }

    /// One escape sequence, starting at its backslash.
    private mutating func escape(into utf8: inout [UInt8]) throws(JSONSyntaxError) {
        let backslash = position
        advance()
        if let byte = peek, let value = Self.simpleEscapes[byte] {
            advance()
            utf8.append(value)
            return
        }
        guard peek == UInt8(ascii: "u") else { throw JSONSyntaxError(.invalidEscape(found()), at: position) }
        advance()
        let unit = try hexUnit()
        var scalar: Unicode.Scalar?
        switch unit {
        case 0xD800..<0xDC00:
            guard peek == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                throw JSONSyntaxError(.loneSurrogate(unit), at: backslash)
            }
            advance()
            advance()
            let low = try hexUnit()
            guard (0xDC00..<0xE000).contains(low) else { throw JSONSyntaxError(.loneSurrogate(unit), at: backslash) }
            scalar = Unicode.Scalar(0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00))
        case 0xDC00..<0xE000:
            throw JSONSyntaxError(.loneSurrogate(unit), at: backslash)
        default:
            scalar = Unicode.Scalar(unit)
        }
        guard let scalar else { throw JSONSyntaxError(.loneSurrogate(unit), at: backslash) }
        utf8.append(contentsOf: Array(String(Character(scalar)).utf8))
    }

    private mutating func hexUnit() throws(JSONSyntaxError) -> UInt16 {
        var unit: UInt16 = 0
        for _ in 0..<4 {
            guard let byte = peek, let digit = Self.hexValue(byte) else { throw JSONSyntaxError(.badUnicodeEscape, at: position) }
            unit = unit << 4 | UInt16(digit)
            advance()
        }
        return unit
    }

    // MARK: bytes and positions

    private var position: SourcePosition { SourcePosition(line: line, column: column, offset: index) }

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    /// Steps over one ASCII byte that is not a line break.
    private mutating func advance() {
        index += 1
        column += 1
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09:
                advance()
            case 0x0A:
                index += 1
                line += 1
                column = 1
            case 0x0D:
                index += 1
                if index < bytes.count, bytes[index] == 0x0A { index += 1 }
                line += 1
                column = 1
            default:
                return
            }
        }
    }

    private func isDigit(_ byte: UInt8?) -> Bool { byte.map { (0x30...0x39).contains($0) } ?? false }

    private func isWordByte(at offset: Int) -> Bool {
        guard offset < bytes.count else { return false }
        let byte = bytes[offset]
        return (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x5F
    }

    /// What is at the current position, for a message.
    private func found() -> JSONSyntaxError.Found {
        guard let byte = peek else { return .endOfFile }
        if isWordByte(at: index), !isDigit(byte) {
            var end = index
            while isWordByte(at: end), end - index < 24 { end += 1 }
            return .word(String(decoding: bytes[index..<end], as: UTF8.self))
        }
        if byte < 0x80 { return .character(Unicode.Scalar(byte)) }
        let length = Self.sequenceLength(bytes, at: index)
        guard length > 0, let scalar = String(decoding: bytes[index..<index + length], as: UTF8.self).unicodeScalars.first else {
            return .invalidByte(byte)
        }
        return .character(scalar)
    }

    /// The length of the well-formed UTF-8 sequence of a non-ASCII scalar at `offset`, or 0 when it is not one
    /// (overlong forms, encoded surrogates and values above U+10FFFF are not).
    static func sequenceLength(_ bytes: [UInt8], at offset: Int) -> Int {
        let lead = bytes[offset]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            secondRange = 0xA0...0xBF
        case 0xED:
            length = 3
            secondRange = 0x80...0x9F
        case 0xE1...0xEF: length = 3
        case 0xF0:
            length = 4
            secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            secondRange = 0x80...0x8F
        default: return 0
        }
        guard offset + length <= bytes.count, secondRange.contains(bytes[offset + 1]) else { return 0 }
        for next in offset + 2..<offset + length where !(0x80...0xBF).contains(bytes[next]) { return 0 }
        return length
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }
}
