import Foundation

/// How sharply each frame's waveform jumps against its surroundings: the natural log of the
/// largest sample-to-sample step in the frame's hop-long block over the RMS of the steps in
/// the five blocks around it. A 1.5 ms click adds little energy to a 2048-sample mel frame,
/// so the mel often does not show it; its first step stands far above the music's (the beat
/// policy's click feature, `BeatFeatures`). Frames line up with the STFT's (`center=True`):
/// frame f's block is the hop samples centred on sample f·hop. Silence gives 0.
public enum TransientCrest {
    /// Blocks each side that the RMS is taken over.
    public static let context = 2
    /// Steps below this (−80 dB of full scale) count as silence.
    static let floor: Double = 1e-4

    public static func frames(_ y: [Float], hop: Int, frames: Int) -> [Float] {
        guard frames > 0, hop > 0 else { return [] }
        var peak = [Double](repeating: 0, count: frames), energy = [Double](repeating: 0, count: frames)
        y.withUnsafeBufferPointer { yb in
            let n = yb.count
            for f in 0..<frames {
                let lo = max(1, f * hop - hop / 2), hi = min(n, f * hop - hop / 2 + hop)
                guard lo < hi else { continue }
                var p = 0.0, e = 0.0
                for i in lo..<hi {
                    let d = Double(yb[i] - yb[i - 1])
                    p = max(p, abs(d))
                    e += d * d
                }
                peak[f] = p
                energy[f] = e / Double(hop)
            }
        }
        var out = [Float](repeating: 0, count: frames)
        for f in 0..<frames {
            let lo = max(0, f - context), hi = min(frames - 1, f + context)
            var e = 0.0
            for g in lo...hi { e += energy[g] }
            let rms = (e / Double(hi - lo + 1)).squareRoot()
            out[f] = Float(log((peak[f] + floor) / (rms + floor)))
        }
        return out
    }
}
