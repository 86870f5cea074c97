/// Compares an op's analytic gradient with central finite differences.
///
/// The scalar under test is Σ f(x) · w with fixed random weights `w`, accumulated in double
/// precision so that float32 rounding in the sum does not swamp the difference quotient.
public enum GradientCheck {
    public struct Result: CustomStringConvertible {
        /// Largest |analytic - numeric| / max(1, |numeric|) over all checked elements.
        public let maxError: Double
        public let worst: String
        public var description: String { "max error \(maxError) at \(worst)" }
    }

    public static func run(_ inputs: [Tensor], eps: Float = 1e-2, seed: UInt64 = 7,
                           maxElements: Int = 64, _ f: ([Tensor]) -> Tensor) -> Result {
        for x in inputs { x.requiresGrad = true; x.grad = nil }
        var rng = RandomGenerator(seed: seed)
        let probe = f(inputs)
        let weights = Tensor.uniform(probe.shape, low: -1, high: 1, rng: &rng)
        func objective() -> Double {
            let y = noGrad { f(inputs) }
            var s: Double = 0
            for i in 0..<y.count { s += Double(y.data[i]) * Double(weights.data[i]) }
            return s
        }
        (probe * weights.detached()).sum().backward()
        var maxError = 0.0
        var worst = ""
        for (k, x) in inputs.enumerated() {
            let analytic = x.grad?.scalars ?? [Float](repeating: 0, count: x.count)
            let step = max(1, x.count / maxElements)
            for i in stride(from: 0, to: x.count, by: step) {
                let old = x.data[i]
                x.data[i] = old + eps
                let up = objective()
                x.data[i] = old - eps
                let down = objective()
                x.data[i] = old
                let numeric = (up - down) / (2 * Double(eps))
                let err = Swift.abs(Double(analytic[i]) - numeric) / max(1, Swift.abs(numeric))
                if err > maxError { maxError = err; worst = "input \(k)[\(i)]: analytic \(analytic[i]), numeric \(numeric)" }
            }
        }
        return Result(maxError: maxError, worst: worst)
    }
}
