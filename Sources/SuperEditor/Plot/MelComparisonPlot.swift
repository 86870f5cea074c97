import Foundation

/// The Phase 1 picture: raw, target and predicted mel stacked over time, with the labels as a
/// coloured strip above and a legend.
public enum MelComparisonPlot {
    public static func render(title: String, raw: [Float], target: [Float], predicted: [Float],
                              labels: [Int], frames: Int, bins: Int, width: Int = 900) -> Raster {
        let left = 70, panel = 128, gap = 8, strip = 14, top = 26
        let height = top + strip + gap + 3 * (panel + gap) + 24
        var img = Raster(width: left + width + 10, height: height)
        img.text(title, x: left, y: 6)
        img.text("LABELS", x: 4, y: top + 2, scale: 1)
        for px in 0..<width {
            let f = min(frames - 1, px * frames / width)
            img.fill(x: left + px, y: top, w: 1, h: strip, color: Colormap.label(labels[f]))
        }
        var y = top + strip + gap
        for (name, values) in [("RAW", raw), ("TARGET", target), ("PREDICTED", predicted)] {
            img.text(name, x: 4, y: y + panel / 2 - 4, scale: 1)
            values.withUnsafeBufferPointer { img.heatmap($0.baseAddress!, frames: frames, bins: bins, x: left, y: y, w: width, h: panel) }
            y += panel + gap
        }
        var lx = left
        for label in EditLabel.allCases {
            img.fill(x: lx, y: y + 4, w: 10, h: 10, color: Colormap.label(label.rawValue))
            img.text(label.name, x: lx + 14, y: y + 6, scale: 1)
            lx += 14 + 4 * (label.name.count + 2)
        }
        return img
    }
}
