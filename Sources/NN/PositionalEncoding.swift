import Foundation
import Tensor

/// The sinusoidal positional encoding of "Attention is all you need": (T, d) with
/// sin on even and cos on odd channels, exactly as the reference's `sinusoidal`.
public enum PositionalEncoding {
    public static func sinusoidal(length t: Int, dim d: Int) -> Tensor {
        let pe = Tensor.zeros([t, d])
        for i in stride(from: 0, to: d, by: 2) {
            // Computed in float32 like torch: exp(i * (-ln(10000)/d)).
            let div = Foundation.exp(Float(i) * (-Foundation.log(Float(10000)) / Float(d)))
            for pos in 0..<t {
                let a = Float(pos) * div
                pe.data[pos * d + i] = Foundation.sin(a)
                if i + 1 < d { pe.data[pos * d + i + 1] = Foundation.cos(a) }
            }
        }
        return pe
    }
}
