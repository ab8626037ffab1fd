import FederSearch
import XCTest

/// `Kernels.parse`: the names `--kernels` takes, and the error for one it does not.
final class KernelsParseTests: XCTestCase {
    func testNamedBuildsReplaceOnlyTheirLibrary() throws {
        let base = Kernels.native
        let kernels = try Kernels.parse("faiss-avx2, hnswlib-avx512-zen", base: base)
        XCTAssertEqual(kernels.faiss, .avx2)
        XCTAssertEqual(kernels.hnswlib, .avx512Zen)
        XCTAssertEqual(kernels.openBLAS, base.openBLAS)
    }

    func testAnUnknownNameIsASearchErrorNamingIt() {
        XCTAssertThrowsError(try Kernels.parse("faiss-avx2,faiss-sse9")) { error in
            XCTAssertEqual(error as? FederSearchError, .unknownKernels(token: "faiss-sse9"))
            XCTAssertEqual(
                error.localizedDescription,
                "unknown kernels 'faiss-sse9'; expected native or a comma-separated list of \(Kernels.names.joined(separator: ", "))")
        }
    }
}
