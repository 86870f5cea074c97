import AudioDSP
import XCTest

/// DTW paths against librosa.sequence.dtw on the fixtures.
final class DTWTests: XCTestCase {
    /// The fixtures store librosa's (dims, frames) layout; our API is frame-major.
    func frameMajor(_ a: [Float], dims: Int, frames: Int) -> [Float] {
        var out = [Float](repeating: 0, count: a.count)
        for d in 0..<dims { for t in 0..<frames { out[t * dims + d] = a[d * frames + t] } }
        return out
    }

    func expectedPath(_ key: String) -> [DTW.Point] {
        let dtw = DSPFixtures.index["dtw"] as! [String: Any]
        return (dtw[key] as! [[Int]]).map { DTW.Point($0[0], $0[1]) }
    }

    func testPathsMatchLibrosa() throws {
        let f = DSPFixtures.index["dtw"] as! [String: Any]
        let dims = f["dims"] as! Int
        let nX = f["X_frames"] as! Int, nY = f["Y_frames"] as! Int, nQ = f["Q_frames"] as! Int
        let X = frameMajor(DSPFixtures.floats(f["X"] as! String), dims: dims, frames: nX)
        let Y = frameMajor(DSPFixtures.floats(f["Y"] as! String), dims: dims, frames: nY)
        let Q = frameMajor(DSPFixtures.floats(f["Q"] as! String), dims: dims, frames: nQ)

        for metric in DTW.Metric.allCases {
            let r = try DTW.align(X, n: nX, Y, m: nY, dims: dims, metric: metric)
            XCTAssertEqual(r.path, expectedPath("path_\(metric.rawValue)"), metric.rawValue)
            XCTAssertEqual(r.cost, f["cost_\(metric.rawValue)"] as! Double, accuracy: 1e-6 * max(1, r.cost))
        }
        let qx = try DTW.align(Q, n: nQ, X, m: nX, dims: dims, subsequence: true)
        XCTAssertEqual(qx.path, expectedPath("path_subseq_QX"))
        let xq = try DTW.align(X, n: nX, Q, m: nQ, dims: dims, subsequence: true)
        XCTAssertEqual(xq.path, expectedPath("path_subseq_XQ"))
    }

    func testIdentityPathIsDiagonal() throws {
        let x: [Float] = (0..<20).map { Float($0 % 7) }
        let r = try DTW.align(x, n: 20, x, m: 20, dims: 1)
        XCTAssertEqual(r.path, (0..<20).reversed().map { DTW.Point($0, $0) })
        XCTAssertEqual(r.cost, 0)
    }

    func testCosineWithZeroFrameThrows() {
        let x: [Float] = [0, 0, 1, 1]
        XCTAssertThrowsError(try DTW.align(x, n: 2, x, m: 2, dims: 2, metric: .cosine))
    }
}
