import Foundation
import XCTest
import NN
import Tensor
@testable import SuperEditor

final class ReconstructionInferenceTests: XCTestCase {
    func model(trainedFrames: Int?) -> ReconstructionModel {
        ReconstructionModel(ReconstructionConfig(nMels: 16, encoderDim: 16, nEncoderLayers: 1, nDecoderLayers: 1, nHeads: 2,
                                                 dropout: 0.1, trainedFrames: trainedFrames), seed: 4)
    }

    func inputs() -> (Tensor, [Int]) {
        var rng = RandomGenerator(seed: 11)
        let mel = Tensor.uniform([2, 20, 16], low: 0, high: 1, rng: &rng)
        // Row 0 is 20 frames long, row 1 is 13 with PAD after.
        let labels = (0..<40).map { i in i >= 33 ? EditLabel.pad.rawValue : i % 7 }
        return (mel, labels)
    }

    func testLongSequencesRunInWindowsOfTheTrainingLength() {
        let m = model(trainedFrames: 8)
        let (mel, labels) = inputs()
        let out = m.infer(mel, labels: labels)
        XCTAssertEqual(out.shape, [2, 20, 16])
        for (row, length) in [(0, 20), (1, 13)] {
            for start in stride(from: 0, to: length, by: 8) {
                let end = min(length, start + 8)
                let alone = noGrad {
                    m(mel.slice(axis: 0, row..<(row + 1)).slice(axis: 1, start..<end),
                      labels: Array(labels[(row * 20 + start)..<(row * 20 + end)])).clamp(min: 0, max: 1)
                }
                for f in 0..<(end - start) {
                    for j in 0..<16 {
                        XCTAssertEqual(out.data[(row * 20 + start + f) * 16 + j], alone.data[f * 16 + j], accuracy: 1e-5)
                    }
                }
            }
        }
        for i in (13 * 16)..<(20 * 16) { XCTAssertEqual(out.data[20 * 16 + i], 0, "frames past the end are 0") }
        XCTAssertFalse(m.training, "inference switches to eval mode, so dropout is off")
        XCTAssertEqual(m.infer(mel, labels: labels).scalars, out.scalars, "deterministic")
    }

    func testShortSequencesAndUnknownLengthRunWhole() {
        let (mel, labels) = inputs()
        for m in [model(trainedFrames: nil), model(trainedFrames: 20)] {
            let whole = noGrad { m.eval(); return m(mel, labels: labels) }
            XCTAssertEqual(m.infer(mel, labels: labels, clamp: false).scalars, whole.scalars)
            XCTAssertEqual(m.infer(mel, labels: labels).scalars, whole.clamp(min: 0, max: 1).scalars)
        }
    }

    func testTrainedFramesTravelInTheCheckpointAndReferenceConfigsStillLoad() throws {
        var c = Phase1Config.preset("tiny")!
        c.maxSeqLen = 96
        XCTAssertEqual(c.model.trainedFrames, 96)
        let json = String(decoding: try JSONEncoder().encode(c.model), as: UTF8.self)
        XCTAssertTrue(json.contains("\"trained_frames\":96"), json)
        let reference = try JSONDecoder().decode(ReconstructionConfig.self, from: Data(#"{"encoder_dim":64,"n_heads":4}"#.utf8))
        XCTAssertNil(reference.trainedFrames)
    }
}
