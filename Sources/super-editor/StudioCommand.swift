import ArgumentParser
import Foundation
import Studio
import SuperEditor

struct StudioCommand: CheckedCommand {
    static let configuration = CommandConfiguration(
        commandName: "studio",
        abstract: "A local web page to audition, correct and export edits of the given recordings."
    )

    @Argument(help: "Raw audio files to open (WAV, FLAC, OGG, MP3); more can be uploaded on the page.") var files: [String] = []
    @Option(help: "Port to listen on (0: any free port).") var port: Int = 8080
    @Option(help: "Address to listen on; anything but 127.0.0.1 lets other machines in.") var host: String = "127.0.0.1"
    @Option(help: "Policy checkpoint (Phase 2); default: the shipped model.") var policy: String?
    @Option(help: "Reconstruction checkpoint (Phase 1); default: the shipped model.") var reconstruction: String?

    @OptionGroup var limits: InputLimitOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535") }
    }

    func execute() throws {
        limits.apply()
        let worker = try StudioWorker(policyPath: policy, reconstructionPath: reconstruction)
        let urls = files.map { URL(fileURLWithPath: $0) }
        let store = try StudioServer.wait { try await StudioServer.open(files: urls, worker: worker) }
        let server = StudioServer(store: store, host: host, port: port)
        try StudioServer.wait {
            try await server.run { url in
                let line = "studio: \(url.absoluteString) (session folder \(store.folder.path); Ctrl-C stops and removes it)\n"
                FileHandle.standardOutput.write(Data(line.utf8))
            }
        }
    }
}
