import Foundation
import NN
import Tensor

/// Times a full Phase 1 training step (forward, the guide's total loss, backward, clipping,
/// AdamW) and an inference pass, on the reference `bench`'s shapes, so that the two can be
/// compared number for number.
public enum ModelBench {
    public struct Result: Codable, Sendable {
        public let preset: String
        public let trainStepSeconds: Double
        public let trainFramesPerSecond: Double
        public let inferSeconds: Double
        public let inferFramesPerSecond: Double
        public let params: Int
        public let threads: Int
        public let peakMemoryMB: Double
        public let blasCore: String
        /// Seconds per training step and per inference pass by kind of work (`Profiler.Kind`
        /// names, plus `other` for the rest: the autograd bookkeeping, model glue), measured in
        /// one more step and pass of each after the timed ones.
        public let trainSplit: [String: Double]
        public let inferSplit: [String: Double]

        enum CodingKeys: String, CodingKey {
            case preset, params, threads
            case trainSplit = "train_split_s", inferSplit = "infer_split_s"
            case trainStepSeconds = "train_step_s", trainFramesPerSecond = "train_frames_per_s"
            case inferSeconds = "infer_s", inferFramesPerSecond = "infer_frames_per_s"
            case peakMemoryMB = "peak_memory_mb", blasCore = "blas_core"
        }
    }

    /// `steps` timed training steps after one warm-up step (none when `steps` is 0), then
    /// one warm-up and one timed inference pass.
    public static func run(preset: ModelPreset, steps: Int = 3, seed: UInt64 = 0) -> Result {
        let model = ReconstructionModel(preset.reconstruction, seed: seed)
        let params = ParameterBuffer(model)
        let optimizer = AdamW(params, learningRate: 1e-4)
        let loss = Phase1Loss()
        let b = preset.batchSize, t = preset.sequenceLength, m = preset.reconstruction.nMels
        var rng = RandomGenerator(seed: seed &+ 100)
        let mel = Tensor.uniform([b, t, m], rng: &rng)
        let target = Tensor.uniform([b, t, m], rng: &rng)
        let labels = (0..<(b * t)).map { _ in Int(rng.next() % UInt64(EditLabel.actions.count)) }

        func step() {
            Profiler.measure(.optimizer) { params.zeroGrad() }
            let l = loss(pred: model(mel, labels: labels), target: target, labels: labels)
            l.total.backward()
            Profiler.measure(.optimizer) {
                params.clipGradNorm(1.0)
                optimizer.update()
            }
        }
        var train = 0.0
        if steps > 0 {
            step()
            let start = DispatchTime.now()
            for _ in 0..<steps { step() }
            train = seconds(since: start) / Double(steps)
        }
        let trainSplit = steps > 0 ? split { step() } : [:]

        model.eval()
        _ = noGrad { model(mel, labels: labels) }
        let inferStart = DispatchTime.now()
        _ = noGrad { model(mel, labels: labels) }
        let infer = seconds(since: inferStart)
        let inferSplit = split { _ = noGrad { model(mel, labels: labels) } }
        return Result(preset: preset.name, trainStepSeconds: train, trainFramesPerSecond: train > 0 ? Double(b * t) / train : 0,
                      inferSeconds: infer, inferFramesPerSecond: Double(b * t) / infer, params: params.count,
                      threads: Threading.count, peakMemoryMB: peakMemoryMB(), blasCore: BLAS.coreName,
                      trainSplit: trainSplit, inferSplit: inferSplit)
    }

    /// `body` run once under the profiler: seconds by kind, and `other` for the rest.
    static func split(_ body: () -> Void) -> [String: Double] {
        let start = DispatchTime.now()
        Profiler.begin()
        body()
        let kinds = Profiler.end()
        let total = seconds(since: start)
        var out = Dictionary(uniqueKeysWithValues: kinds.map { ($0.key.name, $0.value) })
        out["other"] = max(0, total - kinds.values.reduce(0, +))
        return out
    }

    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    /// The process's peak resident memory (VmHWM), in MiB.
    public static func peakMemoryMB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
            return kb / 1024
        }
        return 0
    }
}
