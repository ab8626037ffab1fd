import CFederKernels
import Foundation

/// Which library build the distance kernels reproduce, bit for bit.
///
/// faiss-cpu's wheel holds its kernels once per SIMD level and picks one at load time (the CPU's best, or the
/// `FAISS_SIMD_LEVEL` environment variable); each level sums a vector in its own order. hnswlib is compiled by
/// pip on the machine with `-march=native`, so its kernels depend on that CPU (and on GCC's tuning for it).
/// By default the tool takes what each library does on the running CPU; `--kernels` names another build, for
/// a report about an index searched elsewhere. Every build runs on any CPU (slower where the CPU lacks its
/// vector units), with the same bits.
public struct Kernels: Sendable, Equatable, CustomStringConvertible {
    /// faiss's SIMD levels (faiss::SIMDLevel). AVX512_SPR (Sapphire Rapids and later: AVX-512 with FP16 and
    /// BF16) runs the AVX512 float, PQ and fast-scan kernels and its own scalar-quantizer code; AVX512_VPOPCNT
    /// (AMD Zen 4) computes everything as AVX512 and is taken as that level.
    public enum FaissLevel: Int32, Sendable, CaseIterable {
        case none = 0
        case avx2 = 1
        case avx512 = 2
        case avx512SPR = 3

        /// The name faiss prints (`faiss.SIMDConfig.get_level_name()`).
        public var name: String {
            switch self {
            case .none: "NONE"
            case .avx2: "AVX2"
            case .avx512: "AVX512"
            case .avx512SPR: "AVX512_SPR"
            }
        }

        /// The level whose float kernels this one runs (fvec_*, PQ tables and sums, fast scan).
        public var floatLevel: Int32 { feder_faiss_float_level(rawValue) }
    }

    /// What pip's `-march=native` compile of hnswlib 0.8.0 makes of its kernels on a CPU of this kind.
    public enum HNSWLibBuild: Int32, Sendable, CaseIterable {
        /// SSE only: 4 lanes, nothing fused.
        case sse = 0
        /// AVX without FMA: 8 lanes, nothing fused.
        case avx = 1
        /// AVX2 + FMA on AMD Zen: GCC's Zen tuning keeps loop multiply-add chains unfused, fuses the tails.
        case avx2Zen = 2
        /// AVX2 + FMA on other CPUs: 8 lanes, multiply-adds fused.
        case avx2 = 3
        /// AVX-512: 16 lanes, multiply-adds fused, the inner product's lanes folded pairwise.
        case avx512 = 4
        /// AVX-512 on AMD Zen 4 with GCC 12, which does not know Zen 4 and tunes it as Zen 3: the 16-lane blocks
        /// fused, narrower chains unfused, L2's plain loop in blocks of 16 and 8 with a fused remainder of d % 8.
        case avx512Zen = 5
        /// AVX-512 on an Intel model GCC 12 does not know (Emerald Rapids, Granite Rapids): -mtune=generic, which
        /// vectorises plain loops in zmm with a ymm epilogue, so their fused scalar remainder is n % 8.
        case avx512Generic = 6

        public var name: String {
            switch self {
            case .sse: "sse"
            case .avx: "avx"
            case .avx2Zen: "avx2-zen"
            case .avx2: "avx2"
            case .avx512: "avx512"
            case .avx512Zen: "avx512-zen"
            case .avx512Generic: "avx512-generic"
            }
        }
    }

    /// The OpenBLAS core whose sgemm faiss's flat search goes through with several threads over a large database,
    /// and for one query of d ≥ 128,000 (faiss-cpu's wheel bundles OpenBLAS 0.3.15 built for every core; it
    /// picks one by CPU family and model when it loads, or as the `OPENBLAS_CORETYPE` environment variable
    /// says). Only those searches, and pre-transforms' matrices, use it.
    public struct OpenBLASCore: Sendable, Equatable, Hashable {
        /// OpenBLAS's own number for the core.
        public let rawValue: Int32

        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let prescott = OpenBLASCore(rawValue: Int32(FEDER_OPENBLAS_PRESCOTT))
        public static let nehalem = OpenBLASCore(rawValue: Int32(FEDER_OPENBLAS_NEHALEM))
        public static let barcelona = OpenBLASCore(rawValue: Int32(FEDER_OPENBLAS_BARCELONA))
        public static let sandybridge = OpenBLASCore(rawValue: Int32(FEDER_OPENBLAS_SANDYBRIDGE))
        public static let haswell = OpenBLASCore(rawValue: Int32(FEDER_OPENBLAS_HASWELL))
        public static let zen = OpenBLASCore(rawValue: Int32(FEDER_OPENBLAS_ZEN))
        public static let skylakeX = OpenBLASCore(rawValue: Int32(FEDER_OPENBLAS_SKYLAKEX))
        public static let cooperlake = OpenBLASCore(rawValue: Int32(FEDER_OPENBLAS_COOPERLAKE))

        /// The cores whose sgemm the tool reproduces.
        public static let mirrored: [OpenBLASCore] = [
            .prescott, .nehalem, .barcelona, .sandybridge, .haswell, .zen, .skylakeX, .cooperlake,
        ]

        /// OpenBLAS's name for it ("Prescott", "SkylakeX").
        public var name: String { feder_openblas_core_name(rawValue).map { String(cString: $0) } ?? "core \(rawValue)" }

        /// Whether the tool reproduces this core's sgemm.
        public var isMirrored: Bool { feder_openblas_mirrored(rawValue) != 0 }
    }

    public var faiss: FaissLevel
    public var hnswlib: HNSWLibBuild
    public var openBLAS: OpenBLASCore

    public init(faiss: FaissLevel, hnswlib: HNSWLibBuild, openBLAS: OpenBLASCore = .native) {
        self.faiss = faiss
        self.hnswlib = hnswlib
        self.openBLAS = openBLAS
    }

    /// What the libraries run on this CPU: faiss's level (`FAISS_SIMD_LEVEL` when set, as faiss honours it),
    /// the hnswlib build pip makes here and OpenBLAS's core (`OPENBLAS_CORETYPE` when set).
    public static var native: Kernels {
        Kernels(
            faiss: FaissLevel(rawValue: feder_native_faiss_level()) ?? FaissLevel.none,
            hnswlib: HNSWLibBuild(rawValue: feder_cpu_hnswlib_build()) ?? .sse, openBLAS: .native)
    }

    /// The kernels searches use now.
    public static var active: Kernels {
        Kernels(
            faiss: FaissLevel(rawValue: feder_kernels_faiss_level()) ?? FaissLevel.none,
            hnswlib: HNSWLibBuild(rawValue: feder_kernels_hnswlib()) ?? .sse,
            openBLAS: OpenBLASCore(rawValue: feder_kernels_openblas()))
    }

    /// Makes every later search use `kernels`. Call before searches start.
    public static func select(_ kernels: Kernels) {
        feder_kernels_select(kernels.faiss.rawValue, kernels.hnswlib.rawValue)
        feder_kernels_select_openblas(kernels.openBLAS.rawValue)
    }

    /// The build a search of a faiss index (`hnswlib` false) or an hnswlib index uses: "faiss AVX512".
    public func name(for hnswlib: Bool) -> String { hnswlib ? "hnswlib \(self.hnswlib.name)" : "faiss \(faiss.name)" }

    /// "faiss AVX512, hnswlib avx512, OpenBLAS Prescott".
    public var description: String { "faiss \(faiss.name), hnswlib \(hnswlib.name), OpenBLAS \(openBLAS.name)" }

    /// The names `--kernels` takes, one per build.
    public static let names: [String] =
        FaissLevel.allCases.map { "faiss-\($0.name.lowercased())" } + HNSWLibBuild.allCases.map { "hnswlib-\($0.name)" }
        + OpenBLASCore.mirrored.map { "openblas-\($0.name.lowercased())" }

    /// Parses a comma-separated list such as `faiss-avx2,hnswlib-avx512`; libraries it does not name keep
    /// `base`'s build. `native` stands for this CPU's builds.
    ///
    /// - Throws: `FederSearchError.unknownKernels` for a name that is no known build.
    public static func parse(_ text: String, base: Kernels = .native) throws -> Kernels {
        var kernels = base
        for token in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) {
            if token == "native" {
                kernels = .native
            } else if token.hasPrefix("faiss-"), let level = faissLevel(named: token.dropFirst(6).uppercased()) {
                kernels.faiss = level
            } else if token.hasPrefix("hnswlib-"), let build = HNSWLibBuild.allCases.first(where: { $0.name == token.dropFirst(8) }) {
                kernels.hnswlib = build
            } else if token.hasPrefix("openblas-"),
                let core = OpenBLASCore.mirrored.first(where: { $0.name.lowercased() == token.dropFirst(9) })
            {
                kernels.openBLAS = core
            } else {
                throw FederSearchError.unknownKernels(token: token)
            }
        }
        return kernels
    }

    /// A level named as faiss names them (`FAISS_SIMD_LEVEL`'s x86 values; AVX512_VPOPCNT computes as AVX512),
    /// `-` accepted for `_`. nil for any other name.
    static func faissLevel(named value: String) -> FaissLevel? {
        switch value.replacingOccurrences(of: "-", with: "_") {
        case "NONE", "GENERIC": FaissLevel.none
        case "AVX2": FaissLevel.avx2
        case "AVX512", "AVX512_VPOPCNT": FaissLevel.avx512
        case "AVX512_SPR": FaissLevel.avx512SPR
        default: nil
        }
    }
}

extension Kernels.OpenBLASCore {
    /// The core OpenBLAS picks on this CPU (or the one `OPENBLAS_CORETYPE` names), mirrored or not.
    public static var native: Kernels.OpenBLASCore { Kernels.OpenBLASCore(rawValue: feder_openblas_native_core()) }
}
