import Foundation
import XCTest
import Tensor
@testable import NN

final class ModuleTests: XCTestCase {
    func testTransformerParameterNamesMatchPyTorch() {
        var rng = RandomGenerator(seed: 1)
        let enc = TransformerEncoder(dim: 8, heads: 2, layers: 2, dropout: 0.1, random: RandomSource(seed: 2), rng: &rng)
        let names = enc.namedParameters().map(\.0)
        XCTAssertEqual(Array(names.prefix(12)), [
            "layers.0.self_attn.in_proj_weight", "layers.0.self_attn.in_proj_bias",
            "layers.0.self_attn.out_proj.weight", "layers.0.self_attn.out_proj.bias",
            "layers.0.linear1.weight", "layers.0.linear1.bias", "layers.0.linear2.weight", "layers.0.linear2.bias",
            "layers.0.norm1.weight", "layers.0.norm1.bias", "layers.0.norm2.weight", "layers.0.norm2.bias",
        ])
        XCTAssertEqual(names.count, 24)
        XCTAssertEqual(enc.layers[0].selfAttn.inProjWeight.shape, [24, 8])
        XCTAssertEqual(enc.layers[0].linear1.weight.shape, [32, 8])
    }

    func testTrainEvalSwitchesDropout() {
        var rng = RandomGenerator(seed: 1)
        let layer = TransformerEncoderLayer(dim: 8, heads: 2, feedForward: 32, dropout: 0.5, random: RandomSource(seed: 3), rng: &rng)
        let x = Tensor.randn([1, 6, 8], rng: &rng)
        layer.eval()
        let a = noGrad { layer(x) }.scalars, b = noGrad { layer(x) }.scalars
        XCTAssertEqual(a, b, "eval is deterministic")
        layer.train()
        XCTAssertNotEqual(noGrad { layer(x) }.scalars, a, "training applies dropout")
        XCTAssertTrue(layer.training && layer.norm1.training)
    }

    func testFreezeStopsGradients() {
        var rng = RandomGenerator(seed: 1)
        let lin = Linear(3, 2, rng: &rng)
        lin.freeze()
        let x = Tensor.randn([4, 3], rng: &rng); x.requiresGrad = true
        lin(x).sum().backward()
        XCTAssertNil(lin.weight.grad)
        XCTAssertNotNil(x.grad)
        XCTAssertEqual(ParameterBuffer(lin).count, 0)
    }

    func testParameterBufferIsOneContiguousBlock() {
        var rng = RandomGenerator(seed: 1)
        let lin = Linear(3, 2, rng: &rng)
        let before = lin.weight.scalars
        let buf = ParameterBuffer(lin)
        XCTAssertEqual(buf.count, 8)
        XCTAssertEqual(lin.weight.scalars, before, "values survive the move")
        XCTAssertTrue(lin.weight.storage === buf.values && lin.bias!.storage === buf.values)
        XCTAssertEqual(lin.bias!.offset, 6)
        let x = Tensor.randn([4, 3], rng: &rng)
        lin(x).sum().backward()
        XCTAssertEqual(lin.bias!.grad!.scalars, [4, 4])
        XCTAssertEqual(buf.grads.pointer[6], 4)
    }

    func testSafeTensorsRoundTripAndErrors() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("st-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent("m.safetensors")
        let a = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3]), s = Tensor(scalar: 0.5)
        try SafeTensors.write([("a", a), ("alpha", s)], metadata: ["kind": "test", "step": "3"], to: url)
        let f = try SafeTensors.read(url)
        XCTAssertEqual(f.tensors["a"]!.scalars, a.scalars)
        XCTAssertEqual(f.tensors["a"]!.shape, [2, 3])
        XCTAssertEqual(f.tensors["alpha"]!.shape, [])
        XCTAssertEqual(f.metadata, ["kind": "test", "step": "3"])
        XCTAssertEqual(f.order, ["a", "alpha"])
        // Header length is a multiple of 8 after the 8-byte prefix.
        let bytes = try Data(contentsOf: url)
        let n = bytes.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        XCTAssertEqual(Int(n) % 8, 0)

        let cut = dir.appendingPathComponent("cut.safetensors")
        try bytes.prefix(bytes.count - 4).write(to: cut)
        XCTAssertThrowsError(try SafeTensors.read(cut)) { XCTAssertTrue("\($0)".contains("truncated"), "\($0)") }
        try Data("not safetensors at all".utf8).write(to: cut)
        XCTAssertThrowsError(try SafeTensors.read(cut)) { XCTAssertTrue("\($0)".hasPrefix(cut.path), "\($0)") }
        XCTAssertThrowsError(try SafeTensors.read(dir.appendingPathComponent("missing.safetensors"))) {
            XCTAssertTrue("\($0)".contains("no such file"))
        }
    }

    func testLoadStateChecksNamesAndShapes() {
        var rng = RandomGenerator(seed: 1)
        let lin = Linear(3, 2, rng: &rng)
        XCTAssertThrowsError(try lin.load(state: ["weight": Tensor.zeros([2, 3])]))
        XCTAssertThrowsError(try lin.load(state: ["weight": Tensor.zeros([3, 2]), "bias": Tensor.zeros([2])]))
        XCTAssertNoThrow(try lin.load(state: ["weight": Tensor.ones([2, 3]), "bias": Tensor.zeros([2])]))
        XCTAssertEqual(lin.weight.scalars, [1, 1, 1, 1, 1, 1])
    }

    func testSinusoidalEncoding() {
        let pe = PositionalEncoding.sinusoidal(length: 3, dim: 4)
        XCTAssertEqual(pe.data[0], 0); XCTAssertEqual(pe.data[1], 1)
        XCTAssertEqual(pe.data[4], Float(sin(1.0)), accuracy: 1e-6)
        XCTAssertEqual(pe.data[6], Float(sin(0.01)), accuracy: 1e-6)
        XCTAssertEqual(pe.data[7], Float(cos(0.01)), accuracy: 1e-6)
    }
}
