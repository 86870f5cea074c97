import Foundation

/// Wall time by kind of work, for `bench`'s time split. Off unless `begin()` was called, and
/// then it measures only the thread that called it: work that kernels hand to other cores is
/// counted in the kind of the region that handed it out.
///
/// An op's forward pass counts for its kind (`kind(ofOp:)`): the time since the previous op
/// was recorded. Explicit regions (`measure`) nest, each instant counting once, for the
/// innermost; a region opened with `absorbing` (a whole loss) keeps everything inside it, and
/// the backward passes of the ops recorded inside it count for it too. Each op's backward pass
/// is a region of its op's kind.
public enum Profiler {
    public enum Kind: Int, CaseIterable, Sendable {
        case sgemm, attention, softmax, layerNorm, elementwise, stftLoss, copies, optimizer

        public var name: String {
            switch self {
            case .sgemm: "sgemm"
            case .attention: "attention"
            case .softmax: "softmax"
            case .layerNorm: "layer_norm"
            case .elementwise: "elementwise"
            case .stftLoss: "stft_loss"
            case .copies: "copies"
            case .optimizer: "optimizer"
            }
        }
    }

    nonisolated(unsafe) static var enabled = false
    nonisolated(unsafe) static var owner = pthread_self()
    nonisolated(unsafe) static var nanoseconds = [UInt64](repeating: 0, count: Kind.allCases.count)
    nonisolated(unsafe) static var open: [(kind: Kind, since: UInt64, absorbing: Bool)] = []
    nonisolated(unsafe) static var lastLap: UInt64 = 0

    /// Starts measuring on the calling thread, from zero.
    public static func begin() {
        owner = pthread_self()
        nanoseconds = [UInt64](repeating: 0, count: Kind.allCases.count)
        open = []
        lastLap = DispatchTime.now().uptimeNanoseconds
        enabled = true
    }

    /// Stops measuring and returns the seconds spent in each kind since `begin()`.
    public static func end() -> [Kind: Double] {
        enabled = false
        return Dictionary(uniqueKeysWithValues: Kind.allCases.map { ($0, Double(nanoseconds[$0.rawValue]) / 1e9) })
    }

    @inline(__always)
    static var isMeasuring: Bool { enabled && pthread_equal(pthread_self(), owner) != 0 }

    /// The kind of the absorbing region open now, if any: an op recorded inside it sends its
    /// backward time there too.
    static var absorbingKind: Kind? {
        guard isMeasuring, let top = open.last, top.absorbing else { return nil }
        return top.kind
    }

    /// Runs `body`, counting its time as `kind`.
    @inline(__always)
    public static func measure<T>(_ kind: Kind, absorbing: Bool = false, _ body: () throws -> T) rethrows -> T {
        guard isMeasuring else { return try body() }
        if let top = open.last, top.absorbing { return try body() }
        enter(kind, absorbing: absorbing)
        defer { leave() }
        return try body()
    }

    static func enter(_ kind: Kind, absorbing: Bool) {
        let now = DispatchTime.now().uptimeNanoseconds
        if let top = open.last { nanoseconds[top.kind.rawValue] += now - top.since }
        open.append((kind, now, absorbing))
    }

    static func leave() {
        let now = DispatchTime.now().uptimeNanoseconds
        let region = open.removeLast()
        nanoseconds[region.kind.rawValue] += now - region.since
        if !open.isEmpty { open[open.count - 1].since = now }
        lastLap = now
    }

    /// Called as an op records its output: outside any region, the time since the last op
    /// is this op's forward pass.
    @inline(__always)
    static func lap(op name: String) {
        guard isMeasuring, open.isEmpty else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        nanoseconds[kind(ofOp: name).rawValue] += now - lastLap
        lastLap = now
    }

    /// The kind an op's backward pass counts for: the absorbing region it was recorded in, or
    /// its own.
    static func backwardKind(ofOp name: String) -> Kind {
        absorbingKind ?? kind(ofOp: name)
    }

    /// The kind an op's name falls under when nothing more specific encloses it.
    static func kind(ofOp name: String) -> Kind {
        switch name {
        case "linear", "matmul", "conv1d": .sgemm
        case "attention": .attention
        case "softmax", "log_softmax": .softmax
        case "layer_norm": .layerNorm
        case "stft", "complex_abs": .stftLoss
        case "reshape", "permute", "slice", "concat", "gather", "pick": .copies
        default: .elementwise
        }
    }
}
