/// The number of elements of `shape` and their bytes at `itemSize` each, or nil when a
/// dimension is negative or the product overflows: what a file's header declares is checked
/// with this before anything is allocated or multiplied unchecked.
public func checkedByteCount(shape: [Int], itemSize: Int) -> (elements: Int, bytes: Int)? {
    var n = 1
    for d in shape {
        guard d >= 0 else { return nil }
        let (p, overflow) = n.multipliedReportingOverflow(by: d)
        if overflow { return nil }
        n = p
    }
    let (bytes, overflow) = n.multipliedReportingOverflow(by: itemSize)
    return overflow ? nil : (n, bytes)
}
