import Foundation

/// A mono 8-bit PCM WAV of silence, written by hand: libsndfile reads it at any sample rate,
/// so a file of a few kilobytes can declare hours of audio (at 1 Hz, one byte a second).
public func silentWAV(frames: Int, sampleRate: Int) -> Data {
    var d = Data()
    func u32(_ v: Int) { var x = UInt32(v).littleEndian; d.append(Data(bytes: &x, count: 4)) }
    func u16(_ v: Int) { var x = UInt16(v).littleEndian; d.append(Data(bytes: &x, count: 2)) }
    d.append(contentsOf: Array("RIFF".utf8)); u32(36 + frames)
    d.append(contentsOf: Array("WAVE".utf8))
    d.append(contentsOf: Array("fmt ".utf8)); u32(16); u16(1); u16(1); u32(sampleRate); u32(sampleRate); u16(1); u16(8)
    d.append(contentsOf: Array("data".utf8)); u32(frames)
    d.append(Data(repeating: 128, count: frames))
    return d
}
