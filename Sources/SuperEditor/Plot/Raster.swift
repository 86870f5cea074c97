import Tensor
import CPNG
import Foundation
import NN

/// An RGB image in memory, with the few drawing operations the plots need, written as PNG
/// through libpng.
public struct Raster {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, background: (UInt8, UInt8, UInt8) = (255, 255, 255)) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        fill(x: 0, y: 0, w: width, h: height, color: background)
    }

    public mutating func set(_ x: Int, _ y: Int, _ c: (UInt8, UInt8, UInt8)) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = (y * width + x) * 3
        pixels[i] = c.0; pixels[i + 1] = c.1; pixels[i + 2] = c.2
    }

    public mutating func fill(x: Int, y: Int, w: Int, h: Int, color: (UInt8, UInt8, UInt8)) {
        for yy in max(0, y)..<min(height, y + h) { for xx in max(0, x)..<min(width, x + w) { set(xx, yy, color) } }
    }

    /// A (frames × bins) matrix in [0, 1] as a heatmap, time to the right and bin 0 at the
    /// bottom, resampled to `w × h` pixels.
    public mutating func heatmap(_ values: UnsafePointer<Float>, frames: Int, bins: Int, x: Int, y: Int, w: Int, h: Int) {
        guard frames > 0, bins > 0 else { return }
        for px in 0..<w {
            let f = min(frames - 1, px * frames / w)
            for py in 0..<h {
                let b = min(bins - 1, (h - 1 - py) * bins / h)
                set(x + px, y + py, Colormap.magma(values[f * bins + b]))
            }
        }
    }

    /// Text in a 3×5 pixel font scaled by `scale`; lower case is drawn as upper case.
    public mutating func text(_ s: String, x: Int, y: Int, scale: Int = 2, color: (UInt8, UInt8, UInt8) = (0, 0, 0)) {
        var cx = x
        for ch in s.uppercased() {
            if let rows = PixelFont.glyphs[ch] {
                for (ry, row) in rows.enumerated() {
                    for (rx, bit) in row.enumerated() where bit == "#" {
                        fill(x: cx + rx * scale, y: y + ry * scale, w: scale, h: scale, color: color)
                    }
                }
            }
            cx += 4 * scale
        }
    }

    /// Writes the image as an 8-bit RGB PNG, atomically.
    public func writePNG(to url: URL) throws {
        let tmp = AtomicFile.temporaryURL(beside: url)
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = UInt32(PNG_FORMAT_RGB)
        let ok = pixels.withUnsafeBufferPointer { buf in
            png_image_write_to_file(&image, tmp.path, 0, buf.baseAddress, Int32(width * 3), nil)
        }
        png_image_free(&image)
        guard ok != 0 else {
            try? FileManager.default.removeItem(at: tmp)
            throw InputError(url.path, "cannot write PNG")
        }
        try AtomicFile.commit(tmp, to: url)
    }
}

public enum Colormap {
    /// An approximation of matplotlib's magma, from five anchors.
    public static func magma(_ v: Float) -> (UInt8, UInt8, UInt8) {
        let anchors: [(Float, Float, Float)] = [(0, 0, 4), (81, 18, 124), (183, 55, 121), (252, 137, 97), (252, 253, 191)]
        let t = min(max(v.isFinite ? v : 0, 0), 1) * Float(anchors.count - 1)
        let i = min(Int(t), anchors.count - 2), f = t - Float(i)
        let a = anchors[i], b = anchors[i + 1]
        return (UInt8(a.0 + (b.0 - a.0) * f), UInt8(a.1 + (b.1 - a.1) * f), UInt8(a.2 + (b.2 - a.2) * f))
    }

    /// One colour per edit label.
    public static func label(_ l: Int) -> (UInt8, UInt8, UInt8) {
        let c: [(UInt8, UInt8, UInt8)] = [(214, 39, 40), (44, 160, 44), (31, 119, 180), (255, 187, 120),
                                          (255, 127, 14), (148, 103, 189), (23, 190, 207), (200, 200, 200)]
        return c[max(0, min(c.count - 1, l))]
    }
}

/// A 3×5 bitmap font: enough for titles, label names and numbers.
enum PixelFont {
    static let glyphs: [Character: [String]] = {
        let table: [(Character, String)] = [
            ("A", ".#.#.#####.##.#"),
            ("B", "##.#.###.#.###."),
            ("C", ".###..#..#...##"),
            ("D", "##.#.##.##.###."),
            ("E", "####..##.#..###"),
            ("F", "####..##.#..#.."),
            ("G", ".###..#.##.#.##"),
            ("H", "#.##.#####.##.#"),
            ("I", "###.#..#..#.###"),
            ("J", "..#..#..##.#.#."),
            ("K", "#.##.###.#.##.#"),
            ("L", "#..#..#..#..###"),
            ("M", "#.########.##.#"),
            ("N", "##.#.##.##.##.#"),
            ("O", ".#.#.##.##.#.#."),
            ("P", "##.#.###.#..#.."),
            ("Q", ".#.#.##.###..##"),
            ("R", "##.#.###.#.##.#"),
            ("S", ".###...#...###."),
            ("T", "###.#..#..#..#."),
            ("U", "#.##.##.##.####"),
            ("V", "#.##.##.##.#.#."),
            ("W", "#.##.########.#"),
            ("X", "#.##.#.#.#.##.#"),
            ("Y", "#.##.#.#..#..#."),
            ("Z", "###..#.#.#..###"),
            ("0", "####.##.##.####"),
            ("1", ".#.##..#..#.###"),
            ("2", "##...#.#.#..###"),
            ("3", "##...#.#...###."),
            ("4", "#.##.####..#..#"),
            ("5", "####..##...###."),
            ("6", ".###..####.####"),
            ("7", "###..#.#..#..#."),
            ("8", "####.#####.####"),
            ("9", "####.####..###."),
            (".", ".............#."),
            ("-", "......###......"),
            ("_", "............###"),
            (":", "....#.....#...."),
            ("/", "..#..#.#.#..#.."),
            ("%", "#.#..#.#.#..#.#"),
            ("=", "...###...###..."),
            ("(", ".#.#..#..#...#."),
            (")", ".#...#..#..#.#."),
            (",", "..........#.#.."),
            ("<", "..#.#.#...#...#"),
            (">", "#...#...#.#.#.."),
            ("+", "....#.###.#...."),
        ]
        var g: [Character: [String]] = [" ": ["...", "...", "...", "...", "..."]]
        for (c, bits) in table {
            let b = Array(bits.padding(toLength: 15, withPad: ".", startingAt: 0))
            g[c] = (0..<5).map { String(b[($0 * 3)..<($0 * 3 + 3)]) }
        }
        return g
    }()
}
