import Foundation
import SuperEditor

/// The labels JSON `reconstruct --labels` reads, through `EditExports.readJSON`.
enum LabelsTarget {
    static func run(_ data: Data) {
        InputFile.with(data, name: "fuzz-labels.json") { url in
            FuzzTargets.expectInputError(name: url.path) { _ = try EditExports.readJSON(url) }
        }
    }
}
