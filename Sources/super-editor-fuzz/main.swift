import Foundation
import FuzzTargets

// libFuzzer calls LLVMFuzzerInitialize once with the command line (the target's name is taken
// off it before libFuzzer reads its flags), then LLVMFuzzerTestOneInput for every input.
// SwiftPM links this file's top-level code as `main` (over the one -sanitize=fuzzer brings),
// and it hands over to libFuzzer's driver.

enum Driver {
    nonisolated(unsafe) static var target: ((Data) -> Void)?
    static let usage = "usage: super-editor-fuzz TARGET [libFuzzer flags and corpus folders]; targets: "
        + FuzzTargets.all.keys.sorted().joined(separator: ", ") + "\n"
}

@_cdecl("LLVMFuzzerInitialize")
func fuzzerInitialize(_ argc: UnsafeMutablePointer<Int32>,
                      _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>) -> Int32 {
    let args = argv.pointee
    guard argc.pointee >= 2, let name = args[1].map({ String(cString: $0) }), let target = FuzzTargets.all[name] else {
        FileHandle.standardError.write(Data(Driver.usage.utf8))
        exit(2)
    }
    Driver.target = target
    for i in 1 ..< Int(argc.pointee) { args[i] = args[i + 1] }
    argc.pointee -= 1
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzerTestOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    let data = bytes.map { Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: $0), count: count, deallocator: .none) } ?? Data()
    Driver.target!(data)
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzerTestOneInput))
