import Tensor
import Foundation
import NN

/// Writes TensorBoard event files (`events.out.tfevents.*`): TFRecord framing around
/// `tensorflow.Event` protocol buffers holding scalar summaries, readable by TensorBoard's
/// own `EventAccumulator`.
public final class TensorBoardWriter {
    public let url: URL
    private let handle: FileHandle?

    /// `writes: false` makes a writer that writes nothing (a data-parallel rank other than 0).
    public init(directory: URL, writes: Bool = true) throws {
        guard writes else { url = directory; handle = nil; return }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let time = Date().timeIntervalSince1970
        let host = ProcessInfo.processInfo.hostName
        url = directory.appendingPathComponent(String(format: "events.out.tfevents.%.0f.%@.%d", time, host,
                                                      ProcessInfo.processInfo.processIdentifier))
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        guard let h = FileHandle(forWritingAtPath: url.path) else { throw InputError(url.path, "cannot write event file") }
        handle = h
        // The first event names the file format version.
        var e = Proto()
        e.double(1, time)
        e.string(3, "brain.Event:2")
        write(e.bytes)
    }

    deinit { try? handle?.close() }

    /// Adds scalars at `step` under their tags (for example "train/loss").
    public func scalars(_ values: [String: Double], step: Int) {
        guard handle != nil else { return }
        var summary = Proto()
        for (tag, v) in values.sorted(by: { $0.key < $1.key }) {
            var value = Proto()
            value.string(1, tag)
            value.float(2, Float(v))
            summary.message(1, value)
        }
        var e = Proto()
        e.double(1, Date().timeIntervalSince1970)
        e.varint(2, UInt64(step))
        e.message(5, summary)
        write(e.bytes)
    }

    public func flush() { try? handle?.synchronize() }

    private func write(_ record: [UInt8]) {
        var out: [UInt8] = []
        let len = withUnsafeBytes(of: UInt64(record.count).littleEndian) { Array($0) }
        out += len
        out += withUnsafeBytes(of: CRC32C.masked(len).littleEndian) { Array($0) }
        out += record
        out += withUnsafeBytes(of: CRC32C.masked(record).littleEndian) { Array($0) }
        handle?.write(Data(out))
    }
}

/// The few protocol-buffer encodings an Event needs.
struct Proto {
    var bytes: [UInt8] = []

    mutating func rawVarint(_ v: UInt64) {
        var v = v
        while v >= 0x80 { bytes.append(UInt8(v & 0x7f) | 0x80); v >>= 7 }
        bytes.append(UInt8(v))
    }
    mutating func key(_ field: Int, _ wire: Int) { rawVarint(UInt64(field << 3 | wire)) }
    mutating func varint(_ field: Int, _ v: UInt64) { key(field, 0); rawVarint(v) }
    mutating func double(_ field: Int, _ v: Double) {
        key(field, 1)
        bytes += withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) }
    }
    mutating func float(_ field: Int, _ v: Float) {
        key(field, 5)
        bytes += withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) }
    }
    mutating func string(_ field: Int, _ s: String) { key(field, 2); rawVarint(UInt64(s.utf8.count)); bytes += Array(s.utf8) }
    mutating func message(_ field: Int, _ m: Proto) { key(field, 2); rawVarint(UInt64(m.bytes.count)); bytes += m.bytes }
}

/// CRC-32C (Castagnoli), as TFRecord frames use it, with TensorFlow's masking.
enum CRC32C {
    static let table: [UInt32] = (0..<256).map { i -> UInt32 in
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
        return c
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xff)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }

    static func masked(_ bytes: [UInt8]) -> UInt32 {
        let c = checksum(bytes)
        return ((c >> 15) | (c << 17)) &+ 0xA282_EAD8
    }
}
