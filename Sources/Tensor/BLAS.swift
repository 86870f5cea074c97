import COpenBLAS

/// Thin wrappers over `cblas_sgemm`: every matrix product in the package goes through here.
public enum BLAS {
    /// C = alpha * op(A) * op(B) + beta * C, row-major.
    @inline(__always)
    public static func gemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                            alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                            b: UnsafePointer<Float>, ldb: Int,
                            beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// OpenBLAS's own thread count.
    public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }
    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// The kernel OpenBLAS picked for this processor (for example "Haswell").
    public static var coreName: String { String(cString: openblas_get_corename()) }
    public static var config: String { String(cString: openblas_get_config()) }

    /// Runs `body` with OpenBLAS single-threaded, for code that already splits work over the
    /// cores and calls small products from each worker.
    public static func singleThreaded<T>(_ body: () throws -> T) rethrows -> T {
        let was = threads
        if was == 1 { return try body() }
        setThreads(1)
        defer { setThreads(was) }
        return try body()
    }
}
