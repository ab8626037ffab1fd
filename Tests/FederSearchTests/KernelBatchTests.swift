import CFederKernels
import FederProjection
import XCTest

@testable import FederSearch

/// The batched kernels score several vectors at once; each vector must get exactly the bits the one-by-one
/// kernel gives it (which KernelsAgainstLibrariesTests pins to the libraries), for every faiss level and hnswlib
/// build, every dimension class, and every batch size (groups of four, and the padded groups of two and three).
final class KernelBatchTests: XCTestCase {
    override func tearDown() {
        Kernels.select(.native)
        feder_kernels_portable(0)
    }

    private static let dims = Array(1...70) + [96, 127, 128, 129, 255, 256, 784, 1001, 1024]

    private func vectors(count: Int, dim: Int, generator: inout SeededRandom) -> [[Float]] {
        (0..<count).map { _ in (0..<dim).map { _ in Float(generator.normal() * 2) } }
    }

    func testBatchedFaissKernelsGiveTheOneByOneBits() {
        var generator = SeededRandom(seed: 7)
        for level in Kernels.FaissLevel.allCases {
            Kernels.select(Kernels(faiss: level, hnswlib: Kernels.native.hnswlib))
            var mismatches: [String] = []
            for dim in Self.dims {
                let query = vectors(count: 1, dim: dim, generator: &generator)[0]
                let rows = vectors(count: 9, dim: dim, generator: &generator)
                for kernel in [FaissKernel.l2, .innerProduct, .l1, .linf] {
                    for count in 1...rows.count {
                        let batched = score(count: count, rows: rows) { pointers, out in
                            query.withUnsafeBytes { feder_faiss_batch(kernel.rawValue, $0.baseAddress, pointers, count, dim, out) }
                        }
                        for row in 0..<count {
                            let single = query.withUnsafeBytes { q in
                                rows[row].withUnsafeBytes {
                                    feder_faiss_kernel(level.rawValue, kernel.rawValue, q.baseAddress, $0.baseAddress, dim)
                                }
                            }
                            if batched[row].bitPattern != single.bitPattern {
                                mismatches.append("\(kernel) d \(dim) n \(count) row \(row)")
                            }
                        }
                    }
                }
            }
            XCTAssertEqual(mismatches.count, 0, "faiss \(level.name): \(mismatches.prefix(8))")
        }
    }

    func testBatchedHNSWLibKernelsGiveTheOneByOneBits() {
        var generator = SeededRandom(seed: 8)
        for build in Kernels.HNSWLibBuild.allCases {
            Kernels.select(Kernels(faiss: Kernels.native.faiss, hnswlib: build))
            var mismatches: [String] = []
            for dim in Self.dims {
                let query = vectors(count: 1, dim: dim, generator: &generator)[0]
                let rows = vectors(count: 9, dim: dim, generator: &generator)
                for innerProduct in [false, true] {
                    for count in 1...rows.count {
                        let batched = score(count: count, rows: rows) { pointers, out in
                            query.withUnsafeBytes { feder_hnswlib_batch(innerProduct ? 1 : 0, $0.baseAddress, pointers, count, dim, out) }
                        }
                        for row in 0..<count {
                            let single = query.withUnsafeBytes { q in
                                rows[row].withUnsafeBytes {
                                    feder_hnswlib_kernel(build.rawValue, innerProduct ? 1 : 0, q.baseAddress, $0.baseAddress, dim)
                                }
                            }
                            if batched[row].bitPattern != single.bitPattern {
                                mismatches.append("\(innerProduct ? "ip" : "l2") d \(dim) n \(count) row \(row)")
                            }
                        }
                    }
                }
            }
            XCTAssertEqual(mismatches.count, 0, "hnswlib \(build.name): \(mismatches.prefix(8))")
        }
    }

    /// Calls `body` with pointers to the first `count` rows and room for their distances.
    private func score(
        count: Int, rows: [[Float]], _ body: (UnsafePointer<UnsafeRawPointer?>, UnsafeMutablePointer<Float>) -> Void
    ) -> [Float] {
        // Each row in a buffer of its own, as vectors sit apart in an index.
        let buffers = rows.prefix(count).map { row -> UnsafeMutableRawPointer in
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: row.count * 4, alignment: 4)
            row.withUnsafeBytes { bytes in
                if let base = bytes.baseAddress { buffer.copyMemory(from: base, byteCount: row.count * 4) }
            }
            return buffer
        }
        defer { for buffer in buffers { buffer.deallocate() } }
        var pointers: [UnsafeRawPointer?] = buffers.map { UnsafeRawPointer($0) }
        var out = [Float](repeating: .nan, count: count)
        pointers.withUnsafeMutableBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                if let pointerBase = p.baseAddress, let outBase = o.baseAddress { body(pointerBase, outBase) }
            }
        }
        return out
    }
}
