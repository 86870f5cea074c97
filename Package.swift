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

// SUPER_EDITOR_FUZZ=1 adds the libFuzzer driver over the FuzzTargets library (`make fuzz`
// builds it with -sanitize=fuzzer,address); ordinary builds never see it.
let withFuzzer = ProcessInfo.processInfo.environment["SUPER_EDITOR_FUZZ"] == "1"
let fuzzProducts: [Product] = withFuzzer ? [.executable(name: "super-editor-fuzz", targets: ["super-editor-fuzz"])] : []
let fuzzTargets: [Target] = withFuzzer ? [.executableTarget(name: "super-editor-fuzz", dependencies: ["FuzzTargets"])] : []

// Release builds use whole-module optimisation (the default for -c release) and -Ounchecked
// in the numeric targets, whose hot loops already work on unsafe buffers.
// On x86-64 they are also compiled for Haswell (AVX2 and FMA, every x86 server and desktop
// processor since 2013-2015), so that those loops vectorise eight floats wide instead of SSE's
// four; SUPER_EDITOR_TARGET_CPU names another target (`x86-64` for the oldest processors).
#if arch(x86_64)
let targetCPU = ProcessInfo.processInfo.environment["SUPER_EDITOR_TARGET_CPU"] ?? "haswell"
let cpuFlags = ["-target-cpu", targetCPU]
#else
let cpuFlags: [String] = []
#endif
// Debug builds (`swift test`) optimise these targets too, with Swift's bounds and overflow
// checks kept (-O, not -Ounchecked): the tests train and edit real models, which unoptimised
// numeric loops make ten to twenty times slower. Neither setting changes a result: Swift does
// not contract or reorder float arithmetic at any level.
let fast: [SwiftSetting] = [.unsafeFlags(["-Ounchecked", "-wmo"] + cpuFlags, .when(configuration: .release)),
                            .unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "SuperEditor",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "super-editor", targets: ["super-editor"]),
        .library(name: "SuperEditor", targets: ["SuperEditor"]),
    ] + fuzzProducts,
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
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
                          dependencies: ["SuperEditor", "DataParallel", "Studio", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        // `super-editor studio`: the local web page that auditions, corrects and exports an edit.
        .target(name: "Studio", dependencies: ["SuperEditor", "AudioDSP", .product(name: "Hummingbird", package: "hummingbird")]),
        .target(name: "FuzzTargets", dependencies: ["SuperEditor", "NN", "AudioDSP", "Tensor"]),

        .testTarget(name: "TensorTests", dependencies: ["Tensor"]),
        .testTarget(name: "NNTests", dependencies: ["NN"]),
        .testTarget(name: "AudioDSPTests", dependencies: ["AudioDSP", "TestSupport"]),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "SuperEditorTests", dependencies: ["SuperEditor", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["SuperEditor", "super-editor", "TestSupport"]),
        .testTarget(name: "StudioTests", dependencies: ["Studio", "SuperEditor", "TestSupport"]),
        .testTarget(name: "FuzzRegressionTests", dependencies: ["FuzzTargets"]),
    ] + fuzzTargets,
    swiftLanguageModes: [.v5]
)
