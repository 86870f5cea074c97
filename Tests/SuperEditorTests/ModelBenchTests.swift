import XCTest
@testable import SuperEditor

final class ModelBenchTests: XCTestCase {
    /// `bench --json` keeps the reference bench's keys and adds the time split of a training
    /// step and of an inference pass.
    func testBenchReportsTheTimeSplit() throws {
        let r = ModelBench.run(preset: ModelPreset.named("tiny")!, steps: 1)
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(r)) as! [String: Any]
        for key in ["preset", "train_step_s", "train_frames_per_s", "infer_s", "infer_frames_per_s", "params", "threads",
                    "train_split_s", "infer_split_s"] {
            XCTAssertNotNil(json[key], key)
        }
        let kinds = ["sgemm", "attention", "softmax", "layer_norm", "elementwise", "stft_loss", "copies", "optimizer", "other"]
        XCTAssertEqual(Set(r.trainSplit.keys), Set(kinds))
        XCTAssertEqual(Set(r.inferSplit.keys), Set(kinds))
        for kind in ["sgemm", "attention", "layer_norm", "stft_loss", "optimizer"] { XCTAssertGreaterThan(r.trainSplit[kind]!, 0, kind) }
        // Inference has no loss and no optimiser step.
        XCTAssertEqual(r.inferSplit["stft_loss"], 0)
        XCTAssertEqual(r.inferSplit["optimizer"], 0)
        XCTAssertGreaterThan(r.inferSplit["sgemm"]!, 0)
    }
}
