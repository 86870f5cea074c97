import Tensor
import XCTest

/// A batch split over ranks must be dropped and summed exactly as the whole batch.
final class BatchShardTests: XCTestCase {
    func testSplitCoversTheBatchOnce() {
        for total in 1...9 {
            for size in 1...min(total, 4) {
                let shards = (0..<size).map { BatchShard.split(total, rank: $0, size: size) }
                XCTAssertEqual(shards.map(\.rows).reduce(0, +), total)
                XCTAssertEqual(shards.first?.offset, 0)
                for (a, b) in zip(shards, shards.dropFirst()) { XCTAssertEqual(a.range.upperBound, b.offset) }
                XCTAssertLessThanOrEqual((shards.map(\.rows).max() ?? 0) - (shards.map(\.rows).min() ?? 0), 1)
            }
        }
    }

    func testShardedDropoutIsTheWholeBatchsMaskAndStream() {
        var init_ = RandomGenerator(seed: 1)
        let whole = Tensor.uniform([5, 3, 4], rng: &init_)
        var r = RandomGenerator(seed: 9)
        let expected = whole.dropout(0.4, rng: &r).scalars
        for size in 2...3 {
            var got: [Float] = []
            var last = RandomGenerator(seed: 0)
            for rank in 0..<size {
                let shard = BatchShard.split(5, rank: rank, size: size)
                let part = Tensor(Array(whole.scalars[(shard.offset * 12)..<(shard.range.upperBound * 12)]), shape: [shard.rows, 3, 4])
                var g = RandomGenerator(seed: 9)
                got += part.dropout(0.4, rng: &g, shard: shard).scalars
                last = g
            }
            XCTAssertEqual(got, expected, "\(size) ranks")
            XCTAssertEqual(last.next(), { var c = r; return c.next() }(), "the stream ends where the whole batch's does")
        }
    }

    func testShardedAttentionDropoutIsTheWholeBatchs() {
        var init_ = RandomGenerator(seed: 2)
        let whole = Tensor.uniform([4, 5, 12], rng: &init_)
        var r = RandomGenerator(seed: 7)
        let expected = noGrad { whole.multiHeadAttention(heads: 2, dropout: 0.3, rng: &r) }.scalars
        var got: [Float] = []
        for rank in 0..<2 {
            let shard = BatchShard.split(4, rank: rank, size: 2)
            let part = Tensor(Array(whole.scalars[(shard.offset * 60)..<(shard.range.upperBound * 60)]), shape: [shard.rows, 5, 12])
            var g = RandomGenerator(seed: 7)
            got += noGrad { part.multiHeadAttention(heads: 2, dropout: 0.3, rng: &g, shard: shard) }.scalars
        }
        XCTAssertEqual(got, expected)
    }

    func testSummedOverOneProcessIsTheValue() {
        let x = Tensor([1, 2, 3], shape: [3])
        x.requiresGrad = true
        let s = x.sum().summed(over: SingleProcess())
        s.backward()
        XCTAssertEqual(s.item, 6)
        XCTAssertEqual(x.grad?.scalars, [1, 1, 1])
    }
}
