import Foundation

/// How many cores the numeric kernels split their work over.
public enum Threading {
    /// Defaults to `OPENBLAS_NUM_THREADS` when set, else the number of active cores.
    nonisolated(unsafe) public static var count: Int = {
        if let s = ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"], let n = Int(s), n > 0 { return n }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()
}

/// A raw pointer that may cross into `concurrentPerform` workers. Each worker writes a
/// disjoint range, which is what makes this safe.
public struct SendablePointer<T>: @unchecked Sendable {
    public let p: UnsafeMutablePointer<T>
    public init(_ p: UnsafeMutablePointer<T>) { self.p = p }
    @inlinable public subscript(i: Int) -> T {
        get { p[i] }
        nonmutating set { p[i] = newValue }
    }
}

/// Splits `0..<n` into at most `Threading.count` contiguous chunks of at least `grain`
/// items and runs them in parallel. The split depends only on `n`, `grain` and the thread
/// count, so results are deterministic.
@inlinable
public func parallelFor(_ n: Int, grain: Int = 1, _ body: (Range<Int>) -> Void) {
    if n <= 0 { return }
    let chunks = min(Threading.count, max(1, n / max(grain, 1)))
    if chunks <= 1 { body(0..<n); return }
    let per = (n + chunks - 1) / chunks
    DispatchQueue.concurrentPerform(iterations: chunks) { c in
        let lo = c * per, hi = min(n, lo + per)
        if lo < hi { body(lo..<hi) }
    }
}
