/// The Phase 1 target (DESIGN.md, "Phase 1 target"): for every raw frame, the edited frame
/// the alignment maps it to (its first pass, for looped frames); CUT frames get silence (0).
/// A played frame with no mapping of its own takes the mapping of the nearest frame that has one.
public enum AlignedTarget {
    public static func build(path: JumpAlignment.Path, frameLabels: [EditLabel], editedMel: [Float],
                             editedFrames: Int, dims: Int) -> [Float] {
        let n = path.rawCount
        precondition(frameLabels.count == n && editedMel.count == editedFrames * dims)
        let first = path.firstEditedFrame()
        // Nearest mapped frame, looking both ways.
        var nearest = [Int?](repeating: nil, count: n)
        var last: (raw: Int, edited: Int)? = nil
        for i in 0..<n {
            if let j = first[i] { last = (i, j) }
            nearest[i] = last.map { $0.edited }
        }
        var next: (raw: Int, edited: Int)? = nil
        for i in stride(from: n - 1, through: 0, by: -1) {
            if let j = first[i] { next = (i, j) }
            guard first[i] == nil, let after = next else { continue }
            if let before = (0..<i).reversed().first(where: { first[$0] != nil }) {
                if after.raw - i < i - before { nearest[i] = after.edited }
            } else {
                nearest[i] = after.edited
            }
        }
        var out = [Float](repeating: 0, count: n * dims)
        out.withUnsafeMutableBufferPointer { ob in
            editedMel.withUnsafeBufferPointer { eb in
                for i in 0..<n where frameLabels[i] != .cut {
                    guard let j = nearest[i] else { continue }
                    (ob.baseAddress! + i * dims).update(from: eb.baseAddress! + j * dims, count: dims)
                }
            }
        }
        return out
    }
}
