import Foundation
import Tensor

/// The safetensors format: an 8-byte little-endian header length, a JSON header that maps
/// names to dtype, shape and byte offsets (plus optional `__metadata__` strings), then the
/// raw little-endian data.
public enum SafeTensors {
    public struct File {
        public var tensors: [String: Tensor]
        public var metadata: [String: String]
        /// Names in file order.
        public var order: [String]
    }

    public static func write(_ tensors: [(String, Tensor)], metadata: [String: String] = [:], to url: URL) throws {
        var header: [String: Any] = [:]
        var offset = 0
        for (name, t) in tensors {
            let bytes = t.count * 4
            header[name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
            offset += bytes
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad the header with spaces to a multiple of 8 so the data is aligned.
        while (json.count + 8) % 8 != 0 { json.append(0x20) }
        var data = Data(capacity: 8 + json.count + offset)
        var len = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &len) { data.append(contentsOf: $0) }
        data.append(json)
        for (_, t) in tensors {
            data.append(UnsafeBufferPointer(start: t.data, count: t.count))
        }
        try AtomicFile.write(data, to: url)
    }

    public static func read(_ url: URL) throws -> File {
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else { throw InputError(path, "no such file") }
        guard let data = try? Data(contentsOf: url, options: .mappedIfSafe) else { throw InputError(path, "cannot read") }
        guard data.count >= 8 else { throw InputError(path, "not a safetensors file (only \(data.count) bytes)") }
        let headerLen = data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }.littleEndian
        guard headerLen <= UInt64(data.count - 8), headerLen < 100_000_000 else {
            throw InputError(path, "truncated or not a safetensors file (header of \(headerLen) bytes in a \(data.count)-byte file)")
        }
        let body = 8 + Int(headerLen)
        guard let header = try? JSONSerialization.jsonObject(with: data.subdata(in: 8..<body)) as? [String: Any] else {
            throw InputError(path, "safetensors header is not valid JSON")
        }
        var tensors: [String: Tensor] = [:]
        var metadata: [String: String] = [:]
        var entries: [(String, Int)] = []
        for (name, value) in header {
            if name == "__metadata__" {
                metadata = (value as? [String: String]) ?? [:]
                continue
            }
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                  let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int], offsets.count == 2 else {
                throw InputError(path, "tensor '\(name)' has a malformed header entry")
            }
            let size: Int
            switch dtype {
            case "F32": size = 4
            case "F64": size = 8
            default: throw InputError(path, "tensor '\(name)' has dtype \(dtype); only F32 and F64 are supported")
            }
            guard let (n, bytes) = checkedByteCount(shape: shape, itemSize: size) else {
                throw InputError(path, "tensor '\(name)' has an impossible shape \(shape)")
            }
            // The declared bytes must lie in the file, so a header cannot ask for more memory than the file holds.
            guard offsets[0] >= 0, offsets[1] >= offsets[0], offsets[1] <= data.count - body, offsets[1] - offsets[0] == bytes else {
                throw InputError(path, "truncated: tensor '\(name)' needs bytes \(offsets[0])..<\(offsets[1]) of \(data.count - body)")
            }
            let t = Tensor(uninitialized: shape)
            data.withUnsafeBytes { raw in
                let base = raw.baseAddress! + body + offsets[0]
                if size == 4 {
                    for i in 0..<n { t.data[i] = Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
                } else {
                    for i in 0..<n { t.data[i] = Float(Double(bitPattern: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))) }
                }
            }
            tensors[name] = t
            entries.append((name, offsets[0]))
        }
        return File(tensors: tensors, metadata: metadata, order: entries.sorted { $0.1 < $1.1 }.map(\.0))
    }
}
