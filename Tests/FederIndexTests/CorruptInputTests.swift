import FederIndex
import FederTestSupport
import Foundation
import XCTest

/// One test per validation: a real fixture with one field changed must be refused with a message naming
/// the field, and without sizing anything from the bad value.
final class CorruptInputTests: XCTestCase {
    private var manifest: FixtureManifest!

    override func setUpWithError() throws {
        manifest = try FixtureManifest.load(committed: true)
    }

    private func fixtureBytes(_ name: String) throws -> [UInt8] {
        let path = manifest.directory.appendingPathComponent(name).path
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    private func patch<T: FixedWidthInteger>(_ bytes: [UInt8], at offset: Int, _ value: T) -> [UInt8] {
        var copy = bytes
        withUnsafeBytes(of: value.littleEndian) { raw in
            for (index, byte) in raw.enumerated() { copy[offset + index] = byte }
        }
        return copy
    }

    private func offset(of marker: String, in bytes: [UInt8]) -> Int? {
        let needle = Array(marker.utf8)
        guard bytes.count >= needle.count else { return nil }
        return (0...(bytes.count - needle.count)).first { Array(bytes[$0..<$0 + needle.count]) == needle }
    }

    /// Decodes `bytes` and returns the error message, failing when the file is accepted.
    private func refusal(
        _ bytes: [UInt8], space: Metric = .l2, file: StaticString = #filePath, line: UInt = #line
    ) -> String {
        do {
            _ = try IndexFile.decode(MappedFile(name: "corrupt.bin", data: bytes), space: space)
            XCTFail("accepted a corrupt file", file: file, line: line)
            return ""
        } catch let error as FederIndexError {
            XCTAssertFalse(error.isCannotOpen, "a corrupt file is a data error, not an unopenable one", file: file, line: line)
            let message = error.localizedDescription
            XCTAssertTrue(message.hasPrefix("corrupt.bin: "), message, file: file, line: line)
            XCTAssertFalse(message.contains("\n"), file: file, line: line)
            return message
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
            return ""
        }
    }

    // MARK: faiss header (IxF2: code 0, d 4, ntotal 8, dummies 16/24, is_trained 32, metric 33, count 37)

    func testZeroDimension() throws {
        let message = refusal(patch(try fixtureBytes("flat_l2_float.faiss"), at: 4, Int32(0)))
        XCTAssertTrue(message.contains("invalid d (dimension) at byte 4"), message)
    }

    func testHeaderClaiming2To60Vectors() throws {
        let message = refusal(patch(try fixtureBytes("flat_l2_float.faiss"), at: 8, Int64(1) << 60))
        XCTAssertTrue(message.contains("vectors count"), message)
    }

    func testNegativeCount() throws {
        let message = refusal(patch(try fixtureBytes("flat_l2_float.faiss"), at: 8, Int64(-3)))
        XCTAssertTrue(message.contains("ntotal at byte 8"), message)
    }

    func testFloatCountBeyondTheFile() throws {
        let message = refusal(patch(try fixtureBytes("flat_l2_float.faiss"), at: 37, UInt64(1) << 61))
        XCTAssertTrue(message.contains("truncated"), message)
        XCTAssertTrue(message.contains("byte 45"), message)
    }

    func testUnknownMetric() throws {
        let message = refusal(patch(try fixtureBytes("flat_l2_float.faiss"), at: 33, Int32(99)))
        XCTAssertTrue(message.contains("metric_type at byte 33"), message)
    }

    func testNonBooleanIsTrained() throws {
        let message = refusal(patch(try fixtureBytes("flat_l2_float.faiss"), at: 32, UInt8(7)))
        XCTAssertTrue(message.contains("is_trained"), message)
    }

    func testUnknownCodePrintable() throws {
        let message = refusal(Array("ABCD".utf8) + Array(try fixtureBytes("flat_l2_float.faiss").dropFirst(4)))
        XCTAssertTrue(message.contains("unknown index format code 'ABCD' at byte 0"), message)
    }

    func testUnknownCodeBinary() throws {
        let message = refusal([0xFF, 0x01, 0x02, 0x03, 0, 0, 0, 0, 0, 0])
        XCTAssertTrue(message.contains("0xff010203"), message)
    }

    func testTrailingBytes() throws {
        let message = refusal(try fixtureBytes("flat_l2_float.faiss") + [0])
        XCTAssertTrue(message.contains("unexpected bytes after the index"), message)
    }

    func testEmptyFile() {
        let message = refusal([])
        XCTAssertTrue(message.contains("truncated at byte 0"), message)
    }

    // MARK: faiss IVF

    func testListSizesThatDoNotAddUp() throws {
        let bytes = try fixtureBytes("ivf_flat_l2_full.faiss")
        let ilar = try XCTUnwrap(offset(of: "ilar", in: bytes))
        // ilar · nlist · code_size · "full" · count · sizes[0]
        let message = refusal(patch(bytes, at: ilar + 32, UInt64(1) << 40))
        XCTAssertTrue(message.contains("size of list 0"), message)
    }

    func testInvertedListsForAnotherNlist() throws {
        let bytes = try fixtureBytes("ivf_flat_l2_full.faiss")
        let ilar = try XCTUnwrap(offset(of: "ilar", in: bytes))
        let message = refusal(patch(bytes, at: ilar + 4, UInt64(17)))
        XCTAssertTrue(message.contains("inverted lists nlist"), message)
    }

    func testUnknownListLayout() throws {
        let bytes = try fixtureBytes("ivf_flat_l2_full.faiss")
        let full = try XCTUnwrap(offset(of: "full", in: bytes))
        var copy = bytes
        copy.replaceSubrange(full..<full + 4, with: Array("fuul".utf8))
        let message = refusal(copy)
        XCTAssertTrue(message.contains("list layout"), message)
    }

    func testSparseListNumberOutOfRange() throws {
        let bytes = try fixtureBytes("ivf_flat_l2_sprs.faiss")
        let sprs = try XCTUnwrap(offset(of: "sprs", in: bytes))
        let message = refusal(patch(bytes, at: sprs + 12, UInt64(64)))
        XCTAssertTrue(message.contains("sparse list number"), message)
    }

    func testBadDirectMapType() throws {
        let bytes = try fixtureBytes("ivf_flat_l2_full.faiss")
        guard case .faiss(.ivf(let ivf)) = try IndexFile.decode(MappedFile(name: "ok", data: bytes)),
            let centroids = ivf.centroids
        else { return XCTFail("not an IVF") }
        let directMapOffset = centroids.byteOffset + centroids.count * centroids.dim * 4
        let message = refusal(patch(bytes, at: directMapOffset, UInt8(5)))
        XCTAssertTrue(message.contains("direct map type"), message)
    }

    func testNlistDisagreeingWithTheQuantizer() throws {
        let message = refusal(patch(try fixtureBytes("ivf_flat_l2_full.faiss"), at: 37, UInt64(15)))
        XCTAssertTrue(message.contains("coarse quantizer holds 16 centroids"), message)
    }

    // MARK: faiss HNSW

    private func hnswGraph(_ bytes: [UInt8]) throws -> FaissHNSWGraph {
        guard case .faiss(.hnsw(let hnsw)) = try IndexFile.decode(MappedFile(name: "ok", data: bytes)) else {
            throw XCTSkip("not an HNSW index")
        }
        return hnsw.graph
    }

    func testNeighbourOutOfRange() throws {
        let bytes = try fixtureBytes("hnsw_flat_l2.faiss")
        let graph = try hnswGraph(bytes)
        let message = refusal(patch(bytes, at: graph.neighbors.byteOffset + 8, Int32(400)))
        XCTAssertTrue(message.contains("neighbors[2]"), message)
    }

    func testNodeLevelOutOfRange() throws {
        let bytes = try fixtureBytes("hnsw_flat_l2.faiss")
        let graph = try hnswGraph(bytes)
        let message = refusal(patch(bytes, at: graph.levels.byteOffset, Int32(0)))
        XCTAssertTrue(message.contains("levels[0]"), message)
    }

    func testOffsetsThatSkipSlots() throws {
        let bytes = try fixtureBytes("hnsw_flat_l2.faiss")
        let graph = try hnswGraph(bytes)
        let message = refusal(patch(bytes, at: graph.offsets.byteOffset + 8, UInt64(3)))
        XCTAssertTrue(message.contains("offsets[1]"), message)
    }

    func testEntryPointOutOfRange() throws {
        let bytes = try fixtureBytes("hnsw_flat_l2.faiss")
        let graph = try hnswGraph(bytes)
        let entry = graph.neighbors.byteOffset + graph.neighbors.count * 4
        let message = refusal(patch(bytes, at: entry, Int32(1_000_000)))
        XCTAssertTrue(message.contains("entry_point"), message)
    }

    // MARK: hnswlib (header: count 16, size 24, label 32, data 40, maxlevel 48, entry 52, maxM 56, maxM0 64)

    func testHnswlibCountAboveCapacity() throws {
        let message = refusal(patch(try fixtureBytes("hnswlib_l2.hnsw"), at: 16, UInt64(1) << 60))
        XCTAssertTrue(message.contains("exceeds max_elements"), message)
    }

    func testHnswlibHugeCapacityAndCount() throws {
        var bytes = patch(try fixtureBytes("hnswlib_l2.hnsw"), at: 8, UInt64(1) << 60)
        bytes = patch(bytes, at: 16, UInt64(1) << 60)
        let message = refusal(bytes)
        XCTAssertTrue(message.contains("level-0 block") || message.contains("overflows"), message)
    }

    func testHnswlibInconsistentElementSize() throws {
        let message = refusal(patch(try fixtureBytes("hnswlib_l2.hnsw"), at: 24, UInt64(100)))
        XCTAssertTrue(message.contains("size_data_per_element"), message)
    }

    func testHnswlibLinkCountAboveCapacity() throws {
        let message = refusal(patch(try fixtureBytes("hnswlib_l2.hnsw"), at: 96, UInt16(200)))
        XCTAssertTrue(message.contains("level-0 links of element 0"), message)
    }

    func testHnswlibNeighbourOutOfRange() throws {
        let message = refusal(patch(try fixtureBytes("hnswlib_l2.hnsw"), at: 100, UInt32(5000)))
        XCTAssertTrue(message.contains("neighbour id 5000"), message)
    }

    func testHnswlibEntryPointOutOfRange() throws {
        let message = refusal(patch(try fixtureBytes("hnswlib_l2.hnsw"), at: 52, UInt32(4000)))
        XCTAssertTrue(message.contains("enterpoint_node"), message)
    }

    func testHnswlibExtraBytes() throws {
        let message = refusal(try fixtureBytes("hnswlib_l2.hnsw") + [0, 0, 0, 0])
        XCTAssertTrue(message.contains("integrity check"), message)
    }

    func testHnswlibUnknownSpaceIsRefused() throws {
        let message = refusal(try fixtureBytes("hnswlib_l2.hnsw"), space: .other(2))
        XCTAssertTrue(message.contains("space"), message)
    }

    // MARK: opening

    func testDirectoryCannotBeOpened() {
        XCTAssertThrowsError(try IndexFile.open(path: manifest.directory.path)) { error in
            XCTAssertEqual((error as? FederIndexError)?.isCannotOpen, true)
            XCTAssertTrue(error.localizedDescription.contains("is a directory"))
        }
    }

    func testMissingFileCannotBeOpened() {
        XCTAssertThrowsError(try IndexFile.open(path: "/nonexistent/x.faiss")) { error in
            XCTAssertEqual((error as? FederIndexError)?.isCannotOpen, true)
            XCTAssertTrue(error.localizedDescription.hasPrefix("/nonexistent/x.faiss: cannot open"))
        }
    }

    // MARK: quantized and composite kinds

    /// IxPq pq_l2 (d 16, M 4, nbits 8): header 4 + 33, PQ d/M/nbits 24, centroids count 8 + 16·256·4, codes count.
    func testPQCodeCountDisagreeingWithNtotal() throws {
        let bytes = try fixtureBytes("pq_l2.faiss")
        let countOffset = 37 + 24 + 8 + 16 * 256 * 4
        let stored = bytes[countOffset..<countOffset + 8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * $1.offset) }
        let message = refusal(patch(bytes, at: countOffset, stored - 4))
        XCTAssertTrue(message.contains("codes"), message)
        XCTAssertTrue(message.contains("byte \(countOffset)"), message)
    }

    func testPreTransformChainTooLong() throws {
        let message = refusal(patch(try fixtureBytes("pca_flat_l2.faiss"), at: 37, Int32(17)))
        XCTAssertTrue(message.contains("chain length at byte 37"), message)
    }

    func testUnknownVectorTransformCode() throws {
        let bytes = try fixtureBytes("pca_flat_l2.faiss")
        let position = try XCTUnwrap(offset(of: "Pcam", in: bytes))
        let message = refusal(patch(bytes, at: position, UInt32(0x5858_5858)))
        XCTAssertTrue(message.contains("not a faiss vector transform"), message)
        XCTAssertTrue(message.contains("byte \(position)"), message)
    }

    func testRefineFactorOutOfRange() throws {
        let bytes = try fixtureBytes("ivf_pq_rflat_l2.faiss")
        let message = refusal(patch(bytes, at: bytes.count - 4, Float(0).bitPattern))
        XCTAssertTrue(message.contains("k_factor at byte \(bytes.count - 4)"), message)
    }

    /// ilbl: code 4 · nlist 8 · code_size 8 · n_per_block 8 · block_size 8.
    func testBlockListsPackedOtherwiseThanTheIndex() throws {
        let bytes = try fixtureBytes("ivf_pqfs_l2.faiss")
        let position = try XCTUnwrap(offset(of: "ilbl", in: bytes))
        let message = refusal(patch(bytes, at: position + 20, UInt64(64)))
        XCTAssertTrue(message.contains("n_per_block / block_size"), message)
    }

    func testHNSWQuantizedStorageOfTheWrongKind() throws {
        var bytes = try fixtureBytes("hnsw_sq8_l2.faiss")
        let position = try XCTUnwrap(offset(of: "IHNs", in: bytes))
        bytes = patch(bytes, at: position, UInt32(littleEndian: Array("IHNp".utf8).withUnsafeBytes { $0.load(as: UInt32.self) }))
        let message = refusal(bytes)
        XCTAssertTrue(message.contains("IHNp needs a PQ (IxPq) storage, found IxSQ"), message)
    }
}

extension FederIndexError {
    /// Whether the file could not be opened at all (exit 66) rather than read wrong (exit 65).
    var isCannotOpen: Bool {
        if case .cannotOpen = self { return true }
        return false
    }
}
