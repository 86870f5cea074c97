import Foundation

/// A reference-counted float32 buffer. Tensors are views over one; reshape shares it.
///
/// Buffers come from `BufferPool`, so the many same-sized temporaries of a training step
/// are recycled between steps instead of going back to malloc.
public final class Storage: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int
    private let pooled: Bool

    /// Uninitialised storage of `count` floats.
    public init(uninitializedCount count: Int) {
        self.count = count
        self.pointer = BufferPool.shared.take(count)
        self.pooled = true
    }

    public convenience init(zeros count: Int) {
        self.init(uninitializedCount: count)
        pointer.initialize(repeating: 0, count: count)
    }

    deinit {
        if pooled { BufferPool.shared.give(pointer, count: count) }
    }
}

/// Recycles float buffers by exact size. Bounded, so a change of shapes cannot grow it forever.
public final class BufferPool: @unchecked Sendable {
    public static let shared = BufferPool()
    private var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
    private var pooledFloats = 0
    private let lock = NSLock()
    /// At most this many floats wait in the pool (8 GiB). The pool only ever holds buffers
    /// that were live at once, so this bounds a pathological change of shapes, not normal use.
    public var capacity = 2048 << 20

    /// Sizes are rounded up to classes 1/8 of a power of two apart, so that tensors whose
    /// shapes vary a little from step to step (sequence lengths) still reuse buffers.
    static func sizeClass(_ count: Int) -> Int {
        let n = max(count, 1)
        if n <= 1024 { return n }
        let step = 1 << (Int.bitWidth - n.leadingZeroBitCount - 4)
        return (n + step - 1) / step * step
    }

    func take(_ count: Int) -> UnsafeMutablePointer<Float> {
        let n = BufferPool.sizeClass(count)
        lock.lock()
        if var list = free[n], let p = list.popLast() {
            free[n] = list
            pooledFloats -= n
            lock.unlock()
            return p
        }
        lock.unlock()
        return UnsafeMutablePointer<Float>.allocate(capacity: n)
    }

    func give(_ p: UnsafeMutablePointer<Float>, count: Int) {
        let n = BufferPool.sizeClass(count)
        lock.lock()
        if pooledFloats + n <= capacity {
            free[n, default: []].append(p)
            pooledFloats += n
            lock.unlock()
        } else {
            lock.unlock()
            p.deallocate()
        }
    }

    /// Returns every pooled buffer to the system.
    public func drain() {
        lock.lock()
        for (_, list) in free { for p in list { p.deallocate() } }
        free = [:]
        pooledFloats = 0
        lock.unlock()
    }
}
