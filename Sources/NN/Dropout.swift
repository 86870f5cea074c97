import Tensor

/// `nn.Dropout`: active only in training mode; the mask comes from the model's random source.
public final class Dropout: Module {
    public let p: Float
    let random: RandomSource

    public init(_ p: Float, random: RandomSource) {
        self.p = p
        self.random = random
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        training && p > 0 ? x.dropout(p, rng: &random.generator, shard: random.shard) : x
    }
}
