import Foundation

/// A contiguous, row-major float32 tensor on the CPU with reverse-mode autograd.
///
/// A tensor is a shape over a shared `Storage` (with an offset, so that parameters can be
/// views into one flat buffer). Ops that need gradients record a `GradFunction` on their
/// output; `backward()` walks those records in reverse.
public final class Tensor: @unchecked Sendable {
    public internal(set) var shape: [Int]
    public internal(set) var storage: Storage
    public internal(set) var offset: Int
    /// Leaf tensors with this set collect gradients in `grad`.
    public var requiresGrad: Bool
    /// Accumulated gradient, same shape. For parameters this is usually a view into a flat
    /// gradient buffer (see `ParameterBuffer`).
    public var grad: Tensor?
    var gradFunction: GradFunction?

    public var count: Int { shape.reduce(1, *) }
    public var rank: Int { shape.count }
    @inlinable public var data: UnsafeMutablePointer<Float> { storage.pointer + offset }

    public init(storage: Storage, offset: Int = 0, shape: [Int], requiresGrad: Bool = false) {
        precondition(offset + shape.reduce(1, *) <= storage.count, "view past the end of its storage")
        self.storage = storage
        self.offset = offset
        self.shape = shape
        self.requiresGrad = requiresGrad
    }

    /// A new uninitialised tensor.
    public convenience init(uninitialized shape: [Int]) {
        self.init(storage: Storage(uninitializedCount: shape.reduce(1, *)), shape: shape)
    }

    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(storage: Storage(zeros: shape.reduce(1, *)), shape: shape)
        t.requiresGrad = requiresGrad
        return t
    }

    public static func full(_ shape: [Int], _ value: Float) -> Tensor {
        let t = Tensor(uninitialized: shape)
        t.data.initialize(repeating: value, count: t.count)
        return t
    }

    public static func ones(_ shape: [Int]) -> Tensor { full(shape, 1) }

    public convenience init(_ values: [Float], shape: [Int]) {
        precondition(values.count == shape.reduce(1, *), "\(values.count) values for shape \(shape)")
        self.init(uninitialized: shape)
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: values.count) }
    }

    public convenience init(scalar: Float) { self.init([scalar], shape: []) }

    /// Uniform samples in [low, high).
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1, rng: inout RandomGenerator) -> Tensor {
        let t = Tensor(uninitialized: shape)
        for i in 0..<t.count { t.data[i] = low + (high - low) * rng.nextFloat() }
        return t
    }

    public static func randn(_ shape: [Int], std: Float = 1, rng: inout RandomGenerator) -> Tensor {
        let t = Tensor(uninitialized: shape)
        for i in 0..<t.count { t.data[i] = std * rng.nextNormal() }
        return t
    }

    /// Copies the values out.
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }

    public var item: Float {
        precondition(count == 1, "item() of a tensor with \(count) elements")
        return data[0]
    }

    public subscript(flat i: Int) -> Float {
        get { data[i] }
        set { data[i] = newValue }
    }

    /// A copy that shares nothing and records no history.
    public func copy() -> Tensor {
        let t = Tensor(uninitialized: shape)
        t.data.update(from: data, count: count)
        return t
    }

    /// The same values, cut off from the graph.
    public func detached() -> Tensor { Tensor(storage: storage, offset: offset, shape: shape) }

    /// Replaces the values in place (no history). Shapes must hold the same count.
    public func assign(_ other: Tensor) {
        precondition(other.count == count, "assign: \(other.shape) into \(shape)")
        data.update(from: other.data, count: count)
    }

    /// Moves this tensor onto `storage` at `offset`, copying its values there. Used to put
    /// parameters into one flat buffer.
    public func rebind(to storage: Storage, offset: Int) {
        (storage.pointer + offset).update(from: data, count: count)
        self.storage = storage
        self.offset = offset
    }

    public func zeroGrad() {
        if let g = grad { g.data.update(repeating: 0, count: g.count) }
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let n = min(count, 8)
        let head = (0..<n).map { String(format: "%.5g", data[$0]) }.joined(separator: ", ")
        return "Tensor(\(shape), [\(head)\(count > n ? ", …" : "")])"
    }
}

/// Shape helpers.
public enum Shape {
    public static func count(_ s: [Int]) -> Int { s.reduce(1, *) }
    public static func strides(_ s: [Int]) -> [Int] {
        var st = [Int](repeating: 1, count: s.count)
        var acc = 1
        for i in stride(from: s.count - 1, through: 0, by: -1) { st[i] = acc; acc *= s[i] }
        return st
    }
    /// Negative axes count from the end.
    public static func axis(_ a: Int, rank: Int) -> Int {
        let r = a < 0 ? a + rank : a
        precondition(r >= 0 && r < rank, "axis \(a) out of range for rank \(rank)")
        return r
    }
}
