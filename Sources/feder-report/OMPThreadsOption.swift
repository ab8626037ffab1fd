import ArgumentParser
import FederReport

/// `--omp-threads`: how many OpenMP threads faiss searched with.
struct OMPThreadsOption: ParsableArguments {
    @Option(
        name: .customLong("omp-threads"),
        help: ArgumentHelp(
            "Mirror faiss searching with this many OpenMP threads (default 1, the same answer on every machine).",
            discussion: """
                With more than one thread, faiss splits one query's flat search (and a flat coarse quantizer's) \
                over at least max(10,000, threads × 1,024) vectors across the threads, computes the distances \
                with OpenBLAS's sgemm and merges the threads' heaps: other float bits, and other ids among ties. \
                A query of d ≥ 128,000 goes through sgemm at any size, and OpenBLAS shares each call among the \
                threads: other float bits again. \
                The tool mirrors both with the OpenBLAS core faiss-cpu's bundled OpenBLAS 0.3.15 picks on this \
                CPU (OPENBLAS_CORETYPE honoured; --kernels openblas-NAME names another). faiss's default is one \
                thread per core: pass that number to match an untouched faiss.
                """))
    var ompThreads: Int = 1

    func validate() throws {
        guard (1...SearchRequest.maximumOMPThreads).contains(ompThreads) else {
            throw ValidationError("--omp-threads must be within 1…\(SearchRequest.maximumOMPThreads) (got \(ompThreads)).")
        }
    }
}
