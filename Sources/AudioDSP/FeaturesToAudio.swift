import Foundation

extension MelInversion {
    /// Audio from stored features (what `super-editor invert` does): NNLS inversion of the
    /// normalised mel at the features' own sample rate and hop, then Griffin-Lim, with the peak
    /// scaled to 0.9 when `normalisePeak` (the mel is relative to its loudest bin, so the
    /// absolute level is unknown).
    public static func audio(features f: AudioFeatures, iterations: Int = 32,
                             initialisation: GriffinLim.Initialisation = .random(seed: 0),
                             normalisePeak: Bool = true) -> [Float] {
        let inv = MelInversion(sampleRate: f.sampleRate, hop: f.hopLength, nMels: f.nMels, griffinLimIterations: iterations)
        var y = inv.audio(normalisedMel: f.mel, frames: f.frames, dbMin: f.dbMin, dbMax: f.dbMax, initialisation: initialisation)
        if normalisePeak {
            let peak = y.reduce(Float(0)) { max($0, abs($1)) }
            if peak > 0 { let g = 0.9 / peak; for i in 0..<y.count { y[i] *= g } }
        }
        return y
    }
}
