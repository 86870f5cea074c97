import Foundation
import Tensor

/// The two checkpoints shipped with Super Editor (MODEL_CARD.md; `make pretrained` makes them),
/// used by `edit` when it is given no models. They are the package's resources, in
/// `SuperEditor_SuperEditor.resources/Pretrained/` beside the built binary; the environment
/// variable `SUPER_EDITOR_MODELS` names another folder holding the same two files.
public enum PretrainedModels {
    public static let policyFile = "policy.safetensors"
    public static let reconstructionFile = "reconstruction.safetensors"
    static let resourceBundle = "SuperEditor_SuperEditor.resources"

    public static func policyURL() throws -> URL { try locate(policyFile) }
    public static func reconstructionURL() throws -> URL { try locate(reconstructionFile) }

    public static func policy() throws -> any PolicyModel { try Checkpoint.loadPolicy(try policyURL()) }
    public static func reconstruction() throws -> ReconstructionModel { try Checkpoint.loadReconstruction(try reconstructionURL()) }

    /// The folders searched, in order.
    public static var searchFolders: [URL] {
        var out: [URL] = []
        if let env = ProcessInfo.processInfo.environment["SUPER_EDITOR_MODELS"], !env.isEmpty {
            out.append(URL(fileURLWithPath: env))
        }
        var beside: [URL] = []
        if let exe = Bundle.main.executableURL?.resolvingSymlinksInPath() { beside.append(exe.deletingLastPathComponent()) }
        beside.append(Bundle.main.bundleURL)
        for dir in beside {
            let folder = dir.appendingPathComponent(resourceBundle).appendingPathComponent("Pretrained")
            if !out.contains(folder) { out.append(folder) }
        }
        return out
    }

    static func locate(_ name: String) throws -> URL {
        let folders = searchFolders
        for f in folders {
            let url = f.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        throw InputError(name, "the shipped model is not installed (looked in \(folders.map(\.path).joined(separator: ", "))); "
                             + "pass --policy and --reconstruction, or set SUPER_EDITOR_MODELS")
    }
}
