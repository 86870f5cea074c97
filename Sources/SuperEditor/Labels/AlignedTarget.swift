/// The Phase 1 target (DESIGN.md, "Phase 1 target"): for every raw frame, the edited frame
/// the alignment maps it to (its first pass, for looped frames); CUT frames get silence (0).
/// A played frame with no mapping of its own takes the mapping of the nearest frame that has one.
public enum AlignedTarget {
    public static func build(path: JumpAlignment.Path, frameLabels: [EditLabel], editedMel: [Float],
                             editedFrames: Int, dims: Int) -> [Float] {
        let n = path.rawCount
        precondition(frameLabels.count == n && editedMel.count == editedFrames * dims)
        let first = path.firstEditedFrame()
        // Nearest mapped frame, looking both ways (ties go to the earlier one).
        var before = [Int?](repeating: nil, count: n), after = [Int?](repeating: nil, count: n)
        var last: Int? = nil
        for i in 0..<n { if first[i] != nil { last = i }; before[i] = last }
        last = nil
        for i in stride(from: n - 1, through: 0, by: -1) { if first[i] != nil { last = i }; after[i] = last }
        let nearest: [Int?] = (0..<n).map { i in
            switch (before[i], after[i]) {
            case let (b?, a?): return (a - i < i - b) ? first[a] : first[b]
            case let (b?, nil): return first[b]
            case let (nil, a?): return first[a]
            default: return nil
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
