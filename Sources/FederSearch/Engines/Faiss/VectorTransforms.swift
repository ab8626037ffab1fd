import CFederKernels
import FederIndex
import Foundation

/// faiss's vector transforms applied to one query, as `IndexPreTransform::search` applies its chain: each
/// stage into a fresh vector, in order, nothing else (`VectorTransform.cpp`, faiss 1.15).
///
/// A linear transform (PCA, OPQ, random rotation, ITQ's matrix) of one query is OpenBLAS's
/// `sgemv_("T", d_in, d_out, 1, A, d_in, x, 1, have_bias, y, 1)` with y preset to the bias: the bits come from
/// the OpenBLAS core faiss-cpu's bundled OpenBLAS runs (`feder_openblas_gemv_rows`), threaded as OpenBLAS
/// threads it when faiss runs more than one OpenMP thread. L2 normalisation multiplies by 1 / sqrt(‖x‖²), the
/// norm summed as the selected faiss level sums it.
public enum VectorTransforms {
    /// What the inner index searches with: `query` through every stage of `chain`.
    /// - Throws: `FederSearchError` as `apply(_:to:ompThreads:)` does.
    public static func transformed(_ query: [Float], by chain: [FaissVectorTransform]) throws -> [Float] {
        try apply(chain, to: query).last ?? query
    }

    /// Every stage's output for `query` (the last one is what the inner index searches with).
    /// - Throws: `FederSearchError` for a transform faiss itself refuses to apply (a normalisation with a
    ///   norm other than 2) or an OpenBLAS core the tool does not reproduce.
    public static func apply(_ chain: [FaissVectorTransform], to query: [Float], ompThreads: Int = 1) throws -> [[Float]] {
        var stages: [[Float]] = []
        var current = query
        for transform in chain {
            guard current.count == transform.inputDim else {
                throw FederSearchError.dimensionMismatch(
                    expected: transform.inputDim, got: current.count, source: "the query at this stage of the transform chain")
            }
            current = try apply(transform, to: current, ompThreads: ompThreads)
            stages.append(current)
        }
        return stages
    }

    /// Whether applying `chain` goes through OpenBLAS (a linear transform somewhere).
    public static func usesOpenBLAS(_ chain: [FaissVectorTransform]) -> Bool {
        chain.contains {
            switch $0.kind {
            case .linear, .itq: return true
            default: return false
            }
        }
    }

    static func apply(_ transform: FaissVectorTransform, to x: [Float], ompThreads: Int) throws -> [Float] {
        switch transform.kind {
        case .linear(let linear):
            return try gemv(linear, x, inputDim: transform.inputDim, outputDim: transform.outputDim, ompThreads: ompThreads)
        case .remap(let map):
            return (0..<transform.outputDim).map { map[$0] < 0 ? 0 : x[Int(map[$0])] }
        case .normalize(let norm):
            guard norm == 2 else {
                throw FederSearchError.unsupported("faiss applies L2 normalisation only; this transform asks for L\(norm)")
            }
            return renormalized(x)
        case .center(let mean):
            return (0..<x.count).map { x[$0] - mean[$0] }
        case .itq(let mean, _, _, let pcaThenITQ):
            let centred = renormalized((0..<x.count).map { x[$0] - mean[$0] })
            var linear = pcaThenITQ
            linear.hasBias = false
            return try gemv(linear, centred, inputDim: transform.inputDim, outputDim: transform.outputDim, ompThreads: ompThreads)
        }
    }

    /// `fvec_renorm_L2` for one vector: x · (1 / sqrtf(‖x‖²)) unless ‖x‖² is 0 or NaN.
    static func renormalized(_ x: [Float]) -> [Float] {
        let squared = x.withUnsafeBytes { feder_faiss_norm(Kernels.active.faiss.floatLevel, $0.baseAddress, x.count) }
        guard squared > 0 else { return x }
        let inverse = 1 / squared.squareRoot()
        return x.map { $0 * inverse }
    }

    static func gemv(_ linear: FaissLinearTransform, _ x: [Float], inputDim: Int, outputDim: Int, ompThreads: Int) throws -> [Float] {
        let core = Kernels.active.openBLAS
        guard core.isMirrored else {
            throw FederSearchError.unsupported(
                "faiss applies this linear transform with OpenBLAS's sgemv for its \(core.name) core, which this tool does not "
                    + "reproduce; name one it does with --kernels openblas-…")
        }
        var y = linear.hasBias ? (0..<outputDim).map { linear.bias[$0] } : [Float](repeating: 0, count: outputDim)
        let matrix = linear.matrix.file.baseAddress + linear.matrix.byteOffset
        x.withUnsafeBytes { query in
            y.withUnsafeMutableBufferPointer { out in
                feder_openblas_gemv_rows(
                    core.rawValue, Int32(ompThreads), matrix, inputDim, outputDim, query.baseAddress, linear.hasBias ? 1 : 0,
                    out.baseAddress)
            }
        }
        return y
    }
}
