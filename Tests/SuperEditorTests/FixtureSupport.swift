import Foundation
import TestSupport
import Tensor
@testable import SuperEditor

/// Where committed fixtures live, found from this file's path.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")
    static func model(_ name: String) -> URL { root.appendingPathComponent("model").appendingPathComponent(name) }
}

/// ‖a − b‖ / ‖b‖ over all elements (finite ones only when `finiteOnly`).
func relativeError(_ a: [Float], _ b: [Float], finiteOnly: Bool = false) -> Double {
    precondition(a.count == b.count, "\(a.count) vs \(b.count) values")
    var num = 0.0, den = 0.0
    for (x, y) in zip(a, b) {
        if finiteOnly && !(x.isFinite && y.isFinite) { continue }
        num += Double(x - y) * Double(x - y)
        den += Double(y) * Double(y)
    }
    return (num / max(den, 1e-30)).squareRoot()
}

func temporaryDirectory() -> URL {
    makeTemporaryFolder(prefix: "se-test-")
}

