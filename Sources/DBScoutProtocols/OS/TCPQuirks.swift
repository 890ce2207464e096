/// Oddities of an IPv4 + TCP header that some stacks show and others never do, named as p0f names them (p0f
/// `docs/README` §5) so that the two tools' outputs can be read side by side.
public struct TCPQuirks: OptionSet, Hashable, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// IP "don't fragment" is set (`df`).
    public static let dontFragment = TCPQuirks(rawValue: 1 << 0)
    /// DF is set and the IP ID is not zero (`id+`): Linux zeroes the ID of DF SYN-ACKs, Windows does not.
    public static let nonZeroIDWithDF = TCPQuirks(rawValue: 1 << 1)
    /// DF is clear and the IP ID is zero (`id-`).
    public static let zeroIDWithoutDF = TCPQuirks(rawValue: 1 << 2)
    /// ECN is signalled in the IP header or by ECE/CWR (`ecn`).
    public static let explicitCongestion = TCPQuirks(rawValue: 1 << 3)
    /// The sequence number is zero (`seq-`).
    public static let zeroSequence = TCPQuirks(rawValue: 1 << 4)
    /// The ACK number is set although the ACK flag is not (`ack+`).
    public static let ackNumberWithoutACK = TCPQuirks(rawValue: 1 << 5)
    /// The ACK flag is set with an ACK number of zero (`ack-`).
    public static let zeroACKNumber = TCPQuirks(rawValue: 1 << 6)
    /// The urgent pointer is set although URG is not (`uptr+`).
    public static let urgentPointerWithoutURG = TCPQuirks(rawValue: 1 << 7)
    /// URG is set (`urgf+`).
    public static let urgentFlag = TCPQuirks(rawValue: 1 << 8)
    /// PSH is set (`pushf+`).
    public static let pushFlag = TCPQuirks(rawValue: 1 << 9)
    /// The sender's own timestamp is zero (`ts1-`).
    public static let zeroOwnTimestamp = TCPQuirks(rawValue: 1 << 10)
    /// A SYN echoes a peer timestamp it cannot have seen yet (`ts2+`).
    public static let peerTimestampInSYN = TCPQuirks(rawValue: 1 << 11)
    /// Non-zero bytes follow the end-of-list option (`opt+`).
    public static let dataAfterEndOfList = TCPQuirks(rawValue: 1 << 12)
    /// The window scale is above RFC 7323's maximum of 14 (`exws`).
    public static let excessiveWindowScale = TCPQuirks(rawValue: 1 << 13)
    /// The option area is malformed (`bad`).
    public static let malformedOptions = TCPQuirks(rawValue: 1 << 14)

    private static let names: [(TCPQuirks, String)] = [
        (.dontFragment, "df"), (.nonZeroIDWithDF, "id+"), (.zeroIDWithoutDF, "id-"), (.explicitCongestion, "ecn"),
        (.zeroSequence, "seq-"), (.ackNumberWithoutACK, "ack+"), (.zeroACKNumber, "ack-"),
        (.urgentPointerWithoutURG, "uptr+"), (.urgentFlag, "urgf+"), (.pushFlag, "pushf+"),
        (.zeroOwnTimestamp, "ts1-"), (.peerTimestampInSYN, "ts2+"), (.dataAfterEndOfList, "opt+"),
        (.excessiveWindowScale, "exws"), (.malformedOptions, "bad"),
    ]

    /// The quirks as p0f writes them, e.g. `df,id+`; empty when there are none.
    public var description: String {
        Self.names.filter { contains($0.0) }.map(\.1).joined(separator: ",")
    }
}
