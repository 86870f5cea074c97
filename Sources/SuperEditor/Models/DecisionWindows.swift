/// How a beat policy decides a track longer than its decision window: in windows of `window`
/// beats that overlap by half, each deciding the beats nearest its centre, so every beat but
/// the track's first and last quarter-window sees at least a quarter window either side.
/// A window sees its stretch as if it were a whole track; a track no longer than `window`
/// (or any track, for a window of 0) is one window.
struct DecisionWindows {
    struct Window { let beats: Range<Int>; let decides: Range<Int> }
    let windows: [Window]

    init(beats nb: Int, window: Int) {
        guard window > 0, nb > window else { windows = [Window(beats: 0..<nb, decides: 0..<nb)]; return }
        let step = max(1, window / 2)
        var starts = Array(stride(from: 0, to: nb - window, by: step))
        starts.append(nb - window)
        var out: [Window] = []
        var from = 0
        for (i, s) in starts.enumerated() {
            let to = i + 1 < starts.count ? (s + starts[i + 1] + window) / 2 : nb
            out.append(Window(beats: s..<(s + window), decides: from..<to))
            from = to
        }
        windows = out
    }
}
