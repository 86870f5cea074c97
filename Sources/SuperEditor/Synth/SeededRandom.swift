/// SplitMix64: a small, fast generator whose whole state is one integer, so a track's
/// randomness depends only on its seed (never on thread scheduling or the platform).
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for item `index` of a run seeded with `seed`: items can be made in any
    /// order, in parallel, and each still gets the same numbers.
    public init(seed: UInt64, index: Int) {
        var mixer = SeededRandom(seed: seed ^ (0x9E37_79B9_7F4A_7C15 &* UInt64(truncatingIfNeeded: index + 1)))
        state = mixer.next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
    public mutating func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * unit() }
    /// Uniform integer in lo...hi.
    public mutating func int(_ lo: Int, _ hi: Int) -> Int { lo + Int(next() % UInt64(hi - lo + 1)) }
    public mutating func chance(_ p: Double) -> Bool { unit() < p }
    /// Uniform in [-1, 1), as white noise.
    public mutating func noise() -> Float { Float(unit() * 2 - 1) }
    public mutating func pick<T>(_ items: [T]) -> T { items[int(0, items.count - 1)] }
}
