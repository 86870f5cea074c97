// swift-tools-version:6.0
import PackageDescription

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

        .target(name: "Tensor", dependencies: ["COpenBLAS", "CKissFFT"], swiftSettings: fast),
        .target(name: "NN", dependencies: ["Tensor"], swiftSettings: fast),
        .target(name: "AudioDSP", dependencies: ["Tensor", "CKissFFT", "CSndFile", "CSoxr"], swiftSettings: fast),
        .target(name: "SuperEditor",
                dependencies: ["NN", "AudioDSP", "CPNG", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
                resources: [.copy("Pretrained")],
                swiftSettings: fast),
        .executableTarget(name: "super-editor",
                          dependencies: ["SuperEditor", .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        .testTarget(name: "TensorTests", dependencies: ["Tensor"]),
        .testTarget(name: "NNTests", dependencies: ["NN"]),
        .testTarget(name: "AudioDSPTests", dependencies: ["AudioDSP"]),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "SuperEditorTests", dependencies: ["SuperEditor", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["SuperEditor", "super-editor", "TestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
