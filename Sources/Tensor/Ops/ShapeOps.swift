extension Tensor {
    /// Same values, new shape (one dimension may be -1). Shares storage.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var s = newShape
        if let i = s.firstIndex(of: -1) {
            let known = s.enumerated().filter { $0.offset != i }.map(\.element).reduce(1, *)
            s[i] = count / max(known, 1)
        }
        precondition(Shape.count(s) == count, "cannot reshape \(shape) to \(newShape)")
        let out = Tensor(storage: storage, offset: offset, shape: s)
        return out.record("reshape", [self]) { [self] g in
            self.accumulateGrad(Tensor(storage: g.storage, offset: g.offset, shape: self.shape), owned: false)
        }
    }

    public func unsqueezed(_ axis: Int) -> Tensor {
        var s = shape
        s.insert(1, at: axis < 0 ? axis + rank + 1 : axis)
        return reshaped(s)
    }

    public func squeezed(_ axis: Int) -> Tensor {
        var s = shape
        let a = Shape.axis(axis, rank: rank)
        precondition(s[a] == 1, "squeeze of axis \(axis) with size \(s[a])")
        s.remove(at: a)
        return reshaped(s)
    }

    /// Copies `src` laid out with `shape`/`srcStrides` into contiguous `dst`.
    static func gatherStrided(_ src: UnsafeMutablePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
                              shape: [Int], srcStrides: [Int], accumulate: Bool) {
        let r = shape.count
        let n = Shape.count(shape)
        if n == 0 { return }
        if r == 0 { if accumulate { dst[0] += src[0] } else { dst[0] = src[0] }; return }
        // Outer dims walked by counter; the last dim as an inner loop.
        let inner = shape[r - 1], innerStride = srcStrides[r - 1]
        let outer = n / inner
        let outerShape = Array(shape[0..<(r - 1)])
        let ostrides = Shape.strides(outerShape)
        let s = SendablePointer(src), d = SendablePointer(dst)
        parallelFor(outer, grain: max(1, 4096 / max(inner, 1))) { range in
            for o in range {
                var rem = o, base = 0
                for k in 0..<(r - 1) { let i = rem / ostrides[k]; rem -= i * ostrides[k]; base += i * srcStrides[k] }
                let dp = o * inner
                if accumulate { for j in 0..<inner { d[dp + j] += s[base + j * innerStride] } }
                else { for j in 0..<inner { d[dp + j] = s[base + j * innerStride] } }
            }
        }
    }

    /// Reorders the axes (a copy), as `torch.permute`.
    public func permuted(_ axes: [Int]) -> Tensor {
        precondition(axes.count == rank && Set(axes) == Set(0..<rank), "bad permutation \(axes) for rank \(rank)")
        let st = Shape.strides(shape)
        let outShape = axes.map { shape[$0] }
        let out = Tensor(uninitialized: outShape)
        Tensor.gatherStrided(data, out.data, shape: outShape, srcStrides: axes.map { st[$0] }, accumulate: false)
        return out.record("permute", [self]) { [self] g in
            var inverse = [Int](repeating: 0, count: axes.count)
            for (i, a) in axes.enumerated() { inverse[a] = i }
            let gs = Shape.strides(outShape)
            let dx = Tensor(uninitialized: self.shape)
            Tensor.gatherStrided(g.data, dx.data, shape: self.shape, srcStrides: inverse.map { gs[$0] }, accumulate: false)
            self.accumulateGrad(dx)
        }
    }

    public func transposed(_ a: Int, _ b: Int) -> Tensor {
        var axes = Array(0..<rank)
        axes.swapAt(Shape.axis(a, rank: rank), Shape.axis(b, rank: rank))
        return permuted(axes)
    }

    /// Elements `range` along `axis` (a copy).
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        let ax = Shape.axis(axis, rank: rank)
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[ax], "slice \(range) of axis size \(shape[ax])")
        var outShape = shape
        outShape[ax] = range.count
        let inner = shape[(ax + 1)...].reduce(1, *)
        let outer = shape[..<ax].reduce(1, *)
        let out = Tensor(uninitialized: outShape)
        let rowIn = shape[ax] * inner, rowOut = range.count * inner, start = range.lowerBound * inner
        for o in 0..<outer { (out.data + o * rowOut).update(from: data + o * rowIn + start, count: rowOut) }
        return out.record("slice", [self]) { [self] g in
            let dx = Tensor.zeros(self.shape)
            for o in 0..<outer { (dx.data + o * rowIn + start).update(from: g.data + o * rowOut, count: rowOut) }
            self.accumulateGrad(dx)
        }
    }

    /// Joins tensors along `axis`; all other dimensions must agree.
    public static func concat(_ parts: [Tensor], axis: Int) -> Tensor {
        precondition(!parts.isEmpty, "concat of nothing")
        let r = parts[0].rank
        let ax = Shape.axis(axis, rank: r)
        var outShape = parts[0].shape
        outShape[ax] = parts.map { $0.shape[ax] }.reduce(0, +)
        for p in parts {
            precondition(p.rank == r && (0..<r).allSatisfy { $0 == ax || p.shape[$0] == outShape[$0] },
                         "concat of \(p.shape) with \(parts[0].shape) along \(axis)")
        }
        let inner = outShape[(ax + 1)...].reduce(1, *)
        let outer = outShape[..<ax].reduce(1, *)
        let rowOut = outShape[ax] * inner
        let out = Tensor(uninitialized: outShape)
        var starts: [Int] = []
        var start = 0
        for p in parts {
            starts.append(start)
            let rowIn = p.shape[ax] * inner
            let src = SendablePointer(p.data), dst = SendablePointer(out.data), s0 = start
            parallelFor(outer, grain: 64) { rr in
                for o in rr { (dst.p + o * rowOut + s0).update(from: src.p + o * rowIn, count: rowIn) }
            }
            start += rowIn
        }
        return out.record("concat", parts) { g in
            for (p, s0) in zip(parts, starts) where p.requiresGrad {
                let rowIn = p.shape[ax] * inner
                let dx = Tensor(uninitialized: p.shape)
                let src = SendablePointer(g.data), dst = SendablePointer(dx.data)
                parallelFor(outer, grain: 64) { rr in
                    for o in rr { (dst.p + o * rowIn).update(from: src.p + o * rowOut + s0, count: rowIn) }
                }
                p.accumulateGrad(dx)
            }
        }
    }

    /// Rows of this (V, D) table picked by `indices`: the result has shape `indexShape + [D]`.
    /// This is `nn.Embedding`'s lookup.
    public func gatherRows(_ indices: [Int], indexShape: [Int]) -> Tensor {
        precondition(rank == 2, "gatherRows needs a (V, D) table, got \(shape)")
        precondition(indices.count == Shape.count(indexShape), "\(indices.count) indices for shape \(indexShape)")
        let v = shape[0], d = shape[1]
        for i in indices { precondition(i >= 0 && i < v, "index \(i) out of range 0..<\(v)") }
        let out = Tensor(uninitialized: indexShape + [d])
        for (row, i) in indices.enumerated() { (out.data + row * d).update(from: data + i * d, count: d) }
        return out.record("gather", [self]) { [self] g in
            let dx = self.gradBuffer()
            for (row, i) in indices.enumerated() {
                let src = g.data + row * d, dst = dx + i * d
                for j in 0..<d { dst[j] += src[j] }
            }
        }
    }

    /// Sets elements to `value` where `mask` is true. The mask covers the trailing
    /// `mask.count` elements and repeats over the leading ones (or covers all of them).
    public func maskedFill(_ mask: [Bool], value: Float) -> Tensor {
        precondition(count % mask.count == 0, "mask of \(mask.count) does not tile \(shape)")
        let m = mask.count
        let out = copy()
        for base in stride(from: 0, to: count, by: m) { for j in 0..<m where mask[j] { out.data[base + j] = value } }
        return out.record("masked_fill", [self]) { [self] g in
            let dx = g.copy()
            for base in stride(from: 0, to: count, by: m) { for j in 0..<m where mask[j] { dx.data[base + j] = 0 } }
            self.accumulateGrad(dx)
        }
    }
}

extension Tensor {
    /// One element per row along the last axis: out[r] = self[r, index[r]], shape without the
    /// last axis. The gradient goes back to the picked elements only.
    public func pick(_ index: [Int]) -> Tensor {
        let k = shape.last!, rows = count / k
        precondition(index.count == rows, "pick: \(index.count) indices for \(rows) rows")
        let out = Tensor(uninitialized: Array(shape.dropLast()))
        for r in 0..<rows {
            precondition(index[r] >= 0 && index[r] < k, "pick: index \(index[r]) out of 0..<\(k)")
            out.data[r] = data[r * k + index[r]]
        }
        return out.record("pick", [self]) { [self] g in
            let dx = Tensor.zeros(self.shape)
            for r in 0..<rows { dx.data[r * k + index[r]] = g.data[r] }
            self.accumulateGrad(dx)
        }
    }
}
