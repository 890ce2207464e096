/// A non-empty run of ASCII digits that fits in `T`; `nil` otherwise. Shared by this module's /proc parsers.
///
/// Written out because the standard library's parser also accepts a leading `+` or `-`.
func decimal<T: FixedWidthInteger>(_ text: some Collection<UInt8>, as: T.Type) -> T? {
    guard !text.isEmpty else { return nil }
    var value: T = 0
    for byte in text {
        guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
        let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
        let (sum, overflowB) = shifted.addingReportingOverflow(T(byte - UInt8(ascii: "0")))
        guard !overflowA, !overflowB else { return nil }
        value = sum
    }
    return value
}
