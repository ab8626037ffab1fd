import FederIndex
import FederTestSupport
import Foundation
import XCTest

final class VectorFileTests: XCTestCase {
    /// A .npy file as NumPy writes it: magic, version 1.0, a header padded to 64 bytes, the data.
    static func npy(descr: String, shape: [Int], fortran: Bool = false, payload: [UInt8]) -> [UInt8] {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shapeText), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        let length = UInt16(header.utf8.count)
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(header.utf8)
            + payload
    }

    static func bytes<T>(_ values: [T]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }

    func testFloat32MatrixIsReadInPlace() throws {
        let values: [Float] = [1, 2, 3, 4, 5, 6]
        let file = MappedFile(name: "q.npy", data: Self.npy(descr: "<f4", shape: [2, 3], payload: Self.bytes(values)))
        let table = try VectorFile.readNpy(file)
        XCTAssertEqual(table.count, 2)
        XCTAssertEqual(table.dim, 3)
        XCTAssertEqual(table.row(1), [4, 5, 6])
        XCTAssertTrue(table.file === file, "float32 rows must not be copied")
    }

    func testFloat64VectorIsOneRow() throws {
        let values: [Double] = [0.5, -1.25, 2]
        let file = MappedFile(name: "q.npy", data: Self.npy(descr: "<f8", shape: [3], payload: Self.bytes(values)))
        let table = try VectorFile.readNpy(file)
        XCTAssertEqual(table.count, 1)
        XCTAssertEqual(table.row(0), [0.5, -1.25, 2])
    }

    func testFortranOrderIsRefused() {
        let file = MappedFile(
            name: "f.npy", data: Self.npy(descr: "<f4", shape: [1, 2], fortran: true, payload: Self.bytes([Float(1), 2])))
        XCTAssertThrowsError(try VectorFile.readNpy(file)) { error in
            XCTAssertTrue(error.localizedDescription.contains("Fortran"), error.localizedDescription)
        }
    }

    func testIntegerDtypeIsRefused() {
        let file = MappedFile(name: "i.npy", data: Self.npy(descr: "<i8", shape: [2], payload: Self.bytes([Int64(1), 2])))
        XCTAssertThrowsError(try VectorFile.readNpy(file)) { error in
            XCTAssertTrue(error.localizedDescription.contains("'<i8'"), error.localizedDescription)
        }
    }

    func testShortDataIsTruncated() {
        let file = MappedFile(name: "s.npy", data: Self.npy(descr: "<f4", shape: [4, 4], payload: Self.bytes([Float(1)])))
        XCTAssertThrowsError(try VectorFile.readNpy(file)) { error in
            XCTAssertTrue(error.localizedDescription.contains("truncated at byte 128 while reading npy data"), error.localizedDescription)
        }
    }

    func testNotNpy() {
        XCTAssertThrowsError(try VectorFile.readNpy(MappedFile(name: "x.npy", data: Array("hello world!".utf8)))) { error in
            XCTAssertTrue(error.localizedDescription.contains("magic"), error.localizedDescription)
        }
    }

    func testQueriesWrittenByNumPy() throws {
        let manifest = try FixtureManifest.load()
        for fixture in manifest.fixtures {
            guard let path = manifest.queriesPath(of: fixture) else { continue }
            let table = try VectorFile.read(path: path)
            let space = fixture.space.flatMap(Metric.init(name:)) ?? .l2
            let index = try IndexFile.open(path: manifest.path(of: fixture), space: space)
            XCTAssertEqual(table.dim, index.dim, fixture.name)
            XCTAssertEqual(table.count, fixture.searches.first?.results.count ?? table.count, fixture.name)
        }
    }

    func testFvecs() throws {
        var data: [UInt8] = []
        for row in 0..<3 {
            data += Self.bytes([Int32(2)]) + Self.bytes([Float(row), Float(row) + 0.5])
        }
        let table = try VectorFile.readFvecs(MappedFile(name: "v.fvecs", data: data))
        XCTAssertEqual(table.count, 3)
        XCTAssertEqual(table.row(2), [2, 2.5])
    }

    func testFvecsWithChangingDimension() {
        let data = Self.bytes([Int32(2)]) + Self.bytes([Float(1), 2]) + Self.bytes([Int32(3)]) + Self.bytes([Float(1), 2])
        XCTAssertThrowsError(try VectorFile.readFvecs(MappedFile(name: "v.fvecs", data: data))) { error in
            XCTAssertTrue(error.localizedDescription.contains("dimension of row 1"), error.localizedDescription)
        }
    }

    func testJSONVectorAndMatrix() throws {
        XCTAssertEqual(try VectorFile.parseJSON(Data("[0.5, 1, -2]".utf8), name: "inline").row(0), [0.5, 1, -2])
        let matrix = try VectorFile.parseJSON(Data("[[1, 2], [3, 4]]".utf8), name: "inline")
        XCTAssertEqual(matrix.count, 2)
        XCTAssertEqual(matrix.row(1), [3, 4])
    }

    func testJSONErrorsNameThePlace() {
        for (text, expected) in [
            ("[[1, 2], [3]]", "row 1 has 1 numbers"), ("[1, \"a\"]", "[1] is not a number"), ("{}", "non-empty array"),
            ("[1, 2", "not valid JSON"), ("[]", "non-empty array"),
        ] {
            XCTAssertThrowsError(try VectorFile.parseJSON(Data(text.utf8), name: "inline"), text) { error in
                XCTAssertTrue(error.localizedDescription.contains(expected), "\(text): \(error.localizedDescription)")
            }
        }
    }
}
