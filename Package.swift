// swift-tools-version:6.0
import PackageDescription

// One target per pipeline stage (load → trace → measure → project → layout → render), FederReport owning the
// pipeline (requests and job specs → traces → pages → outputs), C libraries through pkg-config system-library
// shims, and a thin command-line front end that imports FederReport only.
let package = Package(
    name: "feder-report",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "feder-report", targets: ["feder-report"]),
        .library(name: "FederIndex", targets: ["FederIndex"]),
        .library(name: "FederSearch", targets: ["FederSearch"]),
        .library(name: "FederProjection", targets: ["FederProjection"]),
        .library(name: "FederLayout", targets: ["FederLayout"]),
        .library(name: "FederRender", targets: ["FederRender"]),
        .library(name: "FederReport", targets: ["FederReport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
    ],
    targets: [
        .systemLibrary(
            name: "CCairo", pkgConfig: "cairo",
            providers: [.apt(["libcairo2-dev"])]),
        // Declares the pango functions it uses (shim.h) rather than include pango's headers, whose pkg-config flags
        // carry a -pthread SwiftPM warns about; the libraries are linked by name.
        .systemLibrary(
            name: "CPangoCairo",
            providers: [.apt(["libpango1.0-dev"])]),
        .systemLibrary(
            name: "CTurboJPEG", pkgConfig: "libturbojpeg",
            providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(
            name: "CHDF5", pkgConfig: "hdf5",
            providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(
            name: "CLibPQ", pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]),

        .target(
            name: "CFederKernels", cSettings: [.unsafeFlags(["-O3", "-ffp-contract=off"])],
            // The portable kernels call fmaf.
            linkerSettings: [.linkedLibrary("m")]),
        .target(name: "FederIndex", dependencies: ["CHDF5", "CLibPQ"]),
        .target(
            name: "FederSearch", dependencies: ["FederIndex", "CFederKernels"],
            // The traced searches keep their state in local buffers; dynamic exclusivity checks cost ~10 %.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
        .target(
            name: "FederProjection", dependencies: ["FederIndex", "CFederKernels"],
            // Projections run tight loops over local buffers; dynamic exclusivity checks cost and catch nothing.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
        .target(name: "FederLayout", dependencies: ["FederIndex", "FederSearch", "FederProjection"]),
        .target(name: "FederRender", dependencies: ["FederLayout", "CCairo", "CPangoCairo", "CTurboJPEG"]),
        .target(
            name: "FederReport", dependencies: ["FederIndex", "FederSearch", "FederProjection", "FederLayout", "FederRender"]),
        .executableTarget(
            name: "feder-report",
            dependencies: ["FederReport", .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        .target(name: "FederTestSupport", dependencies: ["FederIndex"], path: "Tests/FederTestSupport"),
        .executableTarget(
            name: "feder-bench", dependencies: ["FederIndex", "FederSearch", "FederProjection", "FederLayout", "FederRender"],
            path: "Benchmarks/feder-bench"),

        .testTarget(name: "FederIndexTests", dependencies: ["FederIndex", "FederTestSupport", "CLibPQ"]),
        .testTarget(name: "FederSearchTests", dependencies: ["FederSearch", "FederIndex", "FederProjection", "FederTestSupport"]),
        .testTarget(name: "FederProjectionTests", dependencies: ["FederProjection", "FederTestSupport"]),
        .testTarget(name: "FederLayoutTests", dependencies: ["FederLayout", "FederProjection", "FederTestSupport"]),
        .testTarget(
            name: "FederRenderTests",
            dependencies: ["FederRender", "FederLayout", "FederProjection", "FederTestSupport", "CCairo", "CTurboJPEG"]),
        .testTarget(
            name: "FederReportTests",
            dependencies: [
                "FederReport", "FederIndex", "FederSearch", "FederProjection", "FederLayout", "FederRender", "FederTestSupport",
            ]),
        .testTarget(name: "FederReportCLITests", dependencies: ["feder-report", "FederIndex", "FederTestSupport", "CLibPQ"]),
    ],
    swiftLanguageModes: [.v6]
)
