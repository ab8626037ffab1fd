import CFederKernels
import FederIndex
import FederSearch
import FederTestSupport
import Foundation
import XCTest

/// pgvector's distance functions, computed here, against the server's own (`a <op> b` in SQL, compared bit for bit
/// through float8's exact text form): every operator on vector and halfvec at every dimension from 1 to 70 (every
/// lane and tail length of the kernels) and at common embedding widths, with components of mixed magnitudes so
/// that the order of the additions shows in the bits; `l2_normalize` the same way; bit Hamming and Jaccard.
final class PGVectorKernelsTests: XCTestCase {
    func testOperatorsMatchTheServer() throws {
        let conninfo = try PostgresServers.connectionString(version: 18)
        let connection = try PGConnection(connectionString: conninfo)
        var state = UInt64(Date().timeIntervalSince1970 * 1000)
        func uniform() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(state >> 40) / Float(1 << 24)
        }
        func component(_ type: PGVectorType) -> Float {
            let magnitude: Float = [0.001, 0.1, 1, 30, 1000][Int(uniform() * 5) % 5]
            let value = (uniform() * 2 - 1) * magnitude
            // halfvec components are what binary16 holds.
            return type == .halfvec ? Float(Float16(value)) : value
        }
        let dims = Array(1...70) + [96, 128, 384, 768, 1536]
        var compared = 0
        for type in [PGVectorType.vector, .halfvec] {
            for n in dims {
                let a = (0..<n).map { _ in component(type) }
                let b = (0..<n).map { _ in component(type) }
                let literalA = PGVectorSource.literal(a, type: type)
                let literalB = PGVectorSource.literal(b, type: type)
                let t = type.rawValue
                let result = try connection.query(
                    "SELECT $1::\(t) <-> $2::\(t), $1::\(t) <#> $2::\(t), $1::\(t) <=> $2::\(t), $1::\(t) <+> $2::\(t), l2_normalize($1::\(t))::text",
                    parameters: [literalA, literalB])
                for (column, op) in [PGVectorOperator.l2, .innerProduct, .cosine, .l1].enumerated() {
                    let server = try XCTUnwrap(result.text(0, column).flatMap { Double($0) }, "\(t)(\(n)) \(op.rawValue)")
                    let mine = try PGVectorDistance.operatorValue(PGVectorOpclass(type: type, op: op), a, b)
                    XCTAssertEqual(mine.bitPattern, server.bitPattern, "\(t)(\(n)) \(op.rawValue): \(mine) vs the server's \(server)")
                    compared += 1
                }
                let normalized = try XCTUnwrap(result.text(0, 4))
                let serverUnit = normalized.dropFirst().dropLast().split(separator: ",").compactMap { Float(String($0)) }
                XCTAssertEqual(
                    try PGVectorDistance.normalized(a, type: type).map(\.bitPattern), serverUnit.map(\.bitPattern),
                    "\(t)(\(n)) l2_normalize")
            }
        }
        for n in [1, 7, 8, 9, 63, 64, 65, 500] {
            let a = (0..<n).map { _ in Float(uniform() < 0.5 ? 0 : 1) }
            let b = (0..<n).map { _ in Float(uniform() < 0.3 ? 0 : 1) }
            let result = try connection.query(
                "SELECT $1::bit(\(n)) <~> $2::bit(\(n)), $1::bit(\(n)) <%> $2::bit(\(n))",
                parameters: [PGVectorSource.literal(a, type: .bit), PGVectorSource.literal(b, type: .bit)])
            for (column, op) in [PGVectorOperator.hamming, .jaccard].enumerated() {
                let server = try XCTUnwrap(result.text(0, column).flatMap { Double($0) })
                XCTAssertEqual(
                    try PGVectorDistance.operatorValue(PGVectorOpclass(type: .bit, op: op), a, b).bitPattern, server.bitPattern,
                    "bit(\(n)) \(op.rawValue)")
                compared += 1
            }
        }
        XCTAssertGreaterThan(compared, 600)
    }

    /// The AVX2 main loop the running CPU takes adds exactly as the portable one (same lanes, same order, no FMA): equal
    /// bits at every dimension from 1 to 300, components of mixed magnitudes, and on the three sums.
    func testAVX2SumsEqualThePortableOnes() {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func component() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let magnitude: Float = [0.001, 1, 1000][Int(state >> 62) % 3]
            return (Float(state >> 40) / Float(1 << 24) * 2 - 1) * magnitude
        }
        for n in 1...300 {
            let a = (0..<n).map { _ in component() }
            let b = (0..<n).map { _ in component() }
            a.withUnsafeBytes { x in
                b.withUnsafeBytes { y in
                    let (p, q, d) = (x.baseAddress, y.baseAddress, Int32(n))
                    XCTAssertEqual(
                        feder_pgv_vector_l2sq(p, q, d).bitPattern, feder_pgv_vector_l2sq_portable(p, q, d).bitPattern, "l2sq \(n)")
                    XCTAssertEqual(feder_pgv_vector_ip(p, q, d).bitPattern, feder_pgv_vector_ip_portable(p, q, d).bitPattern, "ip \(n)")
                    XCTAssertEqual(feder_pgv_vector_l1(p, q, d).bitPattern, feder_pgv_vector_l1_portable(p, q, d).bitPattern, "l1 \(n)")
                }
            }
        }
    }
}
