import ArgumentParser
import AudioDSP
import Foundation
import SuperEditor

/// Prints an error as one line on stderr and returns the exit code to throw.
func failure(_ error: Error, file: String? = nil) -> ExitCode {
    let line: String
    switch error {
    case let e as AudioError: line = e.description
    case let e as NPYError: line = e.description
    default:
        let text = (error as? LocalizedError)?.errorDescription ?? String(describing: error)
        line = (file.map { "\($0): " } ?? "") + text.replacingOccurrences(of: "\n", with: " ")
    }
    FileHandle.standardError.write(Data(("error: " + line + "\n").utf8))
    return ExitCode(1)
}

/// Prints a value as one line of JSON with sorted keys.
func printJSON<T: Encodable>(_ value: T) throws {
    let enc = JSONEncoder()
    enc.outputFormatting = [.sortedKeys]
    print(String(decoding: try enc.encode(value), as: UTF8.self))
}
