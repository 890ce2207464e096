/// The network layer a link-layer header announces.
enum NetworkProtocol: Sendable, Hashable {
    case ipv4, ipv6
    /// Raw IP link types that carry either version: the version nibble decides.
    case eitherIP
}

/// Where the IP packet starts in a frame, and which IP it is.
struct NetworkStart: Sendable, Hashable {
    let network: NetworkProtocol
    let offset: Int
}

/// Peels the link-layer header off a captured frame, by DLT_* link type.
enum LinkDecoder {
    /// More stacked VLAN tags than this is not a real frame; the bound keeps the walk short on garbage.
    static let maxVLANTags = 4

    static func networkStart(frame: [UInt8], linkType: Int32) -> Result<NetworkStart, SkipReason> {
        switch linkType {
        case 1: ethernet(frame)
        case 113: etherType(frame, at: 14, headerEnd: 16)  // Linux cooked: protocol at 14, 16-byte header
        case 276: etherType(frame, at: 0, headerEnd: 20)  // Linux cooked v2: protocol first, 20-byte header
        case 0, 108: loopback(frame)
        case 12, 101: raw(frame, .eitherIP)
        case 228: raw(frame, .ipv4)
        case 229: raw(frame, .ipv6)
        default: .failure(.unsupportedLinkType)
        }
    }

    /// Ethernet II: the EtherType at 12, after as many 802.1Q / 802.1ad tags as there are.
    private static func ethernet(_ frame: [UInt8]) -> Result<NetworkStart, SkipReason> {
        etherType(frame, at: 12, headerEnd: 14)
    }

    /// Reads the EtherType at `offset`, skipping the 4-byte VLAN tags that may sit there (each tag ends with the
    /// next EtherType); the IP header follows the last EtherType.
    private static func etherType(_ frame: [UInt8], at offset: Int, headerEnd: Int) -> Result<NetworkStart, SkipReason>
    {
        guard frame.count >= headerEnd, var type = frame.uint16(at: offset) else {
            return .failure(.truncatedLinkHeader)
        }
        var start = headerEnd
        var tags = 0
        while type == 0x8100 || type == 0x88a8 || type == 0x9100 {
            tags += 1
            guard tags <= maxVLANTags else { return .failure(.notIP) }
            // The tag's own EtherType field is the last two bytes of its four.
            guard let inner = frame.uint16(at: start + 2), frame.count >= start + 4 else {
                return .failure(.truncatedLinkHeader)
            }
            type = inner
            start += 4
        }
        switch type {
        case 0x0800: return .success(NetworkStart(network: .ipv4, offset: start))
        case 0x86dd: return .success(NetworkStart(network: .ipv6, offset: start))
        default: return .failure(.notIP)
        }
    }

    /// BSD loopback: a 4-byte address family, in the capturing host's byte order for DLT_NULL and in network
    /// order for DLT_LOOP. Reading it both ways costs nothing and the values cannot collide.
    private static func loopback(_ frame: [UInt8]) -> Result<NetworkStart, SkipReason> {
        guard let family = frame.uint32(at: 0) else { return .failure(.truncatedLinkHeader) }
        // AF_INET is 2 everywhere; AF_INET6 is 10 (Linux), 24 (NetBSD, OpenBSD), 28 (FreeBSD), 30 (Darwin).
        switch min(family, family.byteSwapped) {
        case 2: return .success(NetworkStart(network: .ipv4, offset: 4))
        case 10, 24, 28, 30: return .success(NetworkStart(network: .ipv6, offset: 4))
        default: return .failure(.notIP)
        }
    }

    private static func raw(_ frame: [UInt8], _ network: NetworkProtocol) -> Result<NetworkStart, SkipReason> {
        frame.isEmpty ? .failure(.truncatedIPHeader) : .success(NetworkStart(network: network, offset: 0))
    }
}
