import Foundation
import XCTest

/// `tools/kill_soak.py` with a few kills per command: SIGKILL at random moments during
/// prepare, train reconstruction, train policy and edit never leaves a half-written file, and
/// a rerun (with --resume, or --force for edit) gives the uninterrupted run's files, byte for
/// byte. `make soak` runs the same script with 50 kills per command.
final class KillSafetyTests: XCTestCase {
    func testKilledCommandsLeaveWholeFilesAndRerunsEqualUninterruptedRuns() throws {
        let script = CLI.fixtures.deletingLastPathComponent()
            .appendingPathComponent("tools/kill_soak.py")
        let work = CLI.temporaryDirectory().appendingPathComponent("soak")
        let r = try CLI.run(executable: URL(fileURLWithPath: "/usr/bin/env"),
                            ["python3", script.path, "--bin", CLI.binary.path, "--work", work.path, "--kills", "2", "--seed", "7"])
        XCTAssertEqual(r.status, 0, "kill_soak failed:\n\(r.stdout)\n\(r.stderr)")
        let o = r.stdout
        for command in ["prepare", "train-reconstruction", "train-policy", "edit"] {
            XCTAssertTrue(o.contains("\(command): 2 kills"), "no verdict for \(command):\n\(o)")
        }
    }
}
