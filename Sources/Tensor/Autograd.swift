/// The record an op leaves on its output: the inputs it read and how to send a gradient
/// back to them.
final class GradFunction {
    let name: String
    let inputs: [Tensor]
    let backward: (Tensor) -> Void
    /// What its backward pass counts as in `Profiler`'s split (nil when not profiling).
    let profiledKind: Profiler.Kind?
    init(_ name: String, _ inputs: [Tensor], _ backward: @escaping (Tensor) -> Void) {
        self.name = name
        self.inputs = inputs
        self.backward = backward
        profiledKind = Profiler.isMeasuring ? Profiler.backwardKind(ofOp: name) : nil
    }
}

/// Whether ops record history. `noGrad` turns it off for a block.
public enum GradMode {
    nonisolated(unsafe) public static var isEnabled = true
}

@discardableResult
public func noGrad<T>(_ body: () throws -> T) rethrows -> T {
    let was = GradMode.isEnabled
    GradMode.isEnabled = false
    defer { GradMode.isEnabled = was }
    return try body()
}

extension Tensor {
    /// True when an op on these inputs must record history.
    static func needsGrad(_ inputs: Tensor...) -> Bool {
        GradMode.isEnabled && inputs.contains { $0.requiresGrad }
    }

    static func needsGrad(_ inputs: [Tensor]) -> Bool {
        GradMode.isEnabled && inputs.contains { $0.requiresGrad }
    }

    /// Attaches history to an op's output when any input needs it.
    @discardableResult
    func record(_ name: String, _ inputs: [Tensor], _ backward: @escaping (Tensor) -> Void) -> Tensor {
        Profiler.lap(op: name)
        if Tensor.needsGrad(inputs) {
            requiresGrad = true
            gradFunction = GradFunction(name, inputs.filter { $0.requiresGrad }, backward)
        }
        return self
    }

    /// The gradient buffer of this tensor, created as zeros on first use. Backward passes add
    /// into it.
    public func gradBuffer() -> UnsafeMutablePointer<Float> {
        if grad == nil { grad = Tensor.zeros(shape) }
        return grad!.data
    }

    /// Adds `g` (same count) into this tensor's gradient. `owned` says that nobody else holds
    /// `g`, so that an intermediate tensor may adopt it instead of copying.
    func accumulateGrad(_ g: Tensor, owned: Bool = true) {
        precondition(g.count == count, "gradient of \(g.shape) for tensor of \(shape)")
        if grad == nil && gradFunction != nil && owned {
            // An intermediate tensor's first gradient can be adopted without a copy.
            grad = Tensor(storage: g.storage, offset: g.offset, shape: shape)
            return
        }
        let dst = gradBuffer()
        let src = g.data
        let n = count
        let d = SendablePointer(dst), s = SendablePointer(src)
        parallelFor(n, grain: 1 << 15) { r in for i in r { d[i] += s[i] } }
    }

    /// Back-propagates from this tensor. A non-scalar needs an explicit `gradient`.
    public func backward(_ gradient: Tensor? = nil) {
        let seed = gradient ?? {
            precondition(count == 1, "backward() without a gradient needs a scalar, got \(shape)")
            return Tensor.ones(shape)
        }()
        // Topological order by depth-first search over the recorded inputs.
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Bool)] = [(self, false)]
        while let (t, expanded) = stack.popLast() {
            if expanded { order.append(t); continue }
            if !visited.insert(ObjectIdentifier(t)).inserted { continue }
            stack.append((t, true))
            if let fn = t.gradFunction {
                for input in fn.inputs where !visited.contains(ObjectIdentifier(input)) {
                    stack.append((input, false))
                }
            }
        }
        accumulateGrad(seed, owned: false)
        for t in order.reversed() {
            guard let fn = t.gradFunction else { continue }
            if let g = t.grad {
                if let kind = fn.profiledKind { Profiler.measure(kind) { fn.backward(g) } } else { fn.backward(g) }
            }
            // Like PyTorch without retain_graph: free the graph and intermediate gradients.
            t.gradFunction = nil
            t.grad = nil
        }
    }
}
