import Foundation
import NN
import SuperEditor
import Tensor
import TestSupport
import XCTest

/// What the trainers refuse before any rank trains (the MPI runs themselves are CLITests'
/// DataParallelTests).
final class DataParallelTrainerTests: XCTestCase {
    /// A world of `size` ranks seen from rank 0, for the checks made before any sum.
    final class Ranks: Collective {
        let size: Int
        init(_ size: Int) { self.size = size }
        var rank: Int { 0 }
        func sum(_ values: UnsafeMutablePointer<Float>, count: Int) { XCTFail("no sum expected") }
        func sum(_ values: UnsafeMutablePointer<Double>, count: Int) { XCTFail("no sum expected") }
        func abort(_ message: String, code: Int32) -> Never { fatalError(message) }
        func finish() {}
        func barrier() {}
        var communicationSeconds: Double { 0 }
    }

    func reconstruction() -> ReconstructionModel {
        ReconstructionModel(ReconstructionConfig(encoderDim: 16, nEncoderLayers: 1, nDecoderLayers: 1, nHeads: 2, dropout: 0), seed: 1)
    }

    func testTheFramePolicyTrainsOnOneProcessOnly() throws {
        let ds = try PairedMelDataset(cache: try ToyCache.make(pairs: 4, frames: 40))
        var c = Phase2Config.cpuDefault
        c.architecture = .frame
        XCTAssertThrowsError(try PolicyTraining.trainer(config: c, dataset: ds, reconstruction: reconstruction(),
                                                        out: makeTemporaryFolder(prefix: "se-dp-"), collective: Ranks(2))) {
            XCTAssertTrue("\($0)".contains("frame-level policy"), "\($0)")
        }
    }

    func testEveryRankNeedsARowOfEveryBatch() throws {
        let ds = try PairedMelDataset(cache: try ToyCache.make(pairs: 4, frames: 40))
        var p1 = Phase1Config.preset("tiny")!
        p1.batchSize = 2
        XCTAssertThrowsError(try Phase1Trainer(config: p1, dataset: ds, out: makeTemporaryFolder(prefix: "se-dp-"), collective: Ranks(3))) {
            XCTAssertTrue("\($0)".contains("smaller than the 3 ranks"), "\($0)")
        }
        var p2 = Phase2Config.cpuDefault
        p2.batchSize = 5; p2.minibatchSize = 4; p2.warmStartBatchSize = 4
        XCTAssertThrowsError(try BeatPolicyTrainer(config: p2, dataset: ds, reconstruction: reconstruction(),
                                                   out: makeTemporaryFolder(prefix: "se-dp-"), collective: Ranks(2))) {
            XCTAssertTrue("\($0)".contains("the last minibatch holds 1 tracks"), "\($0)")
        }
    }
}
