import Foundation
import Tensor

extension NPYArray {
    /// The values as a float32 tensor of the same shape.
    public func tensor() -> Tensor { Tensor(floats(), shape: shape) }

    /// A float32 array holding a tensor's values.
    public init(_ tensor: Tensor) { self.init(tensor.scalars, shape: tensor.shape) }

    /// The values as integers, for label arrays.
    public func ints() -> [Int] { int64s().map { Int($0) } }
}
