import Foundation
import NN

/// Safetensors bytes through `SafeTensors.read`: header length, JSON header, dtypes, shapes, offsets.
enum SafeTensorsTarget {
    static func run(_ data: Data) {
        InputFile.with(data, name: "fuzz.safetensors") { url in
            FuzzTargets.expectInputError(name: url.path) { _ = try SafeTensors.read(url) }
        }
    }
}
