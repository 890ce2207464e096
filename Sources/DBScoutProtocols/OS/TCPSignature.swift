import DBScoutCore
import NIOCore

/// The facts of one IPv4 + TCP header that tell stacks apart: TTL, DF and IP ID, window, options in order, and
/// quirks. Read from the bytes libpcap hands over after the link layer (an IPv4 header, then a TCP header).
///
/// Only headers are read; any payload after them is ignored.
public struct TCPSignature: Hashable, Sendable {
    public let source: IPAddress
    public let destination: IPAddress
    public let sourcePort: UInt16
    public let destinationPort: UInt16
    /// The TTL as it arrived; see ``ttlEstimate`` for the initial value and hops.
    public let ttl: UInt8
    /// The IP identification field.
    public let ipID: UInt16
    /// Whether IP "don't fragment" is set.
    public let dontFragment: Bool
    /// The two ECN bits of the IP header (RFC 3168).
    public let ecn: UInt8
    /// Bytes of IP options (0 for a 20-byte header).
    public let ipOptionsLength: Int
    public let sequenceNumber: UInt32
    public let acknowledgementNumber: UInt32
    public let flags: TCPFlags
    /// The raw (unscaled) window: in a SYN or SYN-ACK no scaling applies to it yet.
    public let window: UInt16
    public let urgentPointer: UInt16
    /// The TCP options in the order they appeared.
    public let options: [TCPOption]
    public let quirks: TCPQuirks

    /// IPv4 without options is 20 bytes; IHL caps the header at 60.
    static let minimumIPHeader = 20
    /// TCP without options is 20 bytes; the data offset caps the header at 60.
    static let minimumTCPHeader = 20

    /// Decodes the IPv4 and TCP headers at the start of `bytes`.
    ///
    /// `.needMoreData` while the bytes end inside the headers; `.invalid` for anything but the first fragment of
    /// an IPv4 packet carrying TCP, or for header lengths that cannot be. The message consumed is the two headers.
    public static func decode(_ bytes: ByteBuffer) -> Decoded<TCPSignature> {
        let start = bytes.readerIndex
        guard let versionAndLength: UInt8 = bytes.getInteger(at: start) else { return .needMoreData }
        guard versionAndLength >> 4 == 4 else { return .invalid("IP version \(versionAndLength >> 4), not 4") }
        let ipLength = Int(versionAndLength & 0x0f) * 4
        guard ipLength >= minimumIPHeader else { return .invalid("IPv4 header length \(ipLength) is below 20") }
        guard bytes.readableBytes >= ipLength else { return .needMoreData }
        let ip = IPv4Fields(bytes, at: start)
        guard ip.protocolNumber == 6 else { return .invalid("IP protocol \(ip.protocolNumber), not TCP") }
        guard ip.fragmentOffset == 0 else { return .invalid("a later fragment carries no TCP header") }
        guard ip.totalLength == 0 || ip.totalLength >= ipLength + minimumTCPHeader else {
            return .invalid("IP total length \(ip.totalLength) leaves no room for a TCP header")
        }
        guard bytes.readableBytes >= ipLength + minimumTCPHeader else { return .needMoreData }
        let tcpStart = start + ipLength
        guard let offsetByte: UInt8 = bytes.getInteger(at: tcpStart + 12) else { return .needMoreData }
        let tcpLength = Int(offsetByte >> 4) * 4
        guard tcpLength >= minimumTCPHeader else { return .invalid("TCP data offset \(tcpLength) is below 20") }
        guard ip.totalLength == 0 || ip.totalLength >= ipLength + tcpLength else {
            return .invalid("the TCP header runs past the IP total length \(ip.totalLength)")
        }
        guard bytes.readableBytes >= ipLength + tcpLength,
            let optionBytes = bytes.getBytes(at: tcpStart + minimumTCPHeader, length: tcpLength - minimumTCPHeader)
        else { return .needMoreData }
        let signature = TCPSignature(ip: ip, ipLength: ipLength, tcp: bytes, at: tcpStart, options: optionBytes)
        return .message(signature, consumed: ipLength + tcpLength)
    }

    /// Builds the signature once both headers are known to be complete; reads no byte past them.
    private init(ip: IPv4Fields, ipLength: Int, tcp bytes: ByteBuffer, at start: Int, options optionBytes: [UInt8]) {
        let field16 = { (offset: Int) in bytes.getInteger(at: start + offset, as: UInt16.self) ?? 0 }
        let field32 = { (offset: Int) in bytes.getInteger(at: start + offset, as: UInt32.self) ?? 0 }
        source = .v4(ip.source)
        destination = .v4(ip.destination)
        ttl = ip.ttl
        ipID = ip.identification
        dontFragment = ip.dontFragment
        ecn = ip.ecn
        ipOptionsLength = ipLength - Self.minimumIPHeader
        sourcePort = field16(0)
        destinationPort = field16(2)
        sequenceNumber = field32(4)
        acknowledgementNumber = field32(8)
        flags = TCPFlags(rawValue: bytes.getInteger(at: start + 13) ?? 0)
        window = field16(14)
        urgentPointer = field16(18)
        let list = TCPOptionList(optionBytes)
        options = list.options
        quirks = Self.quirks(
            ip: ip,
            tcpFlags: flags,
            sequence: sequenceNumber,
            ack: acknowledgementNumber,
            urgentPointer: urgentPointer,
            options: list
        )
    }

    /// The quirks as p0f defines them (docs/README §5), each read from one header field.
    private static func quirks(
        ip: IPv4Fields,
        tcpFlags: TCPFlags,
        sequence: UInt32,
        ack: UInt32,
        urgentPointer: UInt16,
        options list: TCPOptionList
    ) -> TCPQuirks {
        var quirks: TCPQuirks = []
        let rules: [(Bool, TCPQuirks)] = [
            (ip.dontFragment, .dontFragment),
            (ip.dontFragment && ip.identification != 0, .nonZeroIDWithDF),
            (!ip.dontFragment && ip.identification == 0, .zeroIDWithoutDF),
            (ip.ecn != 0 || !tcpFlags.isDisjoint(with: [.ece, .cwr]), .explicitCongestion),
            (sequence == 0, .zeroSequence),
            (!tcpFlags.contains(.ack) && ack != 0, .ackNumberWithoutACK),
            (tcpFlags.contains(.ack) && ack == 0, .zeroACKNumber),
            (!tcpFlags.contains(.urg) && urgentPointer != 0, .urgentPointerWithoutURG),
            (tcpFlags.contains(.urg), .urgentFlag),
            (tcpFlags.contains(.psh), .pushFlag),
            (list.dataAfterEnd, .dataAfterEndOfList),
            (list.malformed, .malformedOptions),
        ]
        for (applies, quirk) in rules where applies { quirks.insert(quirk) }
        for option in list.options {
            switch option {
            case .timestamp(let value, let echo):
                if value == 0 { quirks.insert(.zeroOwnTimestamp) }
                if echo != 0 && tcpFlags.contains(.syn) && !tcpFlags.contains(.ack) {
                    quirks.insert(.peerTimestampInSYN)
                }
            case .windowScale(let shift) where shift > 14:
                quirks.insert(.excessiveWindowScale)
            default:
                break
            }
        }
        return quirks
    }
}

extension TCPSignature {
    /// A SYN opening a connection (SYN without ACK).
    public var isSYN: Bool { flags.contains(.syn) && !flags.contains(.ack) }
    /// The answer to a SYN (SYN and ACK).
    public var isSYNACK: Bool { flags.isSuperset(of: [.syn, .ack]) }

    /// The initial TTL and hop count this packet's TTL implies.
    public var ttlEstimate: TTLEstimate { TTLEstimate(observed: ttl) }

    /// The option kinds in order, e.g. `[.mss, .sok, .ts, .nop, .ws]`.
    public var layout: [TCPOption.Kind] { options.map(\.kind) }

    public var maximumSegmentSize: UInt16? {
        for case .maximumSegmentSize(let value) in options { return value }
        return nil
    }

    public var windowScale: UInt8? {
        for case .windowScale(let value) in options { return value }
        return nil
    }

    public var sackPermitted: Bool { options.contains(.sackPermitted) }

    /// The sender's timestamp value, if the timestamps option is present.
    public var timestampValue: UInt32? {
        for case .timestamp(let value, _) in options { return value }
        return nil
    }
}

/// The IPv4 header fields a signature uses; the caller checks that the 20 fixed bytes are there.
private struct IPv4Fields {
    let ecn: UInt8
    let totalLength: Int
    let identification: UInt16
    let dontFragment: Bool
    let fragmentOffset: UInt16
    let ttl: UInt8
    let protocolNumber: UInt8
    let source: UInt32
    let destination: UInt32

    init(_ bytes: ByteBuffer, at start: Int) {
        let flagsAndOffset = bytes.getInteger(at: start + 6, as: UInt16.self) ?? 0
        ecn = (bytes.getInteger(at: start + 1, as: UInt8.self) ?? 0) & 0x03
        totalLength = Int(bytes.getInteger(at: start + 2, as: UInt16.self) ?? 0)
        identification = bytes.getInteger(at: start + 4, as: UInt16.self) ?? 0
        dontFragment = flagsAndOffset & 0x4000 != 0
        fragmentOffset = flagsAndOffset & 0x1fff
        ttl = bytes.getInteger(at: start + 8, as: UInt8.self) ?? 0
        protocolNumber = bytes.getInteger(at: start + 9, as: UInt8.self) ?? 0
        source = bytes.getInteger(at: start + 12, as: UInt32.self) ?? 0
        destination = bytes.getInteger(at: start + 16, as: UInt32.self) ?? 0
    }
}
