import FederIndex
import FederSearch
import FederTestSupport
import Foundation
import XCTest

/// A faiss metric the searches do not mirror (Lp, Canberra, …) is refused by name, never answered as L2.
final class MetricRefusalTests: XCTestCase {
    /// The committed IVF fixture with its outer header's metric set to `metricType`: faiss's header is
    /// fourcc · d i32 · ntotal i64 · 2 × i64 · is_trained u8 · metric_type i32 (byte 33) · metric_arg f32 when
    /// metric_type > 1, so the metric argument is inserted after byte 37.
    private func ivf(withMetric metricType: Int32) throws -> IndexFile {
        var bytes = try Data(contentsOf: FixtureManifest.committedDirectory().appendingPathComponent("ivf_flat_l2_full.faiss"))
        XCTAssertEqual(String(decoding: bytes.prefix(4), as: UTF8.self), "IwFl")
        XCTAssertEqual(bytes.subdata(in: 33..<37).withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }, 1, "the fixture is L2")
        withUnsafeBytes(of: metricType.littleEndian) { bytes.replaceSubrange(33..<37, with: $0) }
        bytes.insert(contentsOf: [0, 0, 0x80, 0x3F], at: 37)  // metric_arg 1.0
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("feder-metric-\(UUID().uuidString).faiss")
        try bytes.write(to: file)
        addTeardownBlock { try? FileManager.default.removeItem(at: file) }
        return try IndexFile.open(path: file.path)
    }

    func testOtherMetricIVFIndexesAreRefusedByName() throws {
        for (type, name) in [(Int32(4), "lp"), (20, "canberra"), (21, "braycurtis")] {
            let index = try ivf(withMetric: type)
            XCTAssertEqual(index.metric.name, name)
            let query = [Float](repeating: 0.5, count: index.dim)
            XCTAssertThrowsError(try Searcher.trace(index, query: query, request: SearchRequest(k: 3))) { error in
                XCTAssertEqual(
                    error as? FederSearchError,
                    .unsupported("tracing faiss metric \(name) (the index's) is not supported; L2, inner product, L1 and Linf are"))
            }
        }
    }
}
