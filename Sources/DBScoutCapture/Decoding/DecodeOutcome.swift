/// Why a captured frame gave no TCP segment. Every frame that is not a whole, unfragmented TCP segment over IPv4
/// or IPv6 ends up under one of these, so a capture can say what it skipped.
public enum SkipReason: String, Error, Sendable, Hashable, CaseIterable {
    /// A DLT_* value the decoder does not read.
    case unsupportedLinkType
    /// The frame ends inside the link-layer header or its VLAN tags.
    case truncatedLinkHeader
    /// The link layer carries something else than IP (ARP, LLDP, an unknown loopback family...).
    case notIP
    /// The frame ends inside the IPv4 or IPv6 header or an IPv6 extension header.
    case truncatedIPHeader
    /// An IP header that cannot be right: wrong version, header longer than the packet, too many extension headers.
    case malformedIPHeader
    /// An IPv4 or IPv6 fragment: counted, not reassembled.
    case ipFragment
    /// IP, but not TCP (UDP, ICMP, ESP...).
    case notTCP
    /// The packet ends inside the TCP header.
    case truncatedTCPHeader
    /// A TCP data offset below five words or beyond the packet.
    case malformedTCPHeader
    /// The capture cut the payload short (snapshot length below the packet size), so its bytes cannot be
    /// placed in a stream.
    case truncatedPayload
}

/// What one frame decoded to.
public enum DecodeOutcome: Sendable, Hashable {
    case segment(TCPSegment)
    case skipped(SkipReason)

    /// The segment, if the frame held one.
    public var segment: TCPSegment? {
        if case .segment(let segment) = self { return segment }
        return nil
    }
}

/// Running totals of decoded frames: segments, and skips by reason.
public struct DecodeCounters: Sendable, Hashable {
    public private(set) var segments = 0
    public private(set) var skipped: [SkipReason: Int] = [:]

    public init() {}

    /// Every frame counted so far.
    public var frames: Int { skipped.values.reduce(segments, +) }

    /// How many frames were skipped for `reason`.
    public subscript(reason: SkipReason) -> Int { skipped[reason] ?? 0 }

    public mutating func count(_ outcome: DecodeOutcome) {
        switch outcome {
        case .segment: segments += 1
        case .skipped(let reason): skipped[reason, default: 0] += 1
        }
    }
}
