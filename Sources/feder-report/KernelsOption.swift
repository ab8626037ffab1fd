import ArgumentParser
import FederReport

/// `--kernels`: which library builds the distance kernels reproduce (default: what the libraries run here).
struct KernelsOption: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Reproduce another library build's float results: native, or a comma-separated list of \(Kernels.names.joined(separator: ", ")).",
            discussion: """
                Default: faiss's SIMD level on this CPU (FAISS_SIMD_LEVEL when set, as faiss honours it) and the \
                hnswlib build pip makes here with -march=native. Each level sums vectors in its own order, so \
                distances differ in their last bits from one build to another.
                """))
    var kernels: String?

    func validate() throws {
        if let kernels {
            do { _ = try Kernels.parse(kernels) } catch { throw ValidationError("--kernels: \(ExitStatus.describe(error))") }
        }
    }

    /// Selects the kernels for every search this process makes.
    func apply() throws {
        Kernels.select(try kernels.map { try Kernels.parse($0) } ?? .native)
    }
}
