// swift-tools-version:6.0
import PackageDescription
import Foundation

// OpenMPI is optional at build time: with Debian's libopenmpi-dev installed (its multiarch
// include folder /usr/include/<triplet>/mpi) the DataParallel target links it and training
// runs under mpirun; without it the same sources build a single-process binary.
// SUPER_EDITOR_MPI=0 builds without MPI even where it is installed.
let mpiHeader = ["x86_64-linux-gnu", "aarch64-linux-gnu"].map { "/usr/include/\($0)/mpi/mpi.h" }
    .contains { FileManager.default.fileExists(atPath: $0) }
let withMPI = mpiHeader && ProcessInfo.processInfo.environment["SUPER_EDITOR_MPI"] != "0"
let mpiTargets: [Target] = withMPI
    ? [.systemLibrary(name: "CMPI", path: "Sources/CMPI", providers: [.apt(["libopenmpi-dev"])])] : []
let mpiDependency: [Target.Dependency] = withMPI ? ["CMPI"] : []

// Release builds use whole-module optimisation (the default for -c release) and -Ounchecked
// in the numeric targets, whose hot loops already work on unsafe buffers.
let fast: [SwiftSetting] = [.unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release))]

let package = Package(
    name: "SuperEditor",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "super-editor", targets: ["super-editor"]),
        .library(name: "SuperEditor", targets: ["SuperEditor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
    ],
    targets: [
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CKissFFT", path: "Sources/CKissFFT", providers: [.apt(["libkissfft-dev"])]),
        .systemLibrary(name: "CSndFile", path: "Sources/CSndFile", providers: [.apt(["libsndfile1-dev"])]),
        .systemLibrary(name: "CSoxr", path: "Sources/CSoxr", providers: [.apt(["libsoxr-dev"])]),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", providers: [.apt(["libpng-dev"])]),

    ] + mpiTargets + [
        .target(name: "Tensor", dependencies: ["COpenBLAS", "CKissFFT"], swiftSettings: fast),
        .target(name: "NN", dependencies: ["Tensor"], swiftSettings: fast),
        .target(name: "AudioDSP", dependencies: ["Tensor", "CKissFFT", "CSndFile", "CSoxr"], swiftSettings: fast),
        .target(name: "DataParallel", dependencies: ["Tensor"] + mpiDependency, swiftSettings: fast),
        .target(name: "SuperEditor",
                dependencies: ["NN", "AudioDSP", "DataParallel", "CPNG", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
                resources: [.copy("Pretrained")],
                swiftSettings: fast),
        .executableTarget(name: "super-editor",
                          dependencies: ["SuperEditor", "DataParallel", .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        .testTarget(name: "TensorTests", dependencies: ["Tensor"]),
        .testTarget(name: "NNTests", dependencies: ["NN"]),
        .testTarget(name: "AudioDSPTests", dependencies: ["AudioDSP"]),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "SuperEditorTests", dependencies: ["SuperEditor", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["SuperEditor", "super-editor", "TestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
