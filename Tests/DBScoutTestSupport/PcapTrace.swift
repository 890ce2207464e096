import Foundation

/// The TCP payloads of a classic libpcap or a pcapng file, in capture order: just enough to replay recorded
/// handshakes through the codecs. Live capture belongs to the capture module, not here.
public struct PcapTrace: Sendable {
    /// One TCP segment with data.
    public struct Segment: Sendable {
        public let source: String
        public let destination: String
        public let sourcePort: UInt16
        public let destinationPort: UInt16
        public let payload: [UInt8]
    }

    public let segments: [Segment]

    /// One IPv4 packet that carries TCP, data or not (SYNs, SYN-ACKs and bare ACKs included), for tests that read
    /// the IP and TCP headers themselves.
    public struct TCPPacket: Sendable {
        /// The frame's position in the file, counting from 1 as tcpdump and Wireshark do.
        public let frameNumber: Int
        /// The bytes from the start of the IPv4 header to the end of the IP packet (or of the frame, if the capture
        /// cut it short), as libpcap hands them over after the link-layer header.
        public let ipv4: [UInt8]
    }

    /// Every IPv4 TCP packet of the trace, in capture order.
    public let tcpPackets: [TCPPacket]

    /// The folder of shared test data beside the project (`../shared/testdata`), if present.
    public static let sharedTestData: URL? = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let folder = root.deletingLastPathComponent().appendingPathComponent("shared/testdata")
        return FileManager.default.fileExists(atPath: folder.path) ? folder : nil
    }()

    /// Reads a trace under ``sharedTestData``.
    public static func shared(_ relativePath: String) throws -> PcapTrace {
        guard let folder = sharedTestData else { throw PcapError("../shared/testdata is absent") }
        return try PcapTrace(contentsOf: folder.appendingPathComponent(relativePath))
    }

    public init(contentsOf url: URL) throws {
        let bytes = [UInt8](try Data(contentsOf: url))
        let name = url.lastPathComponent
        let frames =
            bytes.starts(with: PcapTrace.sectionHeaderType)
            ? try PcapTrace.pcapngFrames(bytes, name: name) : try PcapTrace.classicFrames(bytes, name: name)
        segments = frames.compactMap { PcapTrace.segment($0.bytes, linkType: $0.linkType) }
        tcpPackets = frames.enumerated().compactMap { index, frame in
            PcapTrace.tcpPacket(frame.bytes, linkType: frame.linkType, frameNumber: index + 1)
        }
    }

    /// One captured link-layer frame and the link type it was captured on.
    private struct Frame {
        let linkType: UInt32
        let bytes: [UInt8]
    }

    private static func classicFrames(_ bytes: [UInt8], name: String) throws -> [Frame] {
        guard bytes.count >= 24 else { throw PcapError("\(name) is too short") }
        let magic = PcapTrace.read32(bytes, 0, littleEndian: true)
        let little: Bool
        switch magic {
        case 0xa1b2_c3d4, 0xa1b2_3c4d: little = true
        case 0xd4c3_b2a1, 0x4d3c_b2a1: little = false
        default: throw PcapError("\(name) is neither a classic pcap nor a pcapng file")
        }
        let linkType = PcapTrace.read32(bytes, 20, littleEndian: little)
        var frames: [Frame] = []
        var offset = 24
        while offset + 16 <= bytes.count {
            let length = Int(PcapTrace.read32(bytes, offset + 8, littleEndian: little))
            let start = offset + 16
            guard start + length <= bytes.count else { break }
            frames.append(Frame(linkType: linkType, bytes: Array(bytes[start..<start + length])))
            offset = start + length
        }
        return frames
    }

    /// The Section Header Block's type, the same in both byte orders.
    private static let sectionHeaderType: [UInt8] = [0x0a, 0x0d, 0x0d, 0x0a]

    /// The frames of a pcapng file: Interface Description blocks give each interface's link type, Enhanced and
    /// Simple Packet blocks the frames. Every section states its own byte order. Reading stops at the first block
    /// whose length is impossible, keeping what came before (as the classic reader does with a cut-off record).
    private static func pcapngFrames(_ bytes: [UInt8], name: String) throws -> [Frame] {
        var frames: [Frame] = []
        var linkTypes: [UInt32] = []
        var little = true
        var offset = 0
        while offset + 12 <= bytes.count {
            if bytes[offset..<offset + 4].elementsEqual(sectionHeaderType) {
                switch read32(bytes, offset + 8, littleEndian: true) {
                case 0x1a2b_3c4d: little = true
                case 0x4d3c_2b1a: little = false
                default:
                    guard offset == 0 else { return frames }
                    throw PcapError("\(name) has no pcapng byte-order magic")
                }
                linkTypes = []
            }
            let type = read32(bytes, offset, littleEndian: little)
            let length = Int(read32(bytes, offset + 4, littleEndian: little))
            guard length >= 12, length % 4 == 0, length <= bytes.count - offset else { break }
            let body = bytes[(offset + 8)..<(offset + length - 4)]
            switch type {
            case 1:
                if body.count >= 8 { linkTypes.append(UInt32(read16(bytes, body.startIndex, littleEndian: little))) }
            case 6:
                if let frame = enhancedPacket(body, linkTypes: linkTypes, littleEndian: little) { frames.append(frame) }
            case 3:
                if let frame = simplePacket(body, linkTypes: linkTypes, littleEndian: little) { frames.append(frame) }
            default:
                break
            }
            offset += length
        }
        return frames
    }

    /// Enhanced Packet: interface id, timestamp (8 bytes), captured and original lengths, then the frame.
    private static func enhancedPacket(_ body: ArraySlice<UInt8>, linkTypes: [UInt32], littleEndian: Bool) -> Frame? {
        guard body.count >= 20 else { return nil }
        let bytes = Array(body)
        let interface = Int(read32(bytes, 0, littleEndian: littleEndian))
        let captured = Int(read32(bytes, 12, littleEndian: littleEndian))
        guard interface < linkTypes.count, captured <= bytes.count - 20 else { return nil }
        return Frame(linkType: linkTypes[interface], bytes: Array(bytes[20..<20 + captured]))
    }

    /// Simple Packet: the original length, then the frame (cut to the block) from the section's first interface.
    private static func simplePacket(_ body: ArraySlice<UInt8>, linkTypes: [UInt32], littleEndian: Bool) -> Frame? {
        guard body.count >= 4, let linkType = linkTypes.first else { return nil }
        let bytes = Array(body)
        let captured = min(Int(read32(bytes, 0, littleEndian: littleEndian)), bytes.count - 4)
        return Frame(linkType: linkType, bytes: Array(bytes[4..<4 + captured]))
    }

    /// The payloads sent from `port` (the server side), concatenated in order.
    public func bytes(fromPort port: UInt16) -> [UInt8] {
        segments.filter { $0.sourcePort == port }.flatMap(\.payload)
    }

    /// The server's side of the first conversation with `serverPort`, as turns: each turn is what the server
    /// sent between two client messages, and waits for the client unless the server spoke first.
    public func replayTurns(serverPort: UInt16) -> [ReplayTurn] {
        var turns: [ReplayTurn] = []
        var clientSpoke = false
        let conversation = segments.filter { $0.sourcePort == serverPort || $0.destinationPort == serverPort }
        guard let first = conversation.first else { return [] }
        let clientPort = first.sourcePort == serverPort ? first.destinationPort : first.sourcePort
        for segment in conversation where segment.sourcePort == clientPort || segment.destinationPort == clientPort {
            if segment.destinationPort == serverPort {
                clientSpoke = true
            } else if !clientSpoke, let last = turns.popLast() {
                turns.append(ReplayTurn(waitsForClient: last.waitsForClient, bytes: last.bytes + segment.payload))
            } else {
                turns.append(ReplayTurn(waitsForClient: clientSpoke, bytes: segment.payload))
                clientSpoke = false
            }
        }
        return turns
    }

    /// The payloads sent to `port`, concatenated in order.
    public func bytes(toPort port: UInt16) -> [UInt8] {
        segments.filter { $0.destinationPort == port }.flatMap(\.payload)
    }

    /// Where the IP header starts in a frame of `linkType`, or `nil` for link types this reader does not know.
    private static func ipStart(_ frame: [UInt8], linkType: UInt32) -> Int? {
        switch linkType {
        case 1:  // Ethernet, possibly with one VLAN tag
            guard frame.count > 14 else { return nil }
            return frame[12] == 0x81 && frame[13] == 0x00 ? 18 : 14
        case 0, 108: return 4  // BSD loopback
        case 113: return 16  // Linux cooked
        case 276: return 20  // Linux cooked v2
        case 101, 12, 228: return 0  // raw IP, raw IPv4
        default: return nil
        }
    }

    /// The IPv4 packet in `frame` if it carries TCP. Its headers are left for the caller to check.
    private static func tcpPacket(_ frame: [UInt8], linkType: UInt32, frameNumber: Int) -> TCPPacket? {
        guard let ipStart = ipStart(frame, linkType: linkType), frame.count >= ipStart + 20,
            frame[ipStart] >> 4 == 4, frame[ipStart + 9] == 6
        else { return nil }
        let totalLength = Int(frame[ipStart + 2]) << 8 | Int(frame[ipStart + 3])
        // A zero total length (segmentation offload on the capturing host) leaves the frame's end as the bound;
        // otherwise the total length cuts off Ethernet padding.
        let end = totalLength == 0 ? frame.count : min(frame.count, ipStart + totalLength)
        guard end > ipStart else { return nil }
        return TCPPacket(frameNumber: frameNumber, ipv4: Array(frame[ipStart..<end]))
    }

    private static func segment(_ frame: [UInt8], linkType: UInt32) -> Segment? {
        guard let ipStart = ipStart(frame, linkType: linkType), frame.count > ipStart + 20,
            frame[ipStart] >> 4 == 4, frame[ipStart + 9] == 6
        else { return nil }
        let ipLength = Int(frame[ipStart] & 0x0f) * 4
        let totalLength = Int(frame[ipStart + 2]) << 8 | Int(frame[ipStart + 3])
        let tcpStart = ipStart + ipLength
        guard frame.count >= tcpStart + 20 else { return nil }
        let tcpLength = Int(frame[tcpStart + 12] >> 4) * 4
        let end = min(frame.count, ipStart + totalLength)
        guard tcpStart + tcpLength <= end else { return nil }
        let address = { (at: Int) in (0..<4).map { String(frame[at + $0]) }.joined(separator: ".") }
        return Segment(
            source: address(ipStart + 12),
            destination: address(ipStart + 16),
            sourcePort: UInt16(frame[tcpStart]) << 8 | UInt16(frame[tcpStart + 1]),
            destinationPort: UInt16(frame[tcpStart + 2]) << 8 | UInt16(frame[tcpStart + 3]),
            payload: Array(frame[(tcpStart + tcpLength)..<end])
        ).nonEmpty
    }

    /// The caller checks that four bytes are there.
    private static func read32(_ bytes: [UInt8], _ offset: Int, littleEndian: Bool) -> UInt32 {
        let value = (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
        return littleEndian ? value : value.byteSwapped
    }

    /// The caller checks that two bytes are there.
    private static func read16(_ bytes: [UInt8], _ offset: Int, littleEndian: Bool) -> UInt16 {
        let value = UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
        return littleEndian ? value : value.byteSwapped
    }
}

extension PcapTrace.Segment {
    fileprivate var nonEmpty: Self? { payload.isEmpty ? nil : self }
}

/// One turn of a recorded server: bytes it sent, and whether it waited for the client first.
public struct ReplayTurn: Sendable, Hashable {
    public let waitsForClient: Bool
    public let bytes: [UInt8]

    public init(waitsForClient: Bool, bytes: [UInt8]) {
        self.waitsForClient = waitsForClient
        self.bytes = bytes
    }
}

/// A trace that cannot be read.
public struct PcapError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
