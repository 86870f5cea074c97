/// A branch-free exp for the softmax kernels, written as scalar code that LLVM vectorises
/// in a loop: Cephes' range reduction and degree-6 polynomial, within 2 ulp of libm's expf.
/// Arguments below -87.3 give exactly 0, so masked (-inf) scores vanish as with libm.
public enum FastMath {
    public typealias V = SIMD8<Float>

    @inline(__always)
    public static func exp(_ v: Float) -> Float {
        let x = v < -87.3 ? -87.3 : (v > 88.3 ? 88.3 : v)
        // Round x·log2(e) to the nearest integer with the 1.5·2²³ trick; the integer then sits
        // in the low bits of t's pattern, which also builds 2ⁿ without a conversion.
        let t = x * 1.44269504088896341 + 12582912.0
        let fx = t - 12582912.0
        let r = x - fx * 0.693359375 + fx * 2.12194440e-4
        let r2 = r * r
        var y: Float = 1.9875691500e-4
        y = y * r + 1.3981999507e-3
        y = y * r + 8.3334519073e-3
        y = y * r + 4.1665795894e-2
        y = y * r + 1.6666665459e-1
        y = y * r + 5.0000001201e-1
        y = y * r2 + r + 1
        let scale = Float(bitPattern: (t.bitPattern &+ 127) &<< 23)
        return v < -87.3 ? 0 : y * scale
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }

    @inline(__always)
    static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self) }

    /// Sum of n floats with eight lanes of accumulation.
    @inline(__always)
    static func sum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = V()
        var j = 0
        while j + 8 <= n { acc += load(p + j); j += 8 }
        var s = acc.sum()
        while j < n { s += p[j]; j += 1 }
        return s
    }

    /// Largest of n floats (n > 0), with eight independent running maxima.
    @inline(__always)
    static func max(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        var m0 = -Float.infinity, m1 = m0, m2 = m0, m3 = m0, m4 = m0, m5 = m0, m6 = m0, m7 = m0
        var j = 0
        while j + 8 <= n {
            m0 = p[j] > m0 ? p[j] : m0; m1 = p[j + 1] > m1 ? p[j + 1] : m1
            m2 = p[j + 2] > m2 ? p[j + 2] : m2; m3 = p[j + 3] > m3 ? p[j + 3] : m3
            m4 = p[j + 4] > m4 ? p[j + 4] : m4; m5 = p[j + 5] > m5 ? p[j + 5] : m5
            m6 = p[j + 6] > m6 ? p[j + 6] : m6; m7 = p[j + 7] > m7 ? p[j + 7] : m7
            j += 8
        }
        var m = Swift.max(Swift.max(Swift.max(m0, m1), Swift.max(m2, m3)), Swift.max(Swift.max(m4, m5), Swift.max(m6, m7)))
        while j < n { m = p[j] > m ? p[j] : m; j += 1 }
        return m
    }
}
