import Tensor
import CSoxr

/// Sample-rate conversion with libsoxr, configured as librosa's default `res_type="soxr_hq"`
/// (python-soxr): float32 in and out, the HQ recipe, one thread, the input fed in chunks of
/// 48 000 output-seconds' worth and then flushed. The result is cut or zero-padded to
/// `ceil(n * out / in)` samples, as `librosa.resample(fix=True)` does.
public enum Resampler {
    public static func resample(_ x: [Float], from inRate: Double, to outRate: Double,
                                source: String = InputError.signal) throws -> [Float] {
        if inRate == outRate { return x }
        guard inRate > 0, outRate > 0 else { throw InputError(source, "invalid sample rate \(inRate) → \(outRate)") }
        let target = Int((Double(x.count) * (outRate / inRate)).rounded(.up))
        if x.isEmpty { return [] }

        var io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I)
        var quality = soxr_quality_spec(UInt(SOXR_HQ), 0)
        var runtime = soxr_runtime_spec(1)
        var err: soxr_error_t? = nil
        guard let soxr = soxr_create(inRate, outRate, 1, &err, &io, &quality, &runtime), err == nil else {
            throw InputError(source, "cannot create resampler: \(err.map { String(cString: $0) } ?? "unknown error")")
        }
        defer { soxr_delete(soxr) }

        let ilen = x.count
        let olen = Int(Double(ilen) * outRate / inRate) + 1
        let chunk = max(1, Int(48000 * inRate / outRate))
        var y = [Float](repeating: 0, count: max(olen, target))
        var produced = 0
        try x.withUnsafeBufferPointer { xin in
            try y.withUnsafeMutableBufferPointer { yout in
                var idx = 0
                var done = 0
                while idx < ilen {
                    let n = min(chunk, ilen - idx)
                    let e = soxr_process(soxr, xin.baseAddress! + idx, n, nil,
                                         yout.baseAddress! + produced, olen - produced, &done)
                    if let e { throw InputError(source, "resampling failed: \(String(cString: e))") }
                    produced += done
                    idx += n
                }
                let e = soxr_process(soxr, nil, 0, nil, yout.baseAddress! + produced, olen - produced, &done)
                if let e { throw InputError(source, "resampling failed: \(String(cString: e))") }
                produced += done
            }
        }
        // fix_length: pad with zeros or trim to the target length.
        if produced < target {
            for i in produced..<target { y[i] = 0 }
        }
        y.removeLast(y.count - target)
        return y
    }
}
