import ArgumentParser
import Foundation
import SuperEditor

struct Align: CheckedCommand {
    static let configuration = CommandConfiguration(
        commandName: "align",
        abstract: "Infer per-beat edit labels from one (raw, edited) pair and print the beats and labels."
    )

    @Argument(help: "The raw audio file.")
    var raw: String

    @Argument(help: "The edited audio file.")
    var edited: String

    @Flag(help: "Print {\"beat_times\": [...], \"labels\": [...]}, one label per beat.")
    var json = false

    @Flag(help: "Also print what was measured on each beat (played, looped, gain, slope, low-pass score, filtered share, fade shares, shape); with --json also the beat frames and the alignment path (the raw frame of every edited frame, and the move that reached it: 0 advance, 1 stay, 2 skip, 3 jump).")
    var details = false

    var subject: String? { raw }

    @OptionGroup var limits: InputLimitOptions

    func execute() throws {
        limits.apply()
        let inference = LabelInference()
        let result: LabelInference.Result
        result = try inference.infer(raw: URL(fileURLWithPath: raw), edited: URL(fileURLWithPath: edited)).result
        if json {
            var object: [String: Any] = ["beat_times": result.beatTimes, "labels": result.labels.map(\.rawValue),
                                         "alignment": ["matched": result.alignment.matched, "median_cost_db": Double(result.alignment.medianCost),
                                                       "jumps": result.alignment.jumps, "explained": inference.explains(result)]]
            if details {
                object["measures"] = result.measures.map {
                    ["played": $0.played, "looped": $0.looped, "gain": Double($0.gain), "slope": Double($0.slope),
                     "low_pass": Double($0.lowPass), "filtered": $0.filtered, "early_filtered": $0.earlyFiltered, "fade_in": $0.fadeIn, "fade_out": $0.fadeOut,
                     "shape": Double($0.shape)]
                }
                object["beat_frames"] = result.beatFrames
                object["path_raw_frame"] = result.path.rawFrame
                object["path_move"] = result.path.move.map { Int($0.rawValue) }
            }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print(inference.alignmentSummary(result))
        print("beat  time(s)  label")
        for (k, t) in result.beatTimes.enumerated() {
            var line = String(format: "%4d  %7.3f  %@", k, t, result.labels[k].name)
            if details {
                let m = result.measures[k]
                line += String(format: "  played %.2f looped %.2f gain %6.1f slope %6.1f low-pass %6.1f filtered %.2f fade in %.2f out %.2f shape %5.1f",
                               m.played, m.looped, m.gain, m.slope, m.lowPass, m.filtered, m.fadeIn, m.fadeOut, m.shape)
            }
            print(line)
        }
    }
}
