extension Tensor {
    /// Mean of consecutive rows: out[s] = mean of rows `segments[s]` of a (N, D) table, shaped
    /// `segmentShape + [D]`; an empty segment gives a zero row. The pooling of frames into
    /// beats (and of beats into a track's summary tokens). The gradient of each output row is
    /// spread evenly over its segment's rows.
    public func segmentMean(_ segments: [Range<Int>], segmentShape: [Int]) -> Tensor {
        precondition(rank == 2, "segmentMean needs a (N, D) table, got \(shape)")
        precondition(segments.count == Shape.count(segmentShape), "\(segments.count) segments for shape \(segmentShape)")
        let n = shape[0], d = shape[1]
        for s in segments { precondition(s.lowerBound >= 0 && s.upperBound <= n, "segment \(s) out of range 0..<\(n)") }
        let out = Tensor.zeros(segmentShape + [d])
        let src = SendablePointer(data), dst = SendablePointer(out.data)
        segments.withUnsafeBufferPointer { sb in
            let seg = SendablePointer(UnsafeMutablePointer(mutating: sb.baseAddress!))
            parallelFor(segments.count, grain: max(1, 16384 / max(d, 1))) { range in
                for s in range {
                    let r = seg[s]
                    guard !r.isEmpty else { continue }
                    let o = dst.p + s * d
                    for row in r { let x = src.p + row * d; for j in 0..<d { o[j] += x[j] } }
                    let scale = 1 / Float(r.count)
                    for j in 0..<d { o[j] *= scale }
                }
            }
        }
        return out.record("segment_mean", [self]) { [self] g in
            let dx = self.gradBuffer()
            for (s, r) in segments.enumerated() where !r.isEmpty {
                let gs = g.data + s * d, scale = 1 / Float(r.count)
                for row in r { let x = dx + row * d; for j in 0..<d { x[j] += gs[j] * scale } }
            }
        }
    }
}
