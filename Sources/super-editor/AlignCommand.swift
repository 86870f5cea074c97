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

    @Flag(help: "Also print what was measured on each beat (played, looped, gain, slope, tilt, shape).")
    var details = false

    var subject: String? { raw }

    func execute() throws {
        let inference = LabelInference()
        let result: LabelInference.Result
        result = try inference.infer(raw: URL(fileURLWithPath: raw), edited: URL(fileURLWithPath: edited)).result
        if json {
            var object: [String: Any] = ["beat_times": result.beatTimes, "labels": result.labels.map(\.rawValue)]
            if details {
                object["measures"] = result.measures.map {
                    ["played": $0.played, "looped": $0.looped, "gain": Double($0.gain), "slope": Double($0.slope),
                     "tilt": Double($0.tilt), "early_tilt": Double($0.earlyTilt), "shape": Double($0.shape)]
                }
            }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print("beat  time(s)  label")
        for (k, t) in result.beatTimes.enumerated() {
            var line = String(format: "%4d  %7.3f  %@", k, t, result.labels[k].name)
            if details {
                let m = result.measures[k]
                line += String(format: "  played %.2f looped %.2f gain %6.1f slope %6.1f tilt %6.1f shape %5.1f",
                               m.played, m.looped, m.gain, m.slope, m.tilt, m.shape)
            }
            print(line)
        }
    }
}
