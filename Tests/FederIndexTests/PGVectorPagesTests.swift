import FederIndex
import FederTestSupport
import Foundation
import XCTest

/// pgvector's HNSW and IVFFlat pages as a real server writes them, read whole, then damaged one way at a time: every
/// damage is a one-line error naming the index, the block and the byte (never a crash, a hang or a wrong index),
/// and thousands of single-byte changes anywhere in the pages end in an error or a readable index, nothing else.
final class PGVectorPagesTests: XCTestCase {
    static let schema = "feder_pages_\(UInt32.random(in: 0...UInt32.max))"
    nonisolated(unsafe) static var prepared: [Int: String] = [:]

    override class func tearDown() {
        for conninfo in prepared.values {
            _ = try? PGConnection(connectionString: conninfo).query("DROP SCHEMA IF EXISTS \(schema) CASCADE")
        }
        super.tearDown()
    }

    /// A server with two small indexes (HNSW m = 4 and IVFFlat lists = 3 over vector(3)); its connection string.
    func server(_ version: Int) throws -> String {
        let conninfo = try PostgresServers.connectionString(version: version)
        if Self.prepared[version] == nil {
            let admin = try PGConnection(connectionString: conninfo)
            _ = try admin.query("DROP SCHEMA IF EXISTS \(Self.schema) CASCADE")
            _ = try admin.query("CREATE SCHEMA \(Self.schema)")
            _ = try admin.query("CREATE TABLE \(Self.schema).items (id bigint PRIMARY KEY, embedding vector(3))")
            _ = try admin.query(
                "INSERT INTO \(Self.schema).items SELECT i, ARRAY[i % 7, (i * 3) % 11, i % 5 + 1]::vector FROM generate_series(1, 400) i")
            _ = try admin.query("CREATE INDEX hnsw_idx ON \(Self.schema).items USING hnsw (embedding vector_l2_ops) WITH (m = 4)")
            _ = try admin.query("CREATE INDEX ivf_idx ON \(Self.schema).items USING ivfflat (embedding vector_l2_ops) WITH (lists = 3)")
            Self.prepared[version] = conninfo
        }
        return conninfo
    }

    func relation(_ index: String, version: Int = 18) throws -> (PGVectorSource, [[UInt8]]) {
        let source = try PGVectorSource(connectionString: try server(version), index: "\(Self.schema).\(index)", idColumn: nil)
        let pages = try source.readRelation()
        return (source, (0..<pages.blockCount).map { pages.copy(ofBlock: $0) })
    }

    func parse(_ blocks: [[UInt8]], hnsw: Bool, checksums: Bool) throws {
        let pages = try PGRelationPages(relation: "index x", runs: [MappedFile(name: "x", data: blocks.flatMap { $0 })])
        let opclass = PGVectorOpclass(type: .vector, op: .l2)
        if hnsw {
            _ = try PGVectorHNSW(pages: pages, opclass: opclass, checksums: checksums)
        } else {
            _ = try PGVectorIVFFlat(pages: pages, opclass: opclass, checksums: checksums)
        }
    }

    func expectError(
        _ blocks: [[UInt8]], hnsw: Bool, checksums: Bool = false, naming words: [String], file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertThrowsError(try parse(blocks, hnsw: hnsw, checksums: checksums), file: file, line: line) { error in
            let message = (error as? LocalizedError)?.errorDescription ?? "\(error)"
            XCTAssertFalse(message.contains("\n"), message, file: file, line: line)
            XCTAssertTrue(message.hasPrefix("index x"), message, file: file, line: line)
            for word in words { XCTAssertTrue(message.contains(word), "\(message) should say \(word)", file: file, line: line) }
        }
    }

    static func put32(_ value: UInt32, _ block: inout [UInt8], at offset: Int) {
        withUnsafeBytes(of: value.littleEndian) { for (i, byte) in $0.enumerated() { block[offset + i] = byte } }
    }

    func testUntouchedPagesRead() throws {
        for version in PostgresServers.versions {
            for (index, hnsw) in [("hnsw_idx", true), ("ivf_idx", false)] {
                let (source, blocks) = try relation(index, version: version)
                XCTAssertNoThrow(try parse(blocks, hnsw: hnsw, checksums: source.description.checksums), "PG \(version) \(index)")
                XCTAssertTrue(source.description.checksums, "PG \(version): the test clusters have data checksums on")
            }
        }
    }

    func testEachDamageIsLocated() throws {
        for (index, hnsw) in [("hnsw_idx", true), ("ivf_idx", false)] {
            let (_, blocks) = try relation(index)
            var damaged = blocks
            damaged[0][24] ^= 0xFF
            expectError(damaged, hnsw: hnsw, naming: ["block 0", "magic number", "byte 24"])
            damaged = blocks
            damaged[0][28] = 9
            expectError(damaged, hnsw: hnsw, naming: ["block 0", "version"])
            damaged = blocks
            damaged[1][8190] = 0x12
            expectError(damaged, hnsw: hnsw, naming: ["block 1", "page id", "byte 8190"])
            damaged = blocks
            damaged[1][18] = 0
            expectError(damaged, hnsw: hnsw, naming: ["block 1", "layout version"])
            damaged = blocks
            damaged[1][25] |= 0x80  // line pointer 1: flags 3 (dead; bits 15 and 16)
            damaged[1][26] |= 0x01
            expectError(damaged, hnsw: hnsw, naming: ["block 1", "line pointer 1"])
            damaged = blocks
            damaged[1][12] = 0xF0
            damaged[1][13] = 0x1F
            expectError(damaged, hnsw: hnsw, naming: ["block 1", "free space"])
            damaged = blocks
            damaged[1][4000] ^= 0x01
            damaged[1][8000] ^= 0x40
            expectError(damaged, hnsw: hnsw, checksums: true, naming: ["block 1", "checksum"])
            damaged = blocks
            damaged[1] = [UInt8](repeating: 0, count: 8192)
            expectError(damaged, hnsw: hnsw, naming: ["block 1", "all zeros"])
            damaged = blocks
            Self.put32(1, &damaged[1], at: 8184)  // block 1's next page is itself
            expectError(damaged, hnsw: hnsw, naming: ["loop"])
            damaged = blocks
            Self.put32(999, &damaged[1], at: 8184)
            expectError(damaged, hnsw: hnsw, naming: ["block 999"])
            expectError([blocks[0]], hnsw: hnsw, naming: ["size"])
        }
    }

    func testHNSWTupleDamageIsLocated() throws {
        let (_, blocks) = try relation("hnsw_idx")
        // Item 1 of block 1 is an element (the build writes an element, then its neighbours).
        let raw = UInt32(blocks[1][24]) | UInt32(blocks[1][25]) << 8 | UInt32(blocks[1][26]) << 16 | UInt32(blocks[1][27]) << 24
        let offset = Int(raw & 0x7FFF)
        XCTAssertEqual(blocks[1][offset], 1, "item 1 is an element tuple")
        var damaged = blocks
        damaged[1][offset] = 7
        expectError(damaged, hnsw: true, naming: ["block 1", "tuple type 7"])
        damaged = blocks
        damaged[1][offset + 72] = 0x40  // the value's varlena header: a size that is not vector(3)'s
        expectError(damaged, hnsw: true, naming: ["block 1", "element tuple 1 value"])
        damaged = blocks
        damaged[1][offset + 76] = 9  // its dimension
        expectError(damaged, hnsw: true, naming: ["block 1", "dimensions"])
        damaged = blocks
        damaged[1][offset + 68] = 0xEE  // its neighbour tuple's offset
        damaged[1][offset + 69] = 0x0E
        expectError(damaged, hnsw: true, naming: ["neighbour tuple id"])
        damaged = blocks
        damaged[0][44] = 0xEE  // the entry point's offset
        damaged[0][45] = 0x0E
        expectError(damaged, hnsw: true, naming: ["block 0", "entry point"])
    }

    /// Single-byte changes at random places on every page: an error or an index, never a trap or a hang.
    func testArbitraryByteChangesNeverCrash() throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        for (index, hnsw) in [("hnsw_idx", true), ("ivf_idx", false)] {
            let (_, blocks) = try relation(index)
            var errors = 0
            for _ in 0..<600 {
                var damaged = blocks
                let block = next(blocks.count)
                let offset = next(8192)
                damaged[block][offset] = UInt8(truncatingIfNeeded: next(256))
                do { try parse(damaged, hnsw: hnsw, checksums: false) } catch { errors += 1 }
            }
            XCTAssertGreaterThan(errors, 20, index)
        }
    }
}
