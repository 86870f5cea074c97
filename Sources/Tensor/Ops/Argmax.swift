extension Collection where Element: Comparable {
    /// The index of the largest element; the first one on ties, as `torch.argmax`.
    /// Nil when the collection is empty.
    public var argmax: Index? {
        var best = startIndex
        guard best != endIndex else { return nil }
        var i = index(after: best)
        while i != endIndex {
            if self[i] > self[best] { best = i }
            formIndex(after: &i)
        }
        return best
    }
}

extension Tensor {
    /// Argmax over the last axis, one index per row (first index on ties, as `torch.argmax`).
    public func argmaxLastAxis() -> [Int] {
        let k = shape.last!, rows = count / k
        return (0..<rows).map { r in UnsafeBufferPointer(start: data + r * k, count: k).argmax! }
    }
}
