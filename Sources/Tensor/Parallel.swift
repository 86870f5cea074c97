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

/// Runs `body` for every index of `0..<n` on up to `Threading.count` workers, each taking
/// the next index when it finishes one (items of uneven cost balance out), and returns the
/// results in index order. For coarse items such as whole files; kernels use `parallelFor`.
public func parallelMap<T>(_ n: Int, _ body: (Int) -> T) -> [T] {
    guard n > 0 else { return [] }
    let results = UnsafeMutablePointer<T?>.allocate(capacity: n)
    results.initialize(repeating: nil, count: n)
    defer { results.deinitialize(count: n); results.deallocate() }
    let out = SendablePointer(results)
    let lock = NSLock()
    var next = 0
    DispatchQueue.concurrentPerform(iterations: min(Threading.count, n)) { _ in
        while true {
            lock.lock()
            let k = next
            next += 1
            lock.unlock()
            guard k < n else { return }
            out[k] = body(k)
        }
    }
    return (0..<n).map { results[$0]! }
}

/// The sum of `body` over contiguous chunks of `0..<n` (at most `Threading.count`, each of at
/// least `minChunk` items), run in parallel and added in chunk order, so the result depends
/// only on `n`, `minChunk` and the thread count.
@inlinable
public func parallelSum(_ n: Int, minChunk: Int, _ body: (Range<Int>) -> Double) -> Double {
    let chunks = max(1, min(Threading.count, n / max(minChunk, 1)))
    var parts = [Double](repeating: 0, count: chunks)
    parts.withUnsafeMutableBufferPointer { pb in
        let pp = SendablePointer(pb.baseAddress!)
        let per = (n + chunks - 1) / chunks
        parallelFor(chunks) { r in
            for c in r { pp[c] = body((c * per)..<min(n, c * per + per)) }
        }
    }
    return parts.reduce(0, +)
}
