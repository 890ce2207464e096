/// Where the IP header starts in a captured frame, by link type; `nil` for link types we do not read.
enum LinkLayer {
    static func ipOffset(linkType: Int32, frame: [UInt8]) -> Int? {
        switch linkType {
        case 1:  // Ethernet, with at most one VLAN tag
            guard frame.count > 14 else { return nil }
            return frame[12] == 0x81 && frame[13] == 0x00 ? 18 : 14
        case 0, 108: return 4  // BSD loopback
        case 113: return 16  // Linux cooked (the `any` device)
        case 276: return 20  // Linux cooked v2
        case 12, 101, 228: return 0  // raw IP
        default: return nil
        }
    }
}

/// The IPv4 and TCP headers of a SYN-ACK, and who sent it to whom.
struct SYNACKHeaders: Sendable, Hashable {
    let source: [UInt8]
    let sourcePort: UInt16
    let destinationPort: UInt16
    /// The IPv4 header followed by the TCP header, options included, without payload.
    let headers: [UInt8]

    /// Reads a SYN-ACK from a frame; `nil` for anything else (other flags, IPv6, fragments, short frames).
    init?(frame: [UInt8], linkType: Int32) {
        guard let start = LinkLayer.ipOffset(linkType: linkType, frame: frame), frame.count >= start + 20,
            frame[start] >> 4 == 4, frame[start + 9] == 6
        else { return nil }
        let ipLength = Int(frame[start] & 0x0f) * 4
        let tcp = start + ipLength
        guard ipLength >= 20, frame.count >= tcp + 20 else { return nil }
        let tcpLength = Int(frame[tcp + 12] >> 4) * 4
        let flags = frame[tcp + 13]
        guard tcpLength >= 20, frame.count >= tcp + tcpLength, flags & 0x12 == 0x12, flags & 0x04 == 0 else {
            return nil
        }
        source = Array(frame[(start + 12)..<(start + 16)])
        sourcePort = UInt16(frame[tcp]) << 8 | UInt16(frame[tcp + 1])
        destinationPort = UInt16(frame[tcp + 2]) << 8 | UInt16(frame[tcp + 3])
        headers = Array(frame[start..<(tcp + tcpLength)])
    }
}
