import Foundation
import Tensor

/// One function per parser that takes the fuzzer's bytes, feeds them to the parser and accepts
/// any one-line `InputError` naming the input: a thrown error is the correct answer to bad
/// bytes. Anything else (a trap, another error type, an error naming some other file) stops
/// the process, which is what libFuzzer and the regression tests look for.
public enum FuzzTargets {
    /// Every target by the name `make fuzz`, the fuzz executable and the seed folders use.
    public static let all: [String: (Data) -> Void] = [
        "npy": NPYTarget.run,
        "npz": NPZTarget.run,
        "safetensors": SafeTensorsTarget.run,
        "labels": LabelsTarget.run,
        "config": ConfigTarget.run,
        "audio": AudioTarget.run,
    ]

    /// Runs `parse` and stops the process on any outcome other than a value or an `InputError` about `name`.
    static func expectInputError(name: String, _ parse: () throws -> Void) {
        do {
            try parse()
        } catch let e as InputError {
            guard e.path == name else {
                fatalError("error does not name the input \(name): \(e)")
            }
        } catch {
            fatalError("not an InputError: \(error)")
        }
    }
}
