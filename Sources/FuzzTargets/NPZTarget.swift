import Foundation
import SuperEditor

/// `.npz` bytes through `NPZ.read` (ZIPFoundation, then `NPY.decode` per member), and through
/// `CacheLayout.readFeatures`, which reads a features archive as `predict --mel` and training do.
enum NPZTarget {
    static func run(_ data: Data) {
        InputFile.with(data, name: "fuzz.npz") { url in
            FuzzTargets.expectInputError(name: url.path) {
                for (_, a) in try NPZ.read(url) { _ = (a.floats(), a.int64s()) }
            }
            FuzzTargets.expectInputError(name: url.path) { _ = try CacheLayout.readFeatures(url) }
        }
    }
}
