import Foundation
import SuperEditor

/// `.npy` bytes through `NPY.decode`, then every accessor a reader calls on the array.
enum NPYTarget {
    static func run(_ data: Data) {
        FuzzTargets.expectInputError(name: "fuzz.npy") {
            let a = try NPY.decode(data, name: "fuzz.npy")
            _ = (a.floats(), a.int64s(), a.scalarValue)
        }
    }
}
