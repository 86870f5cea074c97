import Foundation
import SuperEditor

/// The training config JSON through both phases' `load`, and what a run derives from it
/// before it has a dataset (Phase 1's `validate` needs one, so it is not called here).
enum ConfigTarget {
    static func run(_ data: Data) {
        InputFile.with(data, name: "fuzz-config.json") { url in
            FuzzTargets.expectInputError(name: url.path) { _ = try Phase1Config.load(url).model }
            FuzzTargets.expectInputError(name: url.path) { _ = try Phase2Config.load(url).model }
        }
    }
}
