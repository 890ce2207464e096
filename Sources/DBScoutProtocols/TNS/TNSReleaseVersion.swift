/// A release packed into 32 bits, as the listener states it in `(VSNNUM=…)`: 318767104 is 19.0.0.0.0.
///
/// The major release is the top byte. Below 18 the rest is release (4 bits), update (8), port release (4) and port
/// update (8), the layout nmap decodes and that Oracle's own thin driver uses for the server version before 18.
/// From 18 on, Oracle's driver reads release (8 bits), update (4), port release (8) and port update (4) instead;
/// listeners from 18 on state only the major (`0x13000000`), so both readings agree on every value seen so far.
public struct TNSReleaseVersion: Sendable, Hashable, CustomStringConvertible {
    public let packed: UInt32

    public init(packed: UInt32) {
        self.packed = packed
    }

    /// Reads a VSNNUM value: decimal digits that fit 32 bits.
    public init?(vsnnum text: String) {
        guard !text.isEmpty, text.utf8.count <= 10, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            let value = UInt32(text)
        else { return nil }
        packed = value
    }

    /// The first release whose listeners pack the later fields in 18's layout.
    static let firstEighteenLayout = 18

    /// The five release fields: major, release, update, port release, port update.
    public var fields: [Int] {
        let major = Int(packed >> 24)
        let bits: [(shift: UInt32, mask: UInt32)] =
            major >= Self.firstEighteenLayout
            ? [(16, 0xff), (12, 0x0f), (4, 0xff), (0, 0x0f)]
            : [(20, 0x0f), (12, 0xff), (8, 0x0f), (0, 0xff)]
        return [major] + bits.map { Int((packed >> $0.shift) & $0.mask) }
    }

    /// Dotted form, e.g. `11.1.0.6.0`.
    public var description: String {
        fields.map(String.init).joined(separator: ".")
    }
}
