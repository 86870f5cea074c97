import AudioDSP
import Foundation
import SuperEditor

/// What the page draws from: a waveform as min/max per column, and the mel as a PNG in the
/// colours of `edit --plot`.
enum StudioPictures {
    /// Min and max of each of `columns` equal slices of `samples`, interleaved (2 × columns values).
    static func peaks(_ samples: [Float], columns: Int = 1200) -> [Float] {
        guard !samples.isEmpty else { return [] }
        let n = min(columns, samples.count)
        var out = [Float](repeating: 0, count: 2 * n)
        samples.withUnsafeBufferPointer { s in
            for c in 0..<n {
                let lo = c * s.count / n, hi = max(lo + 1, (c + 1) * s.count / n)
                var mn = s[lo], mx = s[lo]
                for i in lo..<hi { mn = min(mn, s[i]); mx = max(mx, s[i]) }
                out[2 * c] = mn
                out[2 * c + 1] = mx
            }
        }
        return out
    }

    /// The normalised mel (frames × bands) as a heatmap, at most 2000 pixels wide, 128 high.
    static func mel(_ f: AudioFeatures) -> Raster {
        let w = max(1, min(2000, f.frames)), h = 128
        var img = Raster(width: w, height: h)
        f.mel.withUnsafeBufferPointer { img.heatmap($0.baseAddress!, frames: f.frames, bins: f.nMels, x: 0, y: 0, w: w, h: h) }
        return img
    }

    /// The label colours as CSS, in `EditLabel` order (`Colormap.label`).
    static var palette: StudioPalette {
        StudioPalette(labels: EditLabel.actions.map { l in
            let c = Colormap.label(l.rawValue)
            return StudioPalette.Entry(name: l.name, color: String(format: "#%02x%02x%02x", c.0, c.1, c.2))
        })
    }
}
