import Tensor
import Foundation

/// The element types `.npy`/`.npz` files may hold here. Data is always little endian and in
/// C (row-major) order, as NumPy writes it by default on every common machine.
public enum NPYDType: String, Sendable, CaseIterable {
    case float32 = "<f4"
    case float64 = "<f8"
    case int64 = "<i8"
    case int32 = "<i4"
    case bool = "|b1"

    /// Bytes per element.
    public var itemSize: Int {
        switch self {
        case .float32, .int32: return 4
        case .float64, .int64: return 8
        case .bool: return 1
        }
    }

    /// Parses a NumPy `descr` string; `=` (native) and `|` are read as little endian on
    /// little-endian machines. Returns nil for anything else (big endian, complex, strings…).
    init?(descr: String) {
        var d = descr
        if d.hasPrefix("=") { d = "<" + d.dropFirst() }
        switch d {
        case "<f4": self = .float32
        case "<f8": self = .float64
        case "<i8": self = .int64
        case "<i4": self = .int32
        case "|b1", "<b1", "b1", "?", "|?": self = .bool
        default: return nil
        }
    }
}

/// An n-dimensional array as stored in an `.npy` file: the shape, the element type and the raw
/// little-endian bytes in C order. A 0-d array (a scalar) has `shape == []` and one element.
public struct NPYArray: Equatable, Sendable {
    public var shape: [Int]
    public var dtype: NPYDType
    /// `count * dtype.itemSize` little-endian bytes, C order.
    public var data: Data

    public var count: Int { shape.reduce(1, *) }

    /// Wraps raw bytes; the byte count must match the shape and type.
    public init(shape: [Int], dtype: NPYDType, data: Data) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        precondition(data.count == shape.reduce(1, *) * dtype.itemSize,
                     "NPYArray: \(data.count) bytes do not match shape \(shape) of \(dtype.rawValue)")
        self.shape = shape
        self.dtype = dtype
        self.data = data
    }

    private init<T>(values: [T], shape: [Int]?, dtype: NPYDType) {
        let shape = shape ?? [values.count]
        precondition(shape.reduce(1, *) == values.count, "NPYArray: \(values.count) values do not fill shape \(shape)")
        self.init(shape: shape, dtype: dtype, data: values.withUnsafeBytes { Data($0) })
    }

    public init(_ values: [Float], shape: [Int]? = nil) { self.init(values: values, shape: shape, dtype: .float32) }
    public init(_ values: [Double], shape: [Int]? = nil) { self.init(values: values, shape: shape, dtype: .float64) }
    public init(_ values: [Int64], shape: [Int]? = nil) { self.init(values: values, shape: shape, dtype: .int64) }
    public init(_ values: [Int32], shape: [Int]? = nil) { self.init(values: values, shape: shape, dtype: .int32) }
    public init(_ values: [Bool], shape: [Int]? = nil) {
        self.init(values: values.map { $0 ? UInt8(1) : UInt8(0) }, shape: shape, dtype: .bool)
    }

    /// 0-d arrays, as `np.float32(x)`, `np.float64(x)`, `np.int64(x)` would be saved.
    public static func scalar(_ v: Float) -> NPYArray { NPYArray([v], shape: []) }
    public static func scalar(_ v: Double) -> NPYArray { NPYArray([v], shape: []) }
    public static func scalar(_ v: Int64) -> NPYArray { NPYArray([v], shape: []) }
    public static func scalar(_ v: Int32) -> NPYArray { NPYArray([v], shape: []) }
    public static func scalar(_ v: Bool) -> NPYArray { NPYArray([v], shape: []) }

    private func typed<T>(_: T.Type) -> [T] {
        let n = count
        return [T](unsafeUninitializedCapacity: n) { buf, initialised in
            _ = data.withUnsafeBytes { raw in memcpy(buf.baseAddress!, raw.baseAddress!, n * MemoryLayout<T>.stride) }
            initialised = n
        }
    }

    /// The elements as `Float`, converted from whatever numeric type is stored.
    public func floats() -> [Float] {
        switch dtype {
        case .float32: return count == 0 ? [] : typed(Float.self)
        default: return doubles().map { Float($0) }
        }
    }

    /// The elements as `Double`, converted from whatever numeric type is stored.
    public func doubles() -> [Double] {
        if count == 0 { return [] }
        switch dtype {
        case .float32: return typed(Float.self).map { Double($0) }
        case .float64: return typed(Double.self)
        case .int64: return typed(Int64.self).map { Double($0) }
        case .int32: return typed(Int32.self).map { Double($0) }
        case .bool: return typed(UInt8.self).map { $0 != 0 ? 1 : 0 }
        }
    }

    /// The elements as `Int64`; floating-point values are truncated toward zero, NaN and
    /// infinities are 0, and values past Int64's range are its nearest bound.
    public func int64s() -> [Int64] {
        if count == 0 { return [] }
        switch dtype {
        case .int64: return typed(Int64.self)
        case .int32: return typed(Int32.self).map { Int64($0) }
        case .bool: return typed(UInt8.self).map { $0 != 0 ? 1 : 0 }
        case .float32: return typed(Float.self).map { Self.truncated(Double($0)) }
        case .float64: return typed(Double.self).map(Self.truncated)
        }
    }

    private static func truncated(_ x: Double) -> Int64 {
        guard x.isFinite else { return 0 }
        // 2^63 is the first Double past Int64.max; -2^63 is Int64.min itself.
        if x >= 0x1p63 { return .max }
        if x < -0x1p63 { return .min }
        return Int64(x)
    }

    /// The elements as `Bool` (non-zero is true).
    public func bools() -> [Bool] { doubles().map { $0 != 0 } }

    /// The single element of a 0-d or one-element array, as `Double`; nil otherwise.
    public var scalarValue: Double? { count == 1 ? doubles()[0] : nil }
}

/// Reads and writes NumPy `.npy` files (format 1.0 written; 1.0, 2.0 and 3.0 read).
public enum NPY {
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59] // "\x93NUMPY"

    /// Reads one `.npy` file.
    public static func read(_ url: URL) throws -> NPYArray {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw InputError(url.path, "cannot read file (\(AtomicFile.reason(error)))")
        }
        return try decode(data, name: url.path)
    }

    /// Serialises an array as `.npy` bytes.
    public static func encode(_ array: NPYArray) -> Data {
        let shapeText: String
        switch array.shape.count {
        case 0: shapeText = "()"
        case 1: shapeText = "(\(array.shape[0]),)"
        default: shapeText = "(" + array.shape.map(String.init).joined(separator: ", ") + ")"
        }
        var header = "{'descr': '\(array.dtype.rawValue)', 'fortran_order': False, 'shape': \(shapeText), }"
        // Version 1.0 stores the header length in 2 bytes; the whole preamble is padded with
        // spaces and a final newline to a multiple of 64 bytes, as NumPy does.
        var version: UInt8 = 1
        var lengthBytes = 2
        if header.utf8.count + 10 + 1 > 65535 { version = 2; lengthBytes = 4 }
        let pre = 6 + 2 + lengthBytes
        let total = ((pre + header.utf8.count + 1 + 63) / 64) * 64
        header += String(repeating: " ", count: total - pre - header.utf8.count - 1) + "\n"
        var out = Data(capacity: total + array.data.count)
        out.append(contentsOf: magic)
        out.append(contentsOf: [version, 0])
        let hlen = header.utf8.count
        if lengthBytes == 2 {
            out.append(contentsOf: [UInt8(hlen & 0xFF), UInt8(hlen >> 8)])
        } else {
            out.append(contentsOf: (0..<4).map { UInt8((hlen >> (8 * $0)) & 0xFF) })
        }
        out.append(contentsOf: Array(header.utf8))
        out.append(array.data)
        return out
    }

    /// Writes an array to `url` atomically: a temporary file beside it, then a rename, so a
    /// failed write leaves any existing file untouched.
    public static func write(_ array: NPYArray, to url: URL) throws {
        try AtomicFile.write(encode(array), to: url)
    }

    /// Parses `.npy` bytes; `name` is used in error messages.
    public static func decode(_ data: Data, name: String) throws -> NPYArray {
        func fail(_ p: String) -> InputError { InputError(name, p) }
        let bytes = [UInt8](data.prefix(12))
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else { throw fail("not a NumPy .npy file (bad magic)") }
        let major = bytes[6]
        let headerLen: Int, headerStart: Int
        switch major {
        case 1:
            headerLen = Int(bytes[8]) | (Int(bytes[9]) << 8); headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw fail("truncated .npy header") }
            headerLen = Int(bytes[8]) | (Int(bytes[9]) << 8) | (Int(bytes[10]) << 16) | (Int(bytes[11]) << 24)
            headerStart = 12
        default: throw fail("unsupported .npy format version \(major).\(bytes[7])")
        }
        guard data.count >= headerStart + headerLen else { throw fail("truncated .npy header") }
        let hdata = data.subdata(in: data.startIndex + headerStart ..< data.startIndex + headerStart + headerLen)
        guard let header = String(data: hdata, encoding: major == 3 ? .utf8 : .isoLatin1) else {
            throw fail("unreadable .npy header")
        }
        guard let descr = dictString(header, key: "descr") else { throw fail("missing 'descr' in .npy header") }
        guard let dtype = NPYDType(descr: descr) else {
            throw fail("unsupported dtype '\(descr)' (supported: float32, float64, int64, int32, bool; little endian)")
        }
        guard let fortran = dictRaw(header, key: "fortran_order") else { throw fail("missing 'fortran_order' in .npy header") }
        if fortran.hasPrefix("True") { throw fail("Fortran-order arrays are not supported (save with C order)") }
        guard let shape = dictShape(header) else { throw fail("missing or malformed 'shape' in .npy header") }
        guard let (_, need) = checkedByteCount(shape: shape, itemSize: dtype.itemSize) else {
            throw fail("impossible shape \(shape) in .npy header")
        }
        let bodyStart = data.startIndex + headerStart + headerLen
        guard data.endIndex - bodyStart >= need else {
            throw fail("truncated data: shape \(shape) of \(dtype) needs \(need) bytes, file has \(data.endIndex - bodyStart)")
        }
        return NPYArray(shape: shape, dtype: dtype, data: data.subdata(in: bodyStart ..< bodyStart + need))
    }

    // MARK: header parsing (the header is a Python dict literal)

    private static func valueStart(_ h: String, key: String) -> String.Index? {
        for q in ["'", "\""] {
            if let r = h.range(of: q + key + q) {
                var i = r.upperBound
                while i < h.endIndex, h[i] == " " || h[i] == ":" { i = h.index(after: i) }
                return i
            }
        }
        return nil
    }

    private static func dictString(_ h: String, key: String) -> String? {
        guard let i = valueStart(h, key: key), i < h.endIndex else { return nil }
        let q = h[i]
        guard q == "'" || q == "\"" else { return nil }
        let s = h.index(after: i)
        guard let e = h[s...].firstIndex(of: q) else { return nil }
        return String(h[s..<e])
    }

    private static func dictRaw(_ h: String, key: String) -> String? {
        guard let i = valueStart(h, key: key) else { return nil }
        return String(h[i...])
    }

    private static func dictShape(_ h: String) -> [Int]? {
        guard let i = valueStart(h, key: "shape"), i < h.endIndex, h[i] == "(" else { return nil }
        guard let e = h[i...].firstIndex(of: ")") else { return nil }
        let inner = h[h.index(after: i)..<e]
        var dims: [Int] = []
        for part in inner.split(separator: ",") {
            let t = part.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "L", with: "")
            if t.isEmpty { continue }
            guard let d = Int(t), d >= 0 else { return nil }
            dims.append(d)
        }
        return dims
    }
}
