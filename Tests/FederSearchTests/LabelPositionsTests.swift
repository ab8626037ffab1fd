import FederIndex
import FederSearch
import FederTestSupport
import Foundation
import XCTest

/// The label → position table explanations use instead of scanning the index for every miss.
final class LabelPositionsTests: XCTestCase {
    private func open(_ name: String) throws -> IndexFile {
        try IndexFile.open(path: FixtureManifest.committedDirectory().appendingPathComponent(name).path)
    }

    func testHNSWLibRowsByLabelPreferLiveElements() throws {
        for name in ["hnswlib_l2.hnsw", "hnswlib_l2_labels.hnsw", "hnswlib_l2_deleted.hnsw"] {
            guard case .hnswlib(let hnswlib) = try open(name) else { return XCTFail(name) }
            let positions = LabelPositions.of(.hnswlib(hnswlib))
            XCTAssertEqual(positions.unit, .row)
            var live: [Int64: Int] = [:]
            var any: [Int64: Int] = [:]
            for row in 0..<hnswlib.count {
                let label = Int64(bitPattern: hnswlib.label(row))
                if any[label] == nil { any[label] = row }
                if !hnswlib.isDeleted(row), live[label] == nil { live[label] = row }
            }
            for (label, row) in any {
                XCTAssertEqual(positions.position(of: label), live[label] ?? row, "\(name) label \(label)")
            }
            let absent = (any.keys.max() ?? 0) &+ 1
            XCTAssertNil(positions.position(of: absent), name)
            XCTAssertNil(positions.position(of: -5), name)
        }
    }

    func testFaissRowsThroughAnIDMapAndIVFLists() throws {
        guard case .faiss(.idMap(let map)) = try open("idmap2_hnsw_l2.faiss") else { return XCTFail("not an IDMap") }
        let mapped = LabelPositions.of(.faiss(.idMap(map)))
        XCTAssertEqual(mapped.unit, .row)
        for row in 0..<map.ids.count { XCTAssertEqual(mapped.position(of: map.ids[row]), row) }

        guard case .faiss(.ivf(let ivf)) = try open("ivf_flat_l2_full.faiss") else { return XCTFail("not IVF") }
        let lists = LabelPositions.of(.faiss(.ivf(ivf)))
        XCTAssertEqual(lists.unit, .list)
        var checked = 0
        for (list, inverted) in ivf.invertedLists.lists.enumerated() {
            for offset in 0..<inverted.size {
                XCTAssertEqual(lists.position(of: inverted.ids[offset]), list)
                checked += 1
            }
        }
        XCTAssertEqual(checked, ivf.header.count)
        XCTAssertNil(lists.position(of: Int64(ivf.header.count) + 7))

        let flat = LabelPositions.of(try open("flat_l2_float.faiss"))
        XCTAssertEqual(flat.position(of: 3), 3)
        XCTAssertNil(flat.position(of: -1))
    }
}
