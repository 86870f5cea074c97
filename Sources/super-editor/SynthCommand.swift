import ArgumentParser
import Foundation
import SuperEditor
import Tensor

struct Synth: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Generate synthetic (raw, edited) music pairs with their true labels: raw/{id}.wav, edited/{id}.wav, truth/{id}.json."
    )

    @Option(help: "Output folder (created if missing).")
    var out: String

    @Option(help: "Number of pairs.")
    var count: Int

    @Option(help: "Seed; the same seed gives byte-identical files.")
    var seed: UInt64 = 0

    @Option(help: "Track length range in seconds, e.g. 20-45 (or one number). Lengths are approximate: whole bars, and at least three sections (about 20 s at slow tempi).")
    var seconds: String = "20-45"

    func run() throws {
        let parts = seconds.split(separator: "-").compactMap { Double($0) }
        guard (1...2).contains(parts.count), parts.allSatisfy({ $0 >= 8 && $0 <= 600 }), parts.first! <= parts.last! else {
            throw failure(ValidationError("--seconds: expected LO-HI or one number, between 8 and 600 (got '\(seconds)')"))
        }
        guard count > 0 else { throw failure(ValidationError("--count must be positive (got \(count))")) }
        let range = parts.first!...parts.last!
        let dir = URL(fileURLWithPath: out)
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        } catch {
            throw failure(ValidationError("\(out): cannot create output folder"))
        }
        let progress = PairProgress(total: count, label: "synth")
        let lock = NSLock()
        var firstError: Error? = nil
        DispatchQueue.concurrentPerform(iterations: Threading.count) { worker in
            var i = worker
            while i < count {
                do {
                    try SynthPair.generate(seed: seed, index: i, seconds: range).write(to: dir)
                } catch {
                    lock.lock(); if firstError == nil { firstError = error }; lock.unlock()
                }
                progress.step()
                i += Threading.count
            }
        }
        if let e = firstError { throw failure(e) }
    }
}
