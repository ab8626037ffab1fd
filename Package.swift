// swift-tools-version:6.0
import PackageDescription

// One target per pipeline stage (spec → load → trace → measure → layout → render), C libraries through
// pkg-config system-library shims, and a thin command-line front end.
let package = Package(
    name: "feder-report",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "feder-report", targets: ["feder-report"]),
        .library(name: "FederIndex", targets: ["FederIndex"]),
        .library(name: "FederSearch", targets: ["FederSearch"]),
        .library(name: "FederLayout", targets: ["FederLayout"]),
        .library(name: "FederReport", targets: ["FederReport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CCairo", pkgConfig: "cairo",
            providers: [.apt(["libcairo2-dev"])]),
        .systemLibrary(
            name: "CPangoCairo", pkgConfig: "pangocairo",
            providers: [.apt(["libpango1.0-dev"])]),
        .systemLibrary(
            name: "CTurboJPEG", pkgConfig: "libturbojpeg",
            providers: [.apt(["libturbojpeg0-dev"])]),

        .target(name: "CFederKernels", cSettings: [.unsafeFlags(["-O3", "-ffp-contract=off"])]),
        .target(name: "FederIndex"),
        .target(
            name: "FederSearch", dependencies: ["FederIndex", "CFederKernels"],
            // The traced searches keep their state in local buffers; dynamic exclusivity checks cost ~10 %.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
        .target(
            name: "FederLayout", dependencies: ["FederIndex", "FederSearch", "CFederKernels"],
            // Projections run tight loops over local buffers; dynamic exclusivity checks cost and catch nothing.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
        .target(name: "FederRender", dependencies: ["FederLayout", "CCairo", "CPangoCairo", "CTurboJPEG"]),
        .target(name: "FederReport", dependencies: ["FederIndex", "FederSearch", "FederLayout", "FederRender"]),
        .executableTarget(
            name: "feder-report",
            dependencies: [
                "FederIndex", "FederSearch", "FederLayout", "FederRender", "FederReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        .target(name: "FederTestSupport", dependencies: ["FederIndex"], path: "Tests/FederTestSupport"),
        .executableTarget(
            name: "feder-bench", dependencies: ["FederIndex", "FederSearch", "FederLayout", "FederRender"],
            path: "Benchmarks/feder-bench"),

        .testTarget(name: "FederIndexTests", dependencies: ["FederIndex", "FederTestSupport"]),
        .testTarget(name: "FederSearchTests", dependencies: ["FederSearch", "FederIndex", "FederLayout", "FederTestSupport"]),
        .testTarget(name: "FederLayoutTests", dependencies: ["FederLayout", "FederTestSupport"]),
        .testTarget(name: "FederRenderTests", dependencies: ["FederRender", "FederLayout", "FederTestSupport", "CCairo", "CTurboJPEG"]),
        .testTarget(name: "FederReportTests", dependencies: ["FederReport", "FederTestSupport"]),
        .testTarget(name: "FederReportCLITests", dependencies: ["feder-report", "FederTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
