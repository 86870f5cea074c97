import Foundation

/// An elementwise function with its derivative, written as static functions so that the
/// generic kernel below is specialised per op with no closure call per element.
public protocol UnaryKernel {
    static var name: String { get }
    static func forward(_ x: Float, _ p: Float) -> Float
    /// d(output)/d(input) from the input `x`, the output `y` and the op's parameter `p`.
    static func derivative(_ x: Float, _ y: Float, _ p: Float) -> Float
}

public enum AbsKernel: UnaryKernel {
    public static let name = "abs"
    @inline(__always) public static func forward(_ x: Float, _ p: Float) -> Float { Swift.abs(x) }
    @inline(__always) public static func derivative(_ x: Float, _ y: Float, _ p: Float) -> Float { x > 0 ? 1 : (x < 0 ? -1 : 0) }
}
public enum ExpKernel: UnaryKernel {
    public static let name = "exp"
    @inline(__always) public static func forward(_ x: Float, _ p: Float) -> Float { Foundation.exp(x) }
    @inline(__always) public static func derivative(_ x: Float, _ y: Float, _ p: Float) -> Float { y }
}
public enum LogKernel: UnaryKernel {
    public static let name = "log"
    @inline(__always) public static func forward(_ x: Float, _ p: Float) -> Float { Foundation.log(x) }
    @inline(__always) public static func derivative(_ x: Float, _ y: Float, _ p: Float) -> Float { 1 / x }
}
public enum SqrtKernel: UnaryKernel {
    public static let name = "sqrt"
    @inline(__always) public static func forward(_ x: Float, _ p: Float) -> Float { x.squareRoot() }
    @inline(__always) public static func derivative(_ x: Float, _ y: Float, _ p: Float) -> Float { 0.5 / y }
}
public enum PowKernel: UnaryKernel {
    public static let name = "pow"
    @inline(__always) public static func forward(_ x: Float, _ p: Float) -> Float { p == 2 ? x * x : Foundation.pow(x, p) }
    @inline(__always) public static func derivative(_ x: Float, _ y: Float, _ p: Float) -> Float {
        p == 2 ? 2 * x : (p == 1 ? 1 : p * Foundation.pow(x, p - 1))
    }
}
public enum ReLUKernel: UnaryKernel {
    public static let name = "relu"
    @inline(__always) public static func forward(_ x: Float, _ p: Float) -> Float { x > 0 ? x : 0 }
    @inline(__always) public static func derivative(_ x: Float, _ y: Float, _ p: Float) -> Float { x > 0 ? 1 : 0 }
}
/// GELU in its exact (erf) form, as `torch.nn.functional.gelu` by default.
public enum GELUKernel: UnaryKernel {
    public static let name = "gelu"
    @inline(__always) public static func forward(_ x: Float, _ p: Float) -> Float { 0.5 * x * (1 + erff(x * 0.70710678118654752)) }
    @inline(__always) public static func derivative(_ x: Float, _ y: Float, _ p: Float) -> Float {
        0.5 * (1 + erff(x * 0.70710678118654752)) + x * 0.39894228040143268 * Foundation.exp(-0.5 * x * x)
    }
}
public enum ScaleKernel: UnaryKernel {
    public static let name = "scale"
    @inline(__always) public static func forward(_ x: Float, _ p: Float) -> Float { x * p }
    @inline(__always) public static func derivative(_ x: Float, _ y: Float, _ p: Float) -> Float { p }
}
public enum AddScalarKernel: UnaryKernel {
    public static let name = "add_scalar"
    @inline(__always) public static func forward(_ x: Float, _ p: Float) -> Float { x + p }
    @inline(__always) public static func derivative(_ x: Float, _ y: Float, _ p: Float) -> Float { 1 }
}

extension Tensor {
    /// Runs an elementwise kernel forward, and records its backward.
    public func map<K: UnaryKernel>(_ kernel: K.Type, _ parameter: Float = 0) -> Tensor {
        let n = count
        let out = Tensor(uninitialized: shape)
        let x = SendablePointer(data), y = SendablePointer(out.data)
        parallelFor(n, grain: 1 << 14) { r in for i in r { y[i] = K.forward(x[i], parameter) } }
        // The output's values are read through its storage, not the tensor, so that the
        // tensor and its own history do not keep each other alive.
        let outStorage = out.storage
        return out.record(K.name, [self]) { [self] g in
            let dx = Tensor(uninitialized: self.shape)
            let gp = SendablePointer(g.data), d = SendablePointer(dx.data)
            let x = SendablePointer(self.data), y = SendablePointer(outStorage.pointer)
            parallelFor(n, grain: 1 << 14) { r in for i in r { d[i] = gp[i] * K.derivative(x[i], y[i], parameter) } }
            self.accumulateGrad(dx)
        }
    }

    public func abs() -> Tensor { map(AbsKernel.self) }
    public func exp() -> Tensor { map(ExpKernel.self) }
    public func log() -> Tensor { map(LogKernel.self) }
    public func sqrt() -> Tensor { map(SqrtKernel.self) }
    public func pow(_ p: Float) -> Tensor { map(PowKernel.self, p) }
    public func relu() -> Tensor { map(ReLUKernel.self) }
    public func gelu() -> Tensor { map(GELUKernel.self) }

    /// Clamps into [low, high]; the gradient passes only where the input was inside.
    public func clamp(min low: Float = -.infinity, max high: Float = .infinity) -> Tensor {
        let n = count
        let out = Tensor(uninitialized: shape)
        let x = SendablePointer(data), y = SendablePointer(out.data)
        parallelFor(n, grain: 1 << 14) { r in for i in r { y[i] = Swift.min(Swift.max(x[i], low), high) } }
        return out.record("clamp", [self]) { [self] g in
            let dx = Tensor(uninitialized: self.shape)
            let gp = SendablePointer(g.data), d = SendablePointer(dx.data), x = SendablePointer(self.data)
            parallelFor(n, grain: 1 << 14) { r in for i in r { d[i] = (x[i] >= low && x[i] <= high) ? gp[i] : 0 } }
            self.accumulateGrad(dx)
        }
    }

    public static prefix func - (x: Tensor) -> Tensor { x.map(ScaleKernel.self, -1) }
    public static func * (x: Tensor, s: Float) -> Tensor { x.map(ScaleKernel.self, s) }
    public static func * (s: Float, x: Tensor) -> Tensor { x.map(ScaleKernel.self, s) }
    public static func / (x: Tensor, s: Float) -> Tensor { x.map(ScaleKernel.self, 1 / s) }
    public static func + (x: Tensor, s: Float) -> Tensor { x.map(AddScalarKernel.self, s) }
    public static func + (s: Float, x: Tensor) -> Tensor { x.map(AddScalarKernel.self, s) }
    public static func - (x: Tensor, s: Float) -> Tensor { x.map(AddScalarKernel.self, -s) }
    public static func - (s: Float, x: Tensor) -> Tensor { (-x).map(AddScalarKernel.self, s) }
}
