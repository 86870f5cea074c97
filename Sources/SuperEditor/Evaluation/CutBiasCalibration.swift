import Foundation
import NN

/// Chooses a policy's CUT bias (`PredictorConfig.cutBias`) on pairs with known defects.
///
/// A policy's own decisions sit at one point of the trade between defect beats treated and
/// clean beats kept; a bias added to CUT's log-probability moves along it
/// (`CleanupEvaluation`). The calibration evaluates the policy once on `folder` (pairs with
/// truth, as `style-pairs --style cleanup` writes them, of music it was not trained on) at
/// every bias of `grid`, and keeps the largest bias up to which the pairs keep at least
/// `cleanKept` of their clean beats: the most defects found for the clean beats one accepts
/// to lose.
public struct CutBiasCalibration: Codable, Sendable {
    public struct Point: Codable, Sendable {
        public var cutBias: Double
        public var defectsTreated: Double
        public var cleanKept: Double
        enum CodingKeys: String, CodingKey { case cutBias = "cut_bias", defectsTreated = "defects_treated", cleanKept = "clean_kept" }
    }

    /// The bias chosen.
    public var cutBias: Double
    /// The least share of clean beats kept it allows.
    public var cleanKeptTarget: Double
    /// The pairs it was chosen on: their folder's name, count and beats.
    public var data: String
    public var pairs: Int
    public var defectBeats: Int
    public var cleanBeats: Int
    /// Every bias tried, in order.
    public var sweep: [Point]

    enum CodingKeys: String, CodingKey {
        case cutBias = "cut_bias", cleanKeptTarget = "clean_kept_target", data, pairs
        case defectBeats = "defect_beats", cleanBeats = "clean_beats", sweep
    }

    /// 0 to 6 nats in steps of a quarter (e⁶ ≈ 400 times the odds of CUT).
    public static let grid = (0...24).map { Double($0) / 4 }

    public static func calibrate(folder: URL, policy: any PolicyModel, cleanKept target: Double,
                                 grid: [Double] = grid, progress: ((Int, Int) -> Void)? = nil) throws -> CutBiasCalibration {
        precondition(!grid.isEmpty && grid == grid.sorted(), "an ascending grid of biases")
        precondition(target > 0 && target <= 1, "a share of clean beats")
        let reports = try CleanupEvaluation.evaluate(folder: folder, policy: policy, cutBiases: grid, progress: progress)
        let sweep = reports.map { Point(cutBias: $0.cutBias, defectsTreated: $0.treatedShare, cleanKept: $0.keptShare) }
        var chosen = grid[0]
        for p in sweep {
            guard p.cleanKept >= target else { break }
            chosen = p.cutBias
        }
        return CutBiasCalibration(cutBias: chosen, cleanKeptTarget: target, data: folder.lastPathComponent, pairs: reports[0].pairs,
                                  defectBeats: reports[0].defectBeats, cleanBeats: reports[0].cleanBeats, sweep: sweep)
    }

    /// The point of the sweep at the chosen bias.
    public var chosen: Point { sweep.first { $0.cutBias == cutBias } ?? sweep[0] }

    /// Writes `checkpoint` again to `out` with the chosen bias in its config and this
    /// calibration in its metadata (`calibration`); the weights and every other entry unchanged.
    public func write(checkpoint: URL, to out: URL) throws {
        let (file, config) = try Checkpoint.open(checkpoint, kind: .policy, config: PredictorConfig.self)
        var calibrated = config
        calibrated.cutBias = cutBias
        var metadata = file.metadata
        metadata["config"] = TrainingRun.json(calibrated)
        metadata["calibration"] = TrainingRun.json(self)
        try SafeTensors.write(file.order.map { ($0, file.tensors[$0]!) }, metadata: metadata, to: out)
    }

    /// The sweep as a person reads it, the chosen bias marked.
    public func table() -> String {
        var lines = [String(format: "%d pairs (%@), %d defect and %d clean beats; keep at least %.1f%% of clean beats",
                            pairs, data, defectBeats, cleanBeats, 100 * cleanKeptTarget),
                     "CUT bias  defects treated  clean kept"]
        for p in sweep {
            lines.append(String(format: "%8.2f  %14.1f%%  %9.1f%%%@", p.cutBias, 100 * p.defectsTreated, 100 * p.cleanKept,
                                p.cutBias == cutBias ? "  <- chosen" : ""))
        }
        return lines.joined(separator: "\n")
    }
}
