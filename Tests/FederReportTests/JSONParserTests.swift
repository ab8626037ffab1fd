import Foundation
import XCTest

@testable import FederReport

/// The spec's JSON parser: positions (checked by hand against the inputs), numbers as written, and refusals.
final class JSONParserTests: XCTestCase {
    private func parse(_ text: String) throws -> JSONTree { try JSONParser.parse(Data(text.utf8)) }

    /// The syntax error for `bytes`, as `line:column: message`.
    private func failure(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            _ = try JSONParser.parse(Data(bytes))
            XCTFail("accepted invalid JSON", file: file, line: line)
            return ""
        } catch {
            return "\(error.position.line):\(error.position.column): \(error.message)"
        }
    }

    private func failure(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        failure(Array(text.utf8), file: file, line: line)
    }

    func testSyntaxErrorsNameLineAndColumn() {
        XCTAssertEqual(
            failure(#"{"a": 1 "b": 2}"#), #"1:9: expected ',' or '}' after an object member, found '"' (missing ',' before it?)"#)
        XCTAssertEqual(
            failure("{\n  \"indexes\": {\n    \"a\": {\"file\": \"x\"}\n  },\n  \"k\": tru\n}"), "5:8: expected a value, found 'tru'")
        XCTAssertEqual(failure("{\r\n  \"a\": ,\r\n}"), "2:8: expected a value, found ','")
        XCTAssertEqual(failure("{\r  \"a\": 1,\r  \"b\" 2\r}"), "3:7: expected ':' after the key, found '2'")
        XCTAssertEqual(failure(#"{"a": "abc"#), #"1:7: unterminated string: no closing '"' before the end of the file"#)
        XCTAssertEqual(
            failure("{\"a\": \"ab\n\"}"), #"1:7: unterminated string: no closing '"' before the end of the line (write a line break as \n)"#
        )
        XCTAssertEqual(failure("[1, 2,]"), "1:7: expected a value after ',', found ']' (JSON allows no trailing comma)")
        XCTAssertEqual(failure(#"{"a": 1,}"#), "1:9: expected a value after ',', found '}' (JSON allows no trailing comma)")
        XCTAssertEqual(failure("{} x"), "1:4: expected the end of the file after the top-level value, found 'x'")
        XCTAssertEqual(failure("{}}"), "1:3: expected the end of the file after the top-level value, found '}'")
        XCTAssertEqual(failure("[1,"), "1:4: unexpected end of file, expected a value")
        XCTAssertEqual(failure("[1"), "1:3: unexpected end of file, expected ',' or ']' after an array element")
        XCTAssertEqual(failure("{a: 1}"), #"1:2: expected a string key or '}', found 'a' (keys need double quotes: "a")"#)
        XCTAssertEqual(failure("{'a': 1}"), "1:2: expected a string key or '}', found ''' (JSON strings use double quotes)")
        XCTAssertEqual(failure("{\"a\": 1, // note\n}"), "1:10: expected a string key after ',', found '/' (JSON has no comments)")
        XCTAssertEqual(failure("[True]"), "1:2: expected a value, found 'True' (JSON writes true, false and null in lower case)")
        XCTAssertEqual(failure("[NaN]"), "1:2: expected a value, found 'NaN' (JSON has no NaN or Infinity)")
        XCTAssertEqual(failure("[nul]"), "1:2: expected a value, found 'nul'")
        XCTAssertEqual(failure("[truex]"), "1:2: expected a value, found 'truex'")
        XCTAssertEqual(failure("[+1]"), "1:2: expected a value, found '+' (JSON numbers have no '+' sign)")
    }

    /// Columns count characters, not bytes; offsets count bytes.
    func testColumnsCountCharacters() throws {
        XCTAssertEqual(failure("{\"€\": x}"), "1:7: expected a value, found 'x'")
        let tree = try parse("{\"€\": 1}")
        guard case .object(let members) = tree.kind else { return XCTFail("not an object") }
        XCTAssertEqual(members[0].value.position, SourcePosition(line: 1, column: 7, offset: 8))
        XCTAssertEqual(failure("[\"ü\" x]"), "1:6: expected ',' or ']' after an array element, found 'x' (missing ',' before it?)")
    }

    func testValuesAndKeysKnowTheirPositions() throws {
        let tree = try parse("{\n  \"a\": [true, null]\n}")
        XCTAssertEqual(tree.position, SourcePosition(line: 1, column: 1, offset: 0))
        guard case .object(let members) = tree.kind, case .array(let items) = members.first?.value.kind else { return XCTFail("shape") }
        XCTAssertEqual(members[0].key, "a")
        XCTAssertEqual(members[0].keyPosition, SourcePosition(line: 2, column: 3, offset: 4))
        XCTAssertEqual(members[0].value.position, SourcePosition(line: 2, column: 8, offset: 9))
        XCTAssertEqual(
            items.map(\.position), [SourcePosition(line: 2, column: 9, offset: 10), SourcePosition(line: 2, column: 15, offset: 16)])
        XCTAssertEqual(items.map(\.kind), [.bool(true), .null])
    }

    func testNumbersKeepTheirText() throws {
        let tree = try parse(#"[1e3, -0, 5.0, 1E+2, 0.25, 12345678901234567890, 1e400]"#)
        guard case .array(let items) = tree.kind else { return XCTFail("not an array") }
        let numbers = items.compactMap { item -> JSONNumber? in
            if case .number(let number) = item.kind { return number }
            return nil
        }
        XCTAssertEqual(numbers.map(\.text), ["1e3", "-0", "5.0", "1E+2", "0.25", "12345678901234567890", "1e400"])
        XCTAssertEqual(numbers.map(\.integer), [1000, 0, 5, 100, nil, nil, nil])
        XCTAssertEqual(numbers[6].value, .infinity)
        XCTAssertEqual(failure("[01]"), "1:3: a number cannot have leading zeros")
        XCTAssertEqual(failure("[1.]"), "1:4: expected a digit after '.'")
        XCTAssertEqual(failure("[-]"), "1:3: expected a digit after '-'")
        XCTAssertEqual(failure("[1e+]"), "1:5: expected a digit after 'e+'")
        XCTAssertEqual(failure("[.5]"), "1:2: expected a value, found '.' (write 0.5, not .5)")
    }

    func testStringsAndEscapes() throws {
        XCTAssertEqual(
            try parse(#"["a\"\\\/\b\f\n\r\t\u00e9\uD83D\uDE00"]"#).kind,
            .array([JSONTree(.string("a\"\\/\u{8}\u{c}\n\r\té😀"), at: SourcePosition(line: 1, column: 2, offset: 1))]))
        XCTAssertEqual(
            failure(#"["\uD800"]"#), #"1:3: lone surrogate: high surrogate \uD800 not followed by a low surrogate \uDC00…\uDFFF"#)
        XCTAssertEqual(
            failure(#"["\uD800\u0041"]"#), #"1:3: lone surrogate: high surrogate \uD800 not followed by a low surrogate \uDC00…\uDFFF"#)
        XCTAssertEqual(
            failure(#"["x\uDC00"]"#), #"1:4: lone surrogate: low surrogate \uDC00 without a high surrogate \uD800…\uDBFF before it"#)
        XCTAssertEqual(failure(#"["\u12G4"]"#), #"1:7: expected four hex digits after '\u'"#)
        XCTAssertEqual(failure(#"["\x"]"#), #"1:4: invalid escape: expected one of " \ / b f n r t u after '\', found 'x'"#)
        XCTAssertEqual(failure("[\"a\tb\"]"), #"1:4: control character U+0009 in a string (write it as \t)"#)
        XCTAssertEqual(failure([0x5B, 0x22, 0x01, 0x22, 0x5D]), #"1:3: control character U+0001 in a string (write it as \u0001)"#)
    }

    func testInvalidUTF8IsRefused() {
        XCTAssertEqual(failure([0x5B, 0x22, 0x61, 0xFF, 0x22, 0x5D]), "1:4: invalid UTF-8 in a string (byte 0xFF)")
        XCTAssertEqual(failure([0x5B, 0x22, 0xC0, 0x80, 0x22, 0x5D]), "1:3: invalid UTF-8 in a string (byte 0xC0)", "overlong")
        XCTAssertEqual(
            failure([0x5B, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x5D]), "1:3: invalid UTF-8 in a string (byte 0xED)", "an encoded surrogate")
        XCTAssertEqual(failure([0x5B, 0x22, 0xE2, 0x82, 0x22, 0x5D]), "1:3: invalid UTF-8 in a string (byte 0xE2)", "truncated")
        XCTAssertEqual(failure([0x5B, 0xFE, 0x5D]), "1:2: expected a value, found byte 0xFE (not UTF-8)")
    }

    func testByteOrderMarkEmptyFilesAndDepth() throws {
        let tree = try JSONParser.parse(Data([0xEF, 0xBB, 0xBF] + Array(#"{"a":1}"#.utf8)))
        guard case .object(let members) = tree.kind else { return XCTFail("not an object") }
        XCTAssertEqual(members[0].value.position, SourcePosition(line: 1, column: 6, offset: 8))
        XCTAssertEqual(failure(""), "1:1: the file is empty (expected a JSON object)")
        XCTAssertEqual(failure(" \n\t "), "2:3: the file is empty (expected a JSON object)")
        XCTAssertEqual(failure([0xEF, 0xBB, 0xBF]), "1:1: the file is empty (expected a JSON object)")
        XCTAssertNoThrow(try parse(String(repeating: "[", count: 64) + String(repeating: "]", count: 64)))
        XCTAssertEqual(
            failure(String(repeating: "[", count: 65) + String(repeating: "]", count: 65)),
            "1:65: arrays and objects nested deeper than 64 levels")
        XCTAssertEqual(failure(String(repeating: "{\"a\":", count: 100_000)), "1:321: arrays and objects nested deeper than 64 levels")
        // A deep document without a nesting error still must not recurse: a long flat array is fine.
        XCTAssertNoThrow(try parse("[" + Array(repeating: "0", count: 200_000).joined(separator: ",") + "]"))
    }

    func testDuplicateKeysAreKeptInOrder() throws {
        let tree = try parse(#"{"k": 1, "k": 2}"#)
        guard case .object(let members) = tree.kind else { return XCTFail("not an object") }
        XCTAssertEqual(members.map(\.key), ["k", "k"])
        XCTAssertEqual(members.map(\.keyPosition.column), [2, 10])
    }
}
