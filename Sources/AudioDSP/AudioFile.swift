import CSndFile
import Foundation
import Tensor

/// Mono audio at a known sample rate.
public struct Audio: Sendable {
    public var samples: [Float]
    public var sampleRate: Int
    public init(samples: [Float], sampleRate: Int) {
        self.samples = samples
        self.sampleRate = sampleRate
    }
    public var duration: Double { Double(samples.count) / Double(sampleRate) }
}

/// Reading and writing audio files through libsndfile.
public enum AudioFile {
    /// The sample rate the whole package works at (librosa's default).
    public static let defaultSampleRate = 22050

    /// Sample encodings `write` offers.
    public enum Encoding: String, Sendable, CaseIterable {
        case pcm16, float32
    }

    /// Decodes a WAV, FLAC, OGG/Vorbis, Opus or MP3 file (whatever the linked libsndfile reads) into
    /// float32 frames, as `soundfile.read(dtype="float32")` does. Returns interleaved samples.
    /// Audio longer than `InputLimits.current.maxAudioMinutes` is refused.
    public static func decode(_ url: URL) throws -> (interleaved: [Float], channels: Int, sampleRate: Int) {
        let path = url.path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw InputError(path, "no such file")
        }
        if isDir.boolValue { throw InputError(path, "is a directory, not an audio file") }
        guard FileManager.default.isReadableFile(atPath: path) else { throw InputError(path, "permission denied") }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? -1
        if size == 0 { throw InputError(path, "empty file (0 bytes)") }

        var info = SF_INFO()
        // libsndfile's MP3 decoder (mpg123) prints "Note: ..." lines on stderr while it probes
        // a file; keep stderr to our own one-line errors.
        let opened = quietStderr { sf_open(path, Int32(SFM_READ), &info) }
        guard let file = opened else {
            let code = sf_error(nil)
            let reason: String
            switch Int(code) {
            case SF_ERR_UNRECOGNISED_FORMAT: reason = "unrecognised format"
            case SF_ERR_MALFORMED_FILE: reason = "malformed file"
            case SF_ERR_UNSUPPORTED_ENCODING: reason = "unsupported encoding"
            default:
                let msg = String(cString: sf_strerror(nil))
                // libsndfile reports files no decoder accepts as "does not exist or is not a
                // regular file"; by now we know the file exists and is regular.
                reason = msg.contains("does not exist") ? "unrecognised or corrupt format" : msg
            }
            throw InputError(path, "not a readable audio file (\(reason))")
        }
        defer { sf_close(file) }
        let channels = Int(info.channels)
        guard channels > 0, info.samplerate > 0 else {
            throw InputError(path, "invalid audio header (channels \(channels), sample rate \(info.samplerate))")
        }
        let rate = Int(info.samplerate)
        let limits = InputLimits.current
        // Some containers (e.g. MP3 without a length header) report an unknown length. A known
        // one is checked against the limit before anything is allocated; either way the file
        // is read in blocks, so memory follows the samples really decoded, not the header.
        let declared = Int(info.frames)
        let known = declared > 0 && info.frames != sf_count_t(Int64.max)
        if known { try limits.checkAudio(frames: declared, sampleRate: rate, file: path) }
        let blockFrames = max(1, 65536 / channels)
        var out: [Float] = []
        if known { out.reserveCapacity(min(declared, 1 << 22) * channels) }
        var block = [Float](repeating: 0, count: blockFrames * channels)
        var frames = 0
        while !known || frames < declared {
            let want = known ? min(blockFrames, declared - frames) : blockFrames
            let got = quietStderr { block.withUnsafeMutableBufferPointer { sf_readf_float(file, $0.baseAddress!, sf_count_t(want)) } }
            if got <= 0 { break }
            out.append(contentsOf: block[0..<(Int(got) * channels)])
            frames += Int(got)
            try limits.checkAudio(frames: frames, sampleRate: rate, file: path)
        }
        if sf_error(file) != 0 {
            let msg = String(cString: sf_strerror(file))
            throw InputError(path, "decoding failed (\(msg))")
        }
        if frames == 0 { throw InputError(path, "contains no audio samples (zero-length signal)") }
        return (out, channels, rate)
    }

    /// `librosa.load(path, sr=sampleRate, mono=True)`: decode, downmix by averaging the
    /// channels, resample with soxr HQ. Pass `sampleRate: nil` to keep the file's rate.
    /// Throws a one-line `InputError` naming the file for a missing, empty, non-audio or
    /// zero-length file and for NaN or infinite samples.
    public static func load(_ url: URL, sampleRate: Int? = defaultSampleRate) throws -> Audio {
        let path = url.path
        let (inter, channels, rate) = try decode(url)
        let frames = inter.count / channels
        var mono: [Float]
        if channels == 1 {
            mono = inter
        } else {
            mono = [Float](repeating: 0, count: frames)
            inter.withUnsafeBufferPointer { src in
                mono.withUnsafeMutableBufferPointer { dst in
                    let s = src.baseAddress!, d = dst.baseAddress!
                    let inv = Float(channels)
                    for i in 0..<frames {
                        var acc: Float = 0
                        for c in 0..<channels { acc += s[i * channels + c] }
                        d[i] = acc / inv
                    }
                }
            }
        }
        if let bad = mono.firstIndex(where: { !$0.isFinite }) {
            let what = mono[bad].isNaN ? "NaN" : "infinite"
            throw InputError(path, "contains \(what) samples (first at sample \(bad))")
        }
        guard let target = sampleRate, target != rate else { return Audio(samples: mono, sampleRate: rate) }
        guard target > 0 else { throw InputError(path, "invalid target sample rate \(target)") }
        let y = try Resampler.resample(mono, from: Double(rate), to: Double(target), source: path)
        if y.isEmpty { throw InputError(path, "contains no audio samples after resampling") }
        return Audio(samples: y, sampleRate: target)
    }

    /// Writes mono audio as a WAV file (16-bit PCM or 32-bit float). The file is written to a
    /// temporary name beside `url` and renamed over it, so a failure never leaves a partial
    /// file and never clobbers an existing one. 16-bit output is clipped to [-1, 1).
    public static func write(_ samples: [Float], sampleRate: Int, to url: URL, encoding: Encoding = .pcm16) throws {
        try writeInterleaved([samples], sampleRate: sampleRate, to: url, encoding: encoding)
    }

    /// Writes one or more equally long channels as a WAV file, atomically (see `write`).
    public static func writeInterleaved(_ channels: [[Float]], sampleRate: Int, to url: URL,
                                        encoding: Encoding = .pcm16) throws {
        let path = url.path
        guard let first = channels.first, channels.allSatisfy({ $0.count == first.count }) else {
            throw InputError(path, "channels must be non-empty and of equal length")
        }
        let nch = channels.count
        var samples = [Float](repeating: 0, count: first.count * nch)
        for (c, ch) in channels.enumerated() { for i in 0..<ch.count { samples[i * nch + c] = ch[i] } }
        if let bad = samples.firstIndex(where: { !$0.isFinite }) {
            throw InputError(path, "refusing to write non-finite sample at index \(bad / nch)")
        }
        guard sampleRate > 0 else { throw InputError(path, "invalid sample rate \(sampleRate)") }
        let tmp = AtomicFile.temporaryURL(beside: url)
        var info = SF_INFO()
        info.samplerate = Int32(sampleRate)
        info.channels = Int32(nch)
        info.format = Int32(SF_FORMAT_WAV) | (encoding == .pcm16 ? Int32(SF_FORMAT_PCM_16) : Int32(SF_FORMAT_FLOAT))
        guard let file = sf_open(tmp.path, Int32(SFM_WRITE), &info) else {
            let msg = String(cString: sf_strerror(nil))
            throw InputError(path, "cannot write audio file (\(msg))")
        }
        if encoding == .pcm16 {
            // Clip rather than wrap around when converting float to 16-bit integers.
            sf_command(file, Int32(SFC_SET_CLIPPING), nil, Int32(SF_TRUE))
        }
        let written = samples.withUnsafeBufferPointer { sf_writef_float(file, $0.baseAddress, sf_count_t($0.count / nch)) }
        let err = sf_error(file)
        let msg = String(cString: sf_strerror(file))
        sf_close(file)
        if Int(written) != first.count || err != 0 {
            try? FileManager.default.removeItem(at: tmp)
            throw InputError(path, "cannot write audio file (\(msg))")
        }
        try AtomicFile.commit(tmp, to: url)
    }
}

private let stderrLock = NSLock()

/// Runs `body` with file descriptor 2 pointed at /dev/null (decoder chatter), then restores it.
private func quietStderr<T>(_ body: () throws -> T) rethrows -> T {
    stderrLock.lock()
    defer { stderrLock.unlock() }
    fflush(stderr)
    let saved = dup(2)
    let null = open("/dev/null", O_WRONLY)
    if saved >= 0 && null >= 0 { dup2(null, 2) }
    defer {
        fflush(stderr)
        if saved >= 0 { dup2(saved, 2); close(saved) }
        if null >= 0 { close(null) }
    }
    return try body()
}
