import DBScoutCapture
import DBScoutCore
import Foundation

/// A capture file read through the capture module (libpcap and ``PacketDecoder``), with the views the codec and
/// scanner tests replay recorded handshakes from: data segments, TCP headers, and a server's turns.
public struct PcapTrace: Sendable {
    /// One TCP segment with data.
    public struct Segment: Sendable {
        public let source: String
        public let destination: String
        public let sourcePort: UInt16
        public let destinationPort: UInt16
        public let payload: [UInt8]
    }

    /// One TCP segment, data or not (SYNs, SYN-ACKs and bare ACKs included), for tests that read the IP and TCP
    /// headers themselves.
    public struct TCPPacket: Sendable {
        /// The frame's position in the file, counting from 1 as tcpdump and Wireshark do.
        public let frameNumber: Int
        /// The IP header (IPv4, or IPv6 with its extension headers) followed by the TCP header with its options.
        public let headers: [UInt8]
    }

    /// The file as libpcap read it.
    public let file: CaptureFile
    /// Every TCP segment that carries data, in capture order.
    public let segments: [Segment]
    /// Every TCP segment, in capture order.
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

    /// - Throws: ``CaptureError`` when libpcap cannot read the file.
    public init(contentsOf url: URL) throws {
        file = try CaptureFile(path: url.path)
        let decoded = file.segments
        tcpPackets = decoded.map { TCPPacket(frameNumber: $0.frame.number, headers: Array($0.segment.headers)) }
        segments = decoded.compactMap { Segment($0.segment) }
    }

    /// The payloads sent from `port` (the server side), concatenated in order.
    public func bytes(fromPort port: UInt16) -> [UInt8] {
        segments.filter { $0.sourcePort == port }.flatMap(\.payload)
    }

    /// The payloads sent to `port`, concatenated in order.
    public func bytes(toPort port: UInt16) -> [UInt8] {
        segments.filter { $0.destinationPort == port }.flatMap(\.payload)
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
}

extension PcapTrace.Segment {
    /// The segment's addresses, ports and payload; `nil` when it carries no data.
    fileprivate init?(_ segment: TCPSegment) {
        guard !segment.payload.isEmpty else { return nil }
        source = segment.source.address.description
        destination = segment.destination.address.description
        sourcePort = segment.source.port
        destinationPort = segment.destination.port
        payload = Array(segment.payload)
    }
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
