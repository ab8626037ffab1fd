import FederIndex
import FederSearch
import FederTestSupport
import Foundation
import XCTest

/// Blocked exact search against the row-by-row scan it replaces: the same labels, order and float32 bits, on
/// every fixture with ground truth and on tables built to tie.
final class BlockedExactTests: XCTestCase {
    private func assertSame(_ blocked: [[Neighbor]], _ queries: [[Float]], label: String, scan: ([Float]) throws -> [Neighbor]) rethrows {
        XCTAssertEqual(blocked.count, queries.count, label)
        for (position, query) in queries.enumerated() {
            let expected = try scan(query)
            let got = position < blocked.count ? blocked[position] : []
            XCTAssertEqual(got.map(\.id), expected.map(\.id), "\(label) query \(position): ids")
            XCTAssertEqual(got.map(\.distance.bitPattern), expected.map(\.distance.bitPattern), "\(label) query \(position): distance bits")
        }
    }

    func testEveryFixtureMatchesTheRowByRowScan() throws {
        let manifest = try FixtureManifest.load()
        var checked = 0
        for fixture in manifest.fixtures {
            guard let queriesPath = manifest.queriesPath(of: fixture) else { continue }
            let space = fixture.space.flatMap(Metric.init(name:)) ?? .l2
            guard let index = try? IndexFile.open(path: manifest.path(of: fixture), space: space), index.model.storesVectors else {
                continue
            }
            let table = try VectorFile.read(path: queriesPath)
            var queries = (0..<table.count).map { table.row($0) }
            // Stored vectors as queries: a distance of 0 and, in the integer fixtures, many ties.
            for id in Int64(0)..<6 { if let stored = index.storedVector(label: id) { queries.append(stored) } }
            for k in [1, 7, 10, 40, index.count + 3] {
                let blocked = try BlockedExact.neighbors(index, queries: queries, k: k, minimumPairs: 0)
                try assertSame(blocked, queries, label: "\(fixture.name) k=\(k)") { try Measures.exactNeighbors(index, query: $0, k: k) }
            }
            // Several k from one pass (the sweep's k + 1 beside k), each its own scan's answer.
            let both = try BlockedExact.neighbors(index, queries: queries, ks: [10, 11, 3], minimumPairs: 0)
            for (position, k) in [10, 11, 3].enumerated() {
                try assertSame(both[position], queries, label: "\(fixture.name) ks k=\(k)") {
                    try Measures.exactNeighbors(index, query: $0, k: k)
                }
            }
            checked += 1
        }
        XCTAssertGreaterThan(checked, 40)
    }

    /// Values on a coarse grid: whole groups of rows at one distance, duplicates, and the k-th distance shared by
    /// many rows, for both metrics and several dimensions (full and partial register tiles).
    func testTablesFullOfTiesAndNearTies() throws {
        var seed: UInt64 = 0x5EED
        func next() -> UInt64 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return seed >> 33
        }
        for dim in [1, 3, 17, 64, 130] {
            for metric in [Metric.l2, .innerProduct] {
                let rows = 3 * 32 + 5
                var values: [Float] = []
                for row in 0..<rows {
                    for lane in 0..<dim {
                        // Every fifth row repeats an earlier one; the rest take values −1, 0, 1 or a near tie.
                        if row % 5 == 4 {
                            values.append(values[(row - 3) * dim + lane])
                        } else {
                            let choice = next() % 7
                            values.append(choice == 6 ? 1 + 1e-7 * Float(next() % 3) : Float(Int(choice % 3) - 1))
                        }
                    }
                }
                let table = VectorTable(name: "ties", rows: values, dim: dim)
                var queries = (0..<9).map { _ in (0..<dim).map { _ in Float(Int(next() % 3) - 1) } }
                queries.append(table.row(7))
                queries.append([Float](repeating: 0, count: dim))
                for k in [1, 10, 33, rows] {
                    let blocked = try BlockedExact.neighbors(
                        in: table, labels: nil, metric: metric, queries: queries, k: k, minimumPairs: 0)
                    try assertSame(blocked, queries, label: "d=\(dim) \(metric) k=\(k)") {
                        try Measures.exactNeighbors(in: table, labels: nil, metric: metric, query: $0, k: k)
                    }
                }
            }
        }
    }

    /// A NaN in a query or a row proves nothing about intervals: those answers come from the row-by-row scan.
    func testNonFiniteValuesFallBackToTheScan() throws {
        let dim = 8
        var values = (0..<(70 * dim)).map { Float(($0 * 7919) % 13) - 6 }
        let table = VectorTable(name: "finite", rows: values, dim: dim)
        var queries = (0..<4).map { table.row($0 * 9) }
        queries.append([Float](repeating: .nan, count: dim))
        queries.append([.infinity] + [Float](repeating: 1, count: dim - 1))
        try assertSame(
            BlockedExact.neighbors(in: table, labels: nil, metric: .l2, queries: queries, k: 5, minimumPairs: 0), queries,
            label: "nan query"
        ) { try Measures.exactNeighbors(in: table, labels: nil, metric: .l2, query: $0, k: 5) }
        values[13 * dim + 2] = .nan
        values[40 * dim] = -.infinity
        let poisoned = VectorTable(name: "poisoned", rows: values, dim: dim)
        for metric in [Metric.l2, .innerProduct] {
            try assertSame(
                BlockedExact.neighbors(in: poisoned, labels: nil, metric: metric, queries: queries, k: 5, minimumPairs: 0), queries,
                label: "nan row \(metric)"
            ) { try Measures.exactNeighbors(in: poisoned, labels: nil, metric: metric, query: $0, k: 5) }
        }
    }
}
