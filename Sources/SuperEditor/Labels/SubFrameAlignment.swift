import Foundation

/// The raw mel as the edit actually hears it: between two jumps of the alignment path the
/// edit plays the raw from a position that is rarely a whole number of hops, so edited frame
/// j sits a fraction δ of a hop away from the raw frame it is matched with. Comparing the two
/// frames directly leaves a level and shape difference on every frame after a cut that is
/// not on a hop boundary (most real cuts), which reads as a faint fade or a mixed-in sound.
///
/// For every stretch of the path between jumps this finds δ in [−0.5, 0.5] (in steps of
/// `step`) that best explains the edited frames by interpolating the raw frames' power, with
/// the level difference left free (fades and filters do not move it), and returns, for every
/// raw frame, its dB mel interpolated at that fraction.
struct SubFrameAlignment {
    var step: Float = 0.1
    let rawDB: [Float]
    /// The same frames in power, converted once: every interpolation mixes powers.
    let rawPower: [Float]
    let n: Int, dims: Int

    init(rawDB: [Float], frames n: Int, dims: Int) {
        self.rawDB = rawDB
        rawPower = rawDB.map { powf(10, $0 / 10) }
        self.n = n
        self.dims = dims
    }

    /// The raw halfway from each frame to the next, (n, dims) in dB.
    func halfway() -> [Float] {
        var out = rawDB
        var row = [Float](repeating: 0, count: dims)
        for i in 0..<n {
            interpolate(frame: i, fraction: 0.5, into: &row)
            for b in 0..<dims { out[i * dims + b] = row[b] }
        }
        return out
    }

    /// The raw (n, dims) interpolated per raw frame at the fraction found for the stretch
    /// whose edited frame first plays it.
    func interpolatedRaw(editDB: [Float], path: JumpAlignment.Path, floor: Float) -> [Float] {
        let m = path.rawFrame.count
        // Stretches: runs of edited frames between jumps.
        var stretchOf = [Int](repeating: 0, count: m)
        var stretches = 0
        for j in 0..<m {
            if j > 0 && path.move[j] == .jump { stretches += 1 }
            stretchOf[j] = stretches
        }
        stretches += 1
        var members = [[Int]](repeating: [], count: stretches)
        for j in 0..<m where path.move[j] == .advance || j == 0 || path.move[j] == .jump { members[stretchOf[j]].append(j) }

        let fractions = stride(from: -0.5 as Float, through: 0.5 + 1e-6, by: step).map { $0 }
        var delta = [Float](repeating: 0, count: stretches)
        var row = [Float](repeating: 0, count: dims)
        for s in 0..<stretches {
            var best = Float.infinity
            for f in fractions {
                var cost: Float = 0
                for j in members[s] {
                    interpolate(frame: path.rawFrame[j], fraction: f, into: &row)
                    cost += Self.shapeDistance(editDB, j * dims, row, dims: dims, floor: floor)
                }
                if cost < best - 1e-4 || (abs(cost - best) <= 1e-4 && abs(f) < abs(delta[s])) { best = min(best, cost); delta[s] = f }
            }
        }
        var out = rawDB
        var firstStretch = [Int?](repeating: nil, count: n)
        for j in 0..<m where firstStretch[path.rawFrame[j]] == nil { firstStretch[path.rawFrame[j]] = stretchOf[j] }
        for i in 0..<n {
            guard let s = firstStretch[i], delta[s] != 0 else { continue }
            interpolate(frame: i, fraction: delta[s], into: &row)
            for b in 0..<dims { out[i * dims + b] = row[b] }
        }
        return out
    }

    /// Raw frame `frame + fraction`, interpolated in power between the two nearest frames.
    func interpolate(frame i: Int, fraction f: Float, into row: inout [Float]) {
        let other = f >= 0 ? min(n - 1, i + 1) : max(0, i - 1)
        let w = abs(f)
        if w == 0 {
            for k in 0..<dims { row[k] = rawDB[i * dims + k] }
            return
        }
        rawPower.withUnsafeBufferPointer { p in
            let a = p.baseAddress! + i * dims, b = p.baseAddress! + other * dims
            for k in 0..<dims { row[k] = 10 * log10f(max((1 - w) * a[k] + w * b[k], 1e-30)) }
        }
    }

    /// Spread (RMS about the mean) of the band differences where either frame has content:
    /// zero for the same sound at any level.
    static func shapeDistance(_ edit: [Float], _ offset: Int, _ raw: [Float], dims: Int, floor: Float) -> Float {
        var sum: Float = 0, sq: Float = 0, count: Float = 0
        edit.withUnsafeBufferPointer { e in
            for k in 0..<dims where raw[k] > floor || e[offset + k] > floor {
                let d = max(e[offset + k], floor) - max(raw[k], floor)
                sum += d; sq += d * d; count += 1
            }
        }
        guard count > 0 else { return 0 }
        let mean = sum / count
        return max(0, sq / count - mean * mean).squareRoot()
    }
}
