import DBScoutCore

/// The facts of an IPv4 or IPv6 header that TCP decoding needs.
struct IPPacket: Sendable, Hashable {
    let source: IPAddress
    let destination: IPAddress
    /// Where the IP header starts in the frame.
    let ipOffset: Int
    /// Where the transport header starts in the frame.
    let transportOffset: Int
    /// Where the IP packet ends in the frame: its stated length, or the frame's end when the capture has less.
    let end: Int
    /// Whether the frame holds fewer bytes than the IP header says the packet has.
    let isCut: Bool
    let transportProtocol: UInt8
}

/// Reads IPv4 and IPv6 headers; fragments and malformed headers are reasons, never traps.
enum IPDecoder {
    /// IPv6 extension headers walked before giving up: real packets carry two or three.
    static let maxExtensionHeaders = 8

    static func decode(_ frame: [UInt8], at start: NetworkStart) -> Result<IPPacket, SkipReason> {
        switch start.network {
        case .ipv4: return ipv4(frame, at: start.offset)
        case .ipv6: return ipv6(frame, at: start.offset)
        case .eitherIP:
            switch frame.byte(at: start.offset).map({ $0 >> 4 }) {
            case 4: return ipv4(frame, at: start.offset)
            case 6: return ipv6(frame, at: start.offset)
            case nil: return .failure(.truncatedIPHeader)
            default: return .failure(.malformedIPHeader)
            }
        }
    }

    static func ipv4(_ frame: [UInt8], at offset: Int) -> Result<IPPacket, SkipReason> {
        guard let first = frame.byte(at: offset), frame.count >= offset + 20 else {
            return .failure(.truncatedIPHeader)
        }
        let headerLength = Int(first & 0x0f) * 4
        guard first >> 4 == 4, headerLength >= 20 else { return .failure(.malformedIPHeader) }
        guard frame.count >= offset + headerLength, let totalLength = frame.uint16(at: offset + 2),
            let fragment = frame.uint16(at: offset + 6), let source = frame.uint32(at: offset + 12),
            let destination = frame.uint32(at: offset + 16), let transport = frame.byte(at: offset + 9)
        else { return .failure(.truncatedIPHeader) }
        // A total length of zero is what segmentation offload leaves in locally captured packets.
        guard totalLength == 0 || Int(totalLength) >= headerLength else { return .failure(.malformedIPHeader) }
        // More-fragments set or a non-zero offset: a piece of a datagram.
        guard fragment & 0x3fff == 0 else { return .failure(.ipFragment) }
        let stated = totalLength == 0 ? frame.count - offset : Int(totalLength)
        return .success(
            IPPacket(
                source: .v4(source),
                destination: .v4(destination),
                ipOffset: offset,
                transportOffset: offset + headerLength,
                end: min(frame.count, offset + stated),
                isCut: frame.count < offset + stated,
                transportProtocol: transport
            )
        )
    }

    static func ipv6(_ frame: [UInt8], at offset: Int) -> Result<IPPacket, SkipReason> {
        guard let first = frame.byte(at: offset), let payloadLength = frame.uint16(at: offset + 4),
            let firstNext = frame.byte(at: offset + 6), let source = frame.unsigned(at: offset + 8, length: 16),
            let destination = frame.unsigned(at: offset + 24, length: 16)
        else { return .failure(.truncatedIPHeader) }
        guard first >> 4 == 6 else { return .failure(.malformedIPHeader) }
        // A zero payload length is a jumbogram or an offloaded segment: the frame is the bound.
        let stated = payloadLength == 0 ? frame.count - offset : 40 + Int(payloadLength)
        let end = min(frame.count, offset + stated)
        let transport: (protocol: UInt8, offset: Int)
        switch skipExtensionHeaders(frame, next: firstNext, at: offset + 40, end: end) {
        case .success(let found): transport = found
        case .failure(let reason): return .failure(reason)
        }
        return .success(
            IPPacket(
                source: .v6(source),
                destination: .v6(destination),
                ipOffset: offset,
                transportOffset: transport.offset,
                end: end,
                isCut: frame.count < offset + stated,
                transportProtocol: transport.protocol
            )
        )
    }

    /// Walks hop-by-hop, routing, destination options, fragment and AH headers up to the transport header.
    private static func skipExtensionHeaders(
        _ frame: [UInt8],
        next first: UInt8,
        at start: Int,
        end: Int
    ) -> Result<(protocol: UInt8, offset: Int), SkipReason> {
        var next = first
        var offset = start
        for _ in 0...maxExtensionHeaders {
            let length: Int
            switch next {
            case 0, 43, 60, 135, 139, 140:  // hop-by-hop, routing, destination options, mobility, HIP, shim6
                guard let words = frame.byte(at: offset + 1), offset + 2 <= end else {
                    return .failure(.truncatedIPHeader)
                }
                length = (Int(words) + 1) * 8
            case 44:  // fragment
                guard let offsetAndFlags = frame.uint16(at: offset + 2), offset + 8 <= end else {
                    return .failure(.truncatedIPHeader)
                }
                // An atomic fragment (offset 0, no more fragments) is a whole packet and reads on.
                guard offsetAndFlags & 0xfff9 == 0 else { return .failure(.ipFragment) }
                length = 8
            case 51:  // authentication header: length in 4-byte words, minus two
                guard let words = frame.byte(at: offset + 1), offset + 2 <= end else {
                    return .failure(.truncatedIPHeader)
                }
                length = (Int(words) + 2) * 4
            default:
                return .success((next, offset))
            }
            guard offset + length <= end, let following = frame.byte(at: offset) else {
                return .failure(.truncatedIPHeader)
            }
            next = following
            offset += length
        }
        return .failure(.malformedIPHeader)
    }
}
