import Dispatch
import Tensor

/// All trainable parameters of a module in one contiguous buffer, with their gradients in a
/// second (as llm.c does). Each parameter and its `grad` become views into these, so zeroing,
/// norms, clipping and the optimiser step are single loops.
public final class ParameterBuffer {
    public let named: [(String, Tensor)]
    public let values: Storage
    public let grads: Storage
    public var count: Int { values.count }

    /// Binds the module's parameters that require gradients (frozen ones are left out).
    public init(_ module: Module) {
        named = module.namedParameters().filter { $0.1.requiresGrad }
        let total = named.reduce(0) { $0 + $1.1.count }
        values = Storage(uninitializedCount: total)
        grads = Storage(zeros: total)
        var offset = 0
        for (_, p) in named {
            p.rebind(to: values, offset: offset)
            p.grad = Tensor(storage: grads, offset: offset, shape: p.shape)
            offset += p.count
        }
    }

    public func zeroGrad() { grads.pointer.update(repeating: 0, count: count) }

    /// Sums the gradients over the ranks of `group`: one allreduce of the flat buffer. Each
    /// rank's loss is the whole batch's (its sums go through `Tensor.summed(over:)`), so the
    /// sum of the ranks' gradients is the gradient of the whole batch, with no scaling.
    ///
    /// The ranks first meet at a barrier, so that `allreduceSeconds` (the sum's own time) and
    /// `waitSeconds` (for the slowest rank's backward pass) are told apart.
    public func sumGradients(over group: Collective) {
        guard group.size > 1 else { return }
        let t0 = DispatchTime.now().uptimeNanoseconds
        group.barrier()
        let t1 = DispatchTime.now().uptimeNanoseconds
        group.sum(grads.pointer, count: count)
        let t2 = DispatchTime.now().uptimeNanoseconds
        waitSeconds += Double(t1 - t0) * 1e-9
        allreduceSeconds += Double(t2 - t1) * 1e-9
        allreduceCount += 1
    }

    /// Seconds spent in `sumGradients`' allreduce, and waiting at its barrier, so far.
    public private(set) var allreduceSeconds = 0.0
    public private(set) var waitSeconds = 0.0
    public private(set) var allreduceCount = 0

    /// The global L2 norm of all gradients.
    public func gradNorm() -> Float {
        let g = SendablePointer(grads.pointer)
        let total = parallelSum(count, minChunk: 65536) { range in
            var acc = SIMD8<Float>()
            let lo = range.lowerBound, hi = range.upperBound
            var i = lo
            var s: Double = 0
            // Flushed to double every 8192 items, so long chunks keep float's precision.
            while i + 8 <= hi {
                let v = UnsafeRawPointer(g.p + i).loadUnaligned(as: SIMD8<Float>.self)
                acc += v * v
                i += 8
                if (i - lo) % 8192 == 0 { s += Double(acc.sum()); acc = SIMD8<Float>() }
            }
            s += Double(acc.sum())
            while i < hi { s += Double(g[i] * g[i]); i += 1 }
            return s
        }
        return Float(total.squareRoot())
    }

    /// Scales gradients so that their global norm is at most `maxNorm`, as
    /// `torch.nn.utils.clip_grad_norm_`. Returns the norm before clipping.
    @discardableResult
    public func clipGradNorm(_ maxNorm: Float) -> Float {
        let norm = gradNorm()
        let coef = maxNorm / (norm + 1e-6)
        if coef < 1 {
            let g = SendablePointer(grads.pointer)
            parallelFor(count, grain: 1 << 15) { r in for i in r { g[i] *= coef } }
        }
        return norm
    }
}
