import Foundation
import NN
import SuperEditor
import TestSupport
import XCTest

/// `train` under `mpirun -np 2`: the same weights as one process with the same global batch and
/// seed, a resumed run on another number of ranks, and a dead rank that ends the run.
/// `make test` installs OpenMPI and sets SUPER_EDITOR_REQUIRE_MPI=1, so there these never skip.
final class DataParallelTests: XCTestCase {
    static let mpirun = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Float32 summation order: the ranks sum their shares' gradients in another order than one
    /// process sums the whole batch's, so weights agree to rounding, not bit for bit.
    static let tolerance = 1e-5

    func requireMPI() throws -> String {
        if let m = Self.mpirun { return m }
        if ProcessInfo.processInfo.environment["SUPER_EDITOR_REQUIRE_MPI"] == "1" {
            XCTFail("mpirun is not installed (make test installs openmpi-bin)")
        }
        throw XCTSkip("mpirun is not installed")
    }

    /// One thread per process, so that one process and each rank run the same kernels.
    static var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["OPENBLAS_NUM_THREADS"] = "1"
        env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        env["OMPI_MCA_btl_vader_single_copy_mechanism"] = "none"
        return env
    }

    static func launch(ranks: Int?, _ args: [String]) throws -> (Process, Pipe, Pipe) {
        let p = Process()
        if let ranks {
            p.executableURL = URL(fileURLWithPath: mpirun!)
            p.arguments = ["-np", String(ranks), "--oversubscribe", CLI.binary.path] + args
        } else {
            p.executableURL = CLI.binary
            p.arguments = args
        }
        p.environment = environment
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        return (p, out, err)
    }

    @discardableResult
    static func train(ranks: Int?, _ args: [String], file: StaticString = #filePath, line: UInt = #line) throws -> CLIResult {
        let (p, out, err) = try launch(ranks: ranks, args)
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let r = CLIResult(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
        XCTAssertEqual(r.status, 0, "\(args.joined(separator: " ")) on \(ranks ?? 1) ranks: \(r.stderr.suffix(2000))", file: file, line: line)
        return r
    }

    /// ‖a − b‖ / ‖a‖ over every tensor of two checkpoints.
    static func relativeDifference(_ a: URL, _ b: URL) throws -> Double {
        let x = try SafeTensors.read(a), y = try SafeTensors.read(b)
        XCTAssertEqual(Set(x.tensors.keys), Set(y.tensors.keys))
        var diff = 0.0, norm = 0.0
        for (name, t) in x.tensors {
            let u = t.scalars, v = y.tensors[name]!.scalars
            for i in 0..<u.count { diff += Double(u[i] - v[i]) * Double(u[i] - v[i]); norm += Double(u[i]) * Double(u[i]) }
        }
        return (diff / max(norm, 1e-30)).squareRoot()
    }

    /// Eight short synthetic pairs, prepared once for the class.
    nonisolated(unsafe) static var sharedCache: URL?
    static func cache() throws -> URL {
        if let c = sharedCache { return c }
        let dir = CLI.temporaryDirectory()
        XCTAssertEqual(try CLI.run(["synth", "--out", dir.appendingPathComponent("data").path, "--count", "8", "--seed", "3",
                                    "--seconds", "8-10"]).status, 0)
        let cache = dir.appendingPathComponent("cache")
        XCTAssertEqual(try CLI.run(["prepare", "--raw", dir.appendingPathComponent("data/raw").path,
                                    "--edited", dir.appendingPathComponent("data/edited").path, "--out", cache.path]).status, 0)
        sharedCache = cache
        return cache
    }

    /// The tiny preset's first `steps` steps (its warmup: the learning rate rises to 2e-4), validated
    /// every 10. Without the multi-scale STFT term: its log-magnitude gradient, 1/(|S| + 1e-8),
    /// turns float32 rounding into weight differences that grow a hundredfold in a few steps even
    /// between two thread counts of one process, so it cannot show equality at 1e-5.
    static func tinyConfig(steps: Int, in dir: URL, stft: Bool = false) throws -> URL {
        var c = Phase1Config.preset("tiny")!
        c.totalSteps = steps
        c.validateEvery = 10
        if !stft { c.stftWeight = 0 }
        let url = dir.appendingPathComponent("tiny-\(steps)\(stft ? "-stft" : "").json")
        try JSONEncoder().encode(c).write(to: url)
        return url
    }

    func testPhase1OnTwoRanksEqualsOneProcessAndResumesOnAnyNumber() throws {
        _ = try requireMPI()
        let cache = try Self.cache(), dir = CLI.temporaryDirectory()
        let twenty = try Self.tinyConfig(steps: 20, in: dir), ten = try Self.tinyConfig(steps: 10, in: dir)
        let one = dir.appendingPathComponent("one"), two = dir.appendingPathComponent("two"), mixed = dir.appendingPathComponent("mixed")
        try Self.train(ranks: nil, ["train", "reconstruction", "--data", cache.path, "--out", one.path, "--config", twenty.path])
        let r = try Self.train(ranks: 2, ["train", "reconstruction", "--data", cache.path, "--out", two.path, "--config", twenty.path])
        XCTAssertTrue(r.stdout.contains("2 ranks"), r.stdout)
        XCTAssertTrue(r.stdout.contains("allreduce of"), r.stdout)
        XCTAssertEqual(r.stdout.components(separatedBy: "phase 1:").count, 2, "rank 0 alone prints: \(r.stdout)")
        let d = try Self.relativeDifference(one.appendingPathComponent("last.safetensors"), two.appendingPathComponent("last.safetensors"))
        XCTAssertLessThanOrEqual(d, Self.tolerance, "2 ranks vs 1 process after 20 steps")
        // Rank 0 alone writes: one event file, and the same run files as one process.
        let files = try FileManager.default.contentsOfDirectory(atPath: two.path)
        XCTAssertEqual(files.filter { $0.hasPrefix("events.out.tfevents") }.count, 1, "\(files)")
        XCTAssertEqual(Set(files.filter { !$0.hasPrefix("events") }),
                       Set(try FileManager.default.contentsOfDirectory(atPath: one.path).filter { !$0.hasPrefix("events") }))

        // Ten steps on two ranks, then the other ten on one process: the straight run's weights.
        try Self.train(ranks: 2, ["train", "reconstruction", "--data", cache.path, "--out", mixed.path, "--config", ten.path])
        try Self.train(ranks: nil, ["train", "reconstruction", "--data", cache.path, "--out", mixed.path, "--resume", "--steps", "20"])
        let m = try Self.relativeDifference(one.appendingPathComponent("last.safetensors"), mixed.appendingPathComponent("last.safetensors"))
        XCTAssertLessThanOrEqual(m, Self.tolerance, "2 ranks then --resume on 1 vs 1 process")
        print("data parallel phase 1: 2 ranks vs 1 process \(d), resumed on 1 rank \(m)")
    }

    /// Whether two files hold the same bytes.
    static func sameBytes(_ a: URL, _ b: URL) throws -> Bool { try Data(contentsOf: a) == Data(contentsOf: b) }

    /// The whole tiny preset, STFT term included: `mpirun -np 2` and two ranks taking turns in one
    /// process (`--in-process-ranks 2`) sum in the same order, so their weights are the same bits,
    /// also when ten steps on MPI are resumed for the other ten in one process.
    func testFullTinyPresetOnTwoRanksEqualsTwoInProcessRanksBitForBit() throws {
        _ = try requireMPI()
        let cache = try Self.cache(), dir = CLI.temporaryDirectory()
        let twenty = try Self.tinyConfig(steps: 20, in: dir, stft: true), ten = try Self.tinyConfig(steps: 10, in: dir, stft: true)
        let one = dir.appendingPathComponent("one"), mpi = dir.appendingPathComponent("mpi"), threads = dir.appendingPathComponent("threads")
        let mixed = dir.appendingPathComponent("mixed")
        try Self.train(ranks: nil, ["train", "reconstruction", "--data", cache.path, "--out", one.path, "--config", twenty.path])
        try Self.train(ranks: 2, ["train", "reconstruction", "--data", cache.path, "--out", mpi.path, "--config", twenty.path])
        let r = try Self.train(ranks: nil, ["train", "reconstruction", "--data", cache.path, "--out", threads.path, "--config", twenty.path,
                                            "--in-process-ranks", "2"])
        XCTAssertTrue(r.stdout.contains("2 ranks"), r.stdout)
        XCTAssertEqual(r.stdout.components(separatedBy: "phase 1:").count, 2, "rank 0 alone prints: \(r.stdout)")
        for name in ["last.safetensors", "best.safetensors", "last.state.safetensors"] {
            XCTAssertTrue(try Self.sameBytes(mpi.appendingPathComponent(name), threads.appendingPathComponent(name)), name)
        }
        try Self.train(ranks: 2, ["train", "reconstruction", "--data", cache.path, "--out", mixed.path, "--config", ten.path])
        try Self.train(ranks: nil, ["train", "reconstruction", "--data", cache.path, "--out", mixed.path, "--resume", "--steps", "20",
                                    "--in-process-ranks", "2"])
        XCTAssertTrue(try Self.sameBytes(mpi.appendingPathComponent("last.safetensors"), mixed.appendingPathComponent("last.safetensors")))
        // One process summing the whole batch: the STFT term amplifies the other order's rounding.
        let d = try Self.relativeDifference(one.appendingPathComponent("last.safetensors"), mpi.appendingPathComponent("last.safetensors"))
        print("data parallel phase 1, full tiny preset: 2 ranks vs 2 in-process ranks identical; vs 1 process summing the whole batch \(d)")
    }

    /// Without MPI: two in-process ranks train the same model as one process (to rounding).
    func testTwoInProcessRanksEqualOneProcess() throws {
        let cache = try Self.cache(), dir = CLI.temporaryDirectory()
        let twenty = try Self.tinyConfig(steps: 20, in: dir)
        let one = dir.appendingPathComponent("one"), two = dir.appendingPathComponent("two")
        try Self.train(ranks: nil, ["train", "reconstruction", "--data", cache.path, "--out", one.path, "--config", twenty.path])
        try Self.train(ranks: nil, ["train", "reconstruction", "--data", cache.path, "--out", two.path, "--config", twenty.path,
                                    "--in-process-ranks", "2"])
        let d = try Self.relativeDifference(one.appendingPathComponent("last.safetensors"), two.appendingPathComponent("last.safetensors"))
        XCTAssertGreaterThan(d, 0, "two ranks sum in another order than one process")
        XCTAssertLessThanOrEqual(d, Self.tolerance)
    }

    func testPolicyWarmStartAndPPOUpdatesOnTwoRanksEqualOneProcess() throws {
        _ = try requireMPI()
        let cache = try Self.cache(), dir = CLI.temporaryDirectory()
        let recon = dir.appendingPathComponent("recon")
        var c = Phase1Config.preset("tiny")!
        c.totalSteps = 2
        c.validateEvery = 2
        let cfg = dir.appendingPathComponent("recon.json")
        try JSONEncoder().encode(c).write(to: cfg)
        try Self.train(ranks: nil, ["train", "reconstruction", "--data", cache.path, "--out", recon.path, "--config", cfg.path])
        let args = { (out: URL) in ["train", "policy", "--data", cache.path, "--reconstruction", recon.appendingPathComponent("best.safetensors").path,
                                    "--out", out.path, "--warm-start-steps", "10", "--updates", "3", "--validate-every", "1",
                                    "--rl-baseline", "rloo"] }
        let one = dir.appendingPathComponent("one"), two = dir.appendingPathComponent("two"), threads = dir.appendingPathComponent("threads")
        try Self.train(ranks: nil, args(one))
        let r = try Self.train(ranks: 2, args(two))
        XCTAssertTrue(r.stdout.contains("2 ranks"), r.stdout)
        try Self.train(ranks: nil, args(threads) + ["--in-process-ranks", "2"])
        for name in ["anchor.safetensors", "last.safetensors"] {
            let d = try Self.relativeDifference(one.appendingPathComponent(name), two.appendingPathComponent(name))
            XCTAssertLessThanOrEqual(d, Self.tolerance, name)
            XCTAssertTrue(try Self.sameBytes(two.appendingPathComponent(name), threads.appendingPathComponent(name)), name)
            print("data parallel phase 2 \(name): 2 ranks vs 1 process \(d), vs 2 in-process ranks identical")
        }
        // The validations (every update) agree, so best was picked at the same update.
        let lines = { (u: URL) in try String(contentsOf: u.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
            .split(separator: "\n").filter { $0.contains("\"validation\"") }.count }
        XCTAssertEqual(try lines(one), try lines(two))
    }

    func testARankThatDiesEndsTheOthersWithinSeconds() throws {
        _ = try requireMPI()
        let cache = try Self.cache(), dir = CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("killed")
        let (p, o, e) = try Self.launch(ranks: 2, ["train", "reconstruction", "--data", cache.path, "--out", out.path,
                                                   "--preset", "tiny", "--steps", "500"])
        // Wait until both ranks train (the rank-1 process exists and a few seconds have passed).
        var victim: Int32?
        let deadline = Date().addingTimeInterval(60)
        while victim == nil && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.5)
            victim = Self.rankProcess(1, marker: out.path)
        }
        let v = try XCTUnwrap(victim, "rank 1 never started")
        Thread.sleep(forTimeInterval: 3)
        kill(v, SIGKILL)
        let killed = Date()
        let stderr = Self.drain(e), _ = Self.drain(o)
        p.waitUntilExit()
        let seconds = Date().timeIntervalSince(killed)
        XCTAssertNotEqual(p.terminationStatus, 0)
        XCTAssertLessThan(seconds, 15, "the other rank should end within seconds of rank 1's death")
        XCTAssertTrue(stderr.contains("rank 1") && stderr.contains("signal 9"), stderr)
        XCTAssertNil(Self.rankProcess(0, marker: out.path), "rank 0 is still running")
        print("data parallel: mpirun ended \(String(format: "%.1f", seconds)) s after rank 1 was killed")
    }

    func testABadInputEndsEveryRankWithItsError() throws {
        _ = try requireMPI()
        let cache = try Self.cache(), dir = CLI.temporaryDirectory()
        let (p, o, e) = try Self.launch(ranks: 2, ["train", "policy", "--data", cache.path, "--reconstruction",
                                                   CLI.fixtures.appendingPathComponent("none.safetensors").path, "--out", dir.path])
        _ = Self.drain(o)
        let err = Self.drain(e)
        p.waitUntilExit()
        XCTAssertNotEqual(p.terminationStatus, 0)
        XCTAssertTrue(err.contains("none.safetensors"), "a bad file on every rank is still one clear error: \(err)")
    }

    func testInProcessRanksRefuseBadCountsAndEndOnABadInput() throws {
        let cache = try Self.cache(), dir = CLI.temporaryDirectory()
        let zero = try CLI.run(["train", "reconstruction", "--data", cache.path, "--out", dir.appendingPathComponent("zero").path,
                                "--in-process-ranks", "0"])
        XCTAssertNotEqual(zero.status, 0)
        XCTAssertTrue(zero.stderr.contains("--in-process-ranks must be at least 1"), zero.stderr)
        let many = try CLI.run(["train", "reconstruction", "--data", cache.path, "--out", dir.appendingPathComponent("many").path,
                                "--preset", "tiny", "--in-process-ranks", "9"])
        XCTAssertNotEqual(many.status, 0)
        XCTAssertTrue(many.stderr.contains("smaller than the 9 ranks"), many.stderr)
        let bad = try CLI.run(["train", "policy", "--data", cache.path, "--reconstruction",
                               CLI.fixtures.appendingPathComponent("none.safetensors").path,
                               "--out", dir.appendingPathComponent("bad").path, "--in-process-ranks", "2"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("none.safetensors: no such file"), bad.stderr)
        XCTAssertEqual(bad.stderr.split(separator: "\n").count, 1, "one line: \(bad.stderr)")
        for name in ["zero", "many", "bad"] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent(name).path), name)
        }
    }

    static func drain(_ pipe: Pipe) -> String { String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }

    /// The pid of the `super-editor` process of MPI rank `rank` whose command line holds `marker`.
    static func rankProcess(_ rank: Int, marker: String) -> Int32? {
        guard let pids = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        for name in pids {
            guard let pid = Int32(name),
                  let cmd = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
                  let env = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { continue }
            let args = String(decoding: cmd, as: UTF8.self).split(separator: "\0")
            guard args.first?.hasSuffix("super-editor") == true, args.contains(where: { $0 == marker }) else { continue }
            if String(decoding: env, as: UTF8.self).split(separator: "\0").contains("OMPI_COMM_WORLD_RANK=\(rank)") { return pid }
        }
        return nil
    }
}
