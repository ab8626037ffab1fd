import FederIndex
import FederSearch
import FederTestSupport
import Foundation
import XCTest

/// pgvector through a real server (PostgreSQL 18 and 16 with pgvector 0.8.5): tables built here with small-integer
/// vectors (so distances tie often), rows deleted before and after VACUUM and inserted again, HNSW and IVFFlat over
/// every operator class; every traced scan's rows — heap TIDs, ids, order and float8 distance bits — equal the
/// server's answer to the same SQL at the same snapshot, with and without a filter, with and without iterative
/// scans. The data are drawn afresh on every run (the seed is in every failure message).
final class PGVectorAgainstServerTests: XCTestCase {
    struct Table {
        var name: String
        var type: String
        var opclass: String
        var method: String
        var with: String
        var dims: Int
    }

    static let tables: [Table] = [
        Table(name: "v_l2", type: "vector", opclass: "vector_l2_ops", method: "hnsw", with: "m = 6, ef_construction = 12", dims: 12),
        Table(name: "v_ip", type: "vector", opclass: "vector_ip_ops", method: "hnsw", with: "m = 4, ef_construction = 8", dims: 9),
        Table(name: "v_cos", type: "vector", opclass: "vector_cosine_ops", method: "hnsw", with: "m = 6, ef_construction = 12", dims: 20),
        Table(name: "v_l1", type: "vector", opclass: "vector_l1_ops", method: "hnsw", with: "m = 5, ef_construction = 10", dims: 5),
        Table(name: "h_l2", type: "halfvec", opclass: "halfvec_l2_ops", method: "hnsw", with: "m = 6, ef_construction = 12", dims: 10),
        Table(name: "h_cos", type: "halfvec", opclass: "halfvec_cosine_ops", method: "hnsw", with: "m = 6, ef_construction = 12", dims: 17),
        Table(name: "b_ham", type: "bit", opclass: "bit_hamming_ops", method: "hnsw", with: "m = 6, ef_construction = 12", dims: 40),
        Table(name: "i_l2", type: "vector", opclass: "vector_l2_ops", method: "ivfflat", with: "lists = 8", dims: 11),
        Table(name: "i_cos", type: "vector", opclass: "vector_cosine_ops", method: "ivfflat", with: "lists = 5", dims: 36),
        Table(name: "i_ip", type: "vector", opclass: "vector_ip_ops", method: "ivfflat", with: "lists = 6", dims: 8),
        Table(name: "ih_l2", type: "halfvec", opclass: "halfvec_l2_ops", method: "ivfflat", with: "lists = 7", dims: 13),
        Table(name: "ib_ham", type: "bit", opclass: "bit_hamming_ops", method: "ivfflat", with: "lists = 4", dims: 24),
    ]

    func testEveryScanMatchesTheServer() throws {
        for version in [18, 16] {
            let seed = UInt64(Date().timeIntervalSince1970 * 1000) &+ UInt64(version)
            try check(version: version, seed: seed)
        }
    }

    /// A 64-bit linear congruential generator: the same seed gives the same tables.
    struct Random {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    static func literal(_ values: [Int], type: String) -> String {
        type == "bit" ? values.map { $0 > 0 ? "1" : "0" }.joined() : "[" + values.map(String.init).joined(separator: ",") + "]"
    }

    func check(version: Int, seed: UInt64) throws {
        let conninfo = try PostgresServers.connectionString(version: version)
        let admin = try PGConnection(connectionString: conninfo)
        let schema = "feder_t\(version)_\(seed % 1_000_000_007)"
        _ = try admin.query("CREATE SCHEMA \(schema)")
        defer { _ = try? admin.query("DROP SCHEMA \(schema) CASCADE") }
        var random = Random(state: seed)
        var compared = 0
        var filtered = 0
        var withTies = 0
        var dead = 0
        var resumed = 0
        var drained = 0
        var outOfOrder = 0
        var hot = 0
        for table in Self.tables {
            let qualified = "\(schema).\(table.name)"
            let column = table.type == "bit" ? "bit(\(table.dims))" : "\(table.type)(\(table.dims))"
            // Room on every page, so that updates of the category stay on their page (HOT: the index is not told).
            _ = try admin.query(
                "CREATE TABLE \(qualified) (id bigint PRIMARY KEY, category int, embedding \(column)) WITH (fillfactor = 60)")
            func rows(_ ids: Range<Int>) -> String {
                ids.map { id in
                    // A few vectors repeat (elements holding several heap TIDs); components are small integers.
                    let values: [Int] =
                        id % 17 == 3 ? (0..<table.dims).map { ($0 * 7 + id % 3) % 3 - 1 } : (0..<table.dims).map { _ in random.next(5) - 2 }
                    let nonZero = values.contains { $0 != 0 } ? values : [1] + values.dropFirst()
                    return "(\(id), \(random.next(5)), '\(Self.literal(nonZero, type: table.type))')"
                }.joined(separator: ",")
            }
            _ = try admin.query("INSERT INTO \(qualified) VALUES \(rows(0..<700))")
            _ = try admin.query(
                "CREATE INDEX \(table.name)_idx ON \(qualified) USING \(table.method) (embedding \(table.opclass)) WITH (\(table.with))")
            // Deleted and vacuumed (slots freed and reused), then deleted and left for VACUUM (dead rows).
            _ = try admin.query("DELETE FROM \(qualified) WHERE id % 13 = 5")
            _ = try admin.query("VACUUM \(qualified)")
            _ = try admin.query("INSERT INTO \(qualified) VALUES \(rows(700..<800))")
            _ = try admin.query("DELETE FROM \(qualified) WHERE id % 11 = 7")
            _ = try admin.query("UPDATE \(qualified) SET category = (category + 1) % 5 WHERE id % 7 = 2")

            let source = try PGVectorSource(connectionString: conninfo, index: "\(qualified)_idx", idColumn: nil)
            let pages = try source.readPages()
            let ids = try source.rowIDs()
            let passing = try source.rowsPassing("category = 3")
            var queries: [[Float]] = (0..<6).map { _ in
                (0..<table.dims).map { _ in table.type == "bit" ? Float(random.next(2)) : Float(random.next(5) - 2) }
            }
            for id in [0, 3, 40, 702] { if let stored = try source.value(ofID: Int64(id)) { queries.append(stored) } }
            let settings: [[(String, String)]] =
                table.method == "hnsw"
                ? [
                    [], [("hnsw.ef_search", "5")], [("hnsw.ef_search", "10"), ("hnsw.iterative_scan", "relaxed_order")],
                    [("hnsw.ef_search", "7"), ("hnsw.iterative_scan", "strict_order")],
                    [("hnsw.ef_search", "4"), ("hnsw.iterative_scan", "relaxed_order"), ("hnsw.max_scan_tuples", "30")],
                ]
                : [
                    [], [("ivfflat.probes", "3")], [("ivfflat.probes", "100")],
                    [("ivfflat.iterative_scan", "relaxed_order"), ("ivfflat.max_probes", "4")],
                ]
            for (q, query) in queries.enumerated() {
                for pairs in settings {
                    for (filter, k) in [(nil, 10), ("category = 3", 10), (nil, 37)] as [(String?, Int)] {
                        let label = "PG \(version) seed \(seed) \(table.name) query \(q) \(pairs) filter \(filter ?? "-") k \(k)"
                        let parsed = try PGVectorSettings(pairs)
                        let trace = try PGVectorTracer.trace(
                            pages: pages, query: query, k: k, settings: parsed, rowIDs: ids, passing: filter == nil ? nil : passing,
                            rawValues: { try source.values(at: $0) },
                            hotChain: { tid in source.visibleVersion(of: tid) { ids[$0.key] != nil } })
                        let answer = try source.serverAnswer(query: query, k: k, predicate: filter, settings: parsed.serverPairs)
                        guard let server = answer.rows else {
                            XCTFail("\(label): the server's plan does not use the index: \(answer.plan)")
                            continue
                        }
                        XCTAssertEqual(trace.rows.map(\.tid), server.map(\.tid.description), label)
                        XCTAssertEqual(trace.rows.map(\.id), server.map(\.id), label)
                        XCTAssertEqual(trace.rows.map(\.distance.bitPattern), server.map(\.distance.bitPattern), label)
                        compared += 1
                        if filter != nil, trace.count(.filtered) > 0 { filtered += 1 }
                        if Set(server.map(\.distance)).count < server.count { withTies += 1 }
                        if trace.count(.dead) > 0 { dead += 1 }
                        if trace.hotChains > 0 { hot += 1 }
                        if (trace.hnsw?.rounds ?? 0) > 1 { resumed += 1 }
                        if (trace.hnsw?.drained ?? 0) > 0 { drained += 1 }
                        if (trace.hnsw?.droppedOutOfOrder ?? 0) > 0 { outOfOrder += 1 }
                    }
                }
            }
        }
        print(
            "PG \(version): compared \(compared) filtered \(filtered) ties \(withTies) dead \(dead) hot \(hot) resumed \(resumed) drained \(drained) out of order \(outOfOrder)"
        )
        XCTAssertGreaterThan(compared, 1000, "PG \(version)")
        XCTAssertGreaterThan(filtered, 100, "PG \(version): scans where the filter threw rows away")
        XCTAssertGreaterThan(withTies, 300, "PG \(version): answers with tied distances")
        XCTAssertGreaterThan(dead, 50, "PG \(version): scans that met deleted rows not yet vacuumed")
        XCTAssertGreaterThan(resumed, 50, "PG \(version): iterative scans that resumed")
        XCTAssertGreaterThan(drained, 5, "PG \(version): iterative scans past max_scan_tuples")
        XCTAssertGreaterThan(hot, 100, "PG \(version): scans that reached rows through HOT chains")
    }
}
