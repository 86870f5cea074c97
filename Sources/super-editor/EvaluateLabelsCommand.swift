import ArgumentParser
import Foundation
import NN
import SuperEditor

struct EvaluateLabels: CheckedCommand {
    static let configuration = CommandConfiguration(
        commandName: "labels",
        abstract: "Compare the labels `prepare` inferred with the synthetic pairs' true labels (beats matched within 70 ms)."
    )

    @Option(help: "Folder of truth/{id}.json files written by `synth`.")
    var truth: String

    @Option(help: "Cache folder written by `prepare`.")
    var cache: String

    @Option(help: "Beat matching tolerance in seconds.")
    var tolerance: Double = 0.07

    @Flag(help: "Print JSON: beat_accuracy, frame_accuracy, recall, precision, confusion.")
    var json = false

    @OptionGroup var limits: InputLimitOptions

    func execute() throws {
        limits.apply()
        let evaluation: LabelEvaluation
        evaluation = try LabelEvaluation.evaluate(truth: URL(fileURLWithPath: truth), cache: URL(fileURLWithPath: cache),
                                                  tolerance: tolerance)
        if json {
            let data = try JSONSerialization.data(withJSONObject: evaluation.jsonObject(), options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(evaluation.table(), terminator: "")
        }
    }
}
