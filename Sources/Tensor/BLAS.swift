import COpenBLAS
import Dispatch

/// Thin wrappers over `cblas_sgemm`: every matrix product in the package goes through here.
public enum BLAS {
    /// C = alpha * op(A) * op(B) + beta * C, row-major.
    ///
    /// OpenBLAS runs single-threaded (see `configure`); a large product is split here into
    /// row or column blocks of C, one per core, so that OpenBLAS's own worker threads never
    /// spin against the package's parallel loops.
    @inline(__always)
    public static func gemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                            alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                            b: UnsafePointer<Float>, ldb: Int,
                            beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        _ = configure
        let workers = Threading.count
        if workers <= 1 || !splitLargeProducts || m * n * k < 1 << 18 {
            kernel(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
            return
        }
        let pa = SendablePointer(UnsafeMutablePointer(mutating: a)), pb = SendablePointer(UnsafeMutablePointer(mutating: b))
        let pc = SendablePointer(c)
        if m >= n {
            // Blocks of rows of C: rows of op(A).
            let per = (m + workers - 1) / workers
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let lo = w * per, hi = min(m, lo + per)
                if lo >= hi { return }
                let aOff = transA ? lo : lo * lda
                kernel(transA, transB, hi - lo, n, k, alpha, pa.p + aOff, lda, pb.p, ldb, beta, pc.p + lo * ldc, ldc)
            }
        } else {
            // Blocks of columns of C: columns of op(B).
            let per = (n + workers - 1) / workers
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let lo = w * per, hi = min(n, lo + per)
                if lo >= hi { return }
                let bOff = transB ? lo * ldb : lo
                kernel(transA, transB, m, hi - lo, k, alpha, pa.p, lda, pb.p + bOff, ldb, beta, pc.p + lo, ldc)
            }
        }
    }

    @inline(__always)
    static func kernel(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                       _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                       _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// False inside regions that already run one product per core.
    nonisolated(unsafe) static var splitLargeProducts = true

    /// Puts OpenBLAS in single-threaded mode once; the package splits products itself.
    public static let configure: Void = { openblas_set_num_threads(1) }()

    /// OpenBLAS's own thread count.
    public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }
    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// The kernel OpenBLAS picked for this processor (for example "Haswell").
    public static var coreName: String { String(cString: openblas_get_corename()) }
    public static var config: String { String(cString: openblas_get_config()) }

    /// Runs `body` without splitting products, for code that already splits work over the
    /// cores and calls one product from each worker.
    public static func singleThreaded<T>(_ body: () throws -> T) rethrows -> T {
        _ = configure
        let was = splitLargeProducts
        splitLargeProducts = false
        defer { splitLargeProducts = was }
        return try body()
    }
}
