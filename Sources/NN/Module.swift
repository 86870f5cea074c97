import Tensor

/// A source of randomness shared by the modules of one model (dropout), so that a model's
/// whole random stream comes from one seed and can be saved and restored.
public final class RandomSource {
    public var generator: RandomGenerator
    /// Which rows of the global batch the model's input holds, under data parallelism (nil:
    /// all of it); dropout then draws as for the whole batch (`BatchShard`).
    public var shard: BatchShard?
    public init(seed: UInt64) { generator = RandomGenerator(seed: seed) }
}

/// The base of every layer and model, in the shape of `torch.nn.Module` and mlx-swift's
/// `Module`: named parameters collected from children, and a train/eval switch.
///
/// Subclasses list their own parameters and children under PyTorch's names, so that
/// `namedParameters()` yields keys like `encoder.transformer.layers.0.self_attn.in_proj_weight`.
open class Module {
    public private(set) var training = true

    public init() {}

    /// Parameters held directly by this module, with their local names.
    open func ownParameters() -> [(String, Tensor)] { [] }
    /// Sub-modules with their local names.
    open func children() -> [(String, Module)] { [] }

    /// Every parameter under its dotted path, in registration order.
    public func namedParameters() -> [(String, Tensor)] {
        var out = ownParameters()
        for (name, child) in children() {
            out += child.namedParameters().map { ("\(name).\($0.0)", $0.1) }
        }
        return out
    }

    public func parameters() -> [Tensor] { namedParameters().map(\.1) }

    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.count } }

    /// Switches training behaviour (dropout) on or off for this module and all children.
    public func train(_ on: Bool = true) {
        training = on
        for (_, c) in children() { c.train(on) }
    }

    public func eval() { train(false) }

    /// Stops (or restarts) gradients for every parameter, as `requires_grad_(False)`.
    public func freeze(_ frozen: Bool = true) {
        for p in parameters() { p.requiresGrad = !frozen }
    }

    public func zeroGrad() { for p in parameters() { p.zeroGrad() } }

    /// Copies values from `state` into the parameters. Every parameter must be present with
    /// its shape; extra keys are an error unless `strict` is false.
    public func load(state: [String: Tensor], strict: Bool = true) throws {
        let named = namedParameters()
        for (name, p) in named {
            guard let t = state[name] else { throw ModelStateError.missing(name) }
            guard t.shape == p.shape else { throw ModelStateError.shape(name, expected: p.shape, got: t.shape) }
            p.assign(t)
        }
        if strict {
            let known = Set(named.map(\.0))
            if let extra = state.keys.sorted().first(where: { !known.contains($0) }) { throw ModelStateError.unexpected(extra) }
        }
    }

    public func stateDict() -> [(String, Tensor)] { namedParameters() }
}

public enum ModelStateError: Error, CustomStringConvertible {
    case missing(String)
    case unexpected(String)
    case shape(String, expected: [Int], got: [Int])

    public var description: String {
        switch self {
        case .missing(let n): return "tensor '\(n)' is missing"
        case .unexpected(let n): return "unexpected tensor '\(n)'"
        case .shape(let n, let e, let g): return "tensor '\(n)' has shape \(g), expected \(e)"
        }
    }
}
