import DBScoutCore
import DBScoutProtocols
import DBScoutTestSupport
import Foundation
import NIOCore
import Testing

/// Every SYN-ACK under ../shared/testdata, and every SYN but nmap's crafted probes, against the verdict expected
/// in Manifest/syn-ack.tsv. SYN-ACKs are classified with the offer of the SYN they answer, as in a passive pair.
@Suite("Host OS of recorded SYNs and SYN-ACKs", .enabled(if: TraceFixtures.available, "needs ../shared/testdata"))
struct OSTraceManifestTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let path: String
        let frame: Int
        let role: String
        let sender: String
        let expected: String
        let label: String?
        let p0f: String

        var testDescription: String { "\(path) #\(frame) \(role) from \(sender)" }
    }

    static let rows: [Row] = ManifestTable.rows("Manifest/syn-ack.tsv", besides: #filePath, columns: 7).compactMap {
        columns in
        guard let frame = Int(columns[1]) else { return nil }
        return Row(
            path: columns[0],
            frame: frame,
            role: columns[2],
            sender: columns[3],
            expected: columns[4],
            label: ManifestTable.value(columns[5]),
            p0f: columns[6]
        )
    }

    @Test(arguments: rows)
    func verdict(_ row: Row) throws {
        let packets = try OSTracePackets.signatures(row.path)
        let packet = try #require(packets.first { $0.frame == row.frame }?.signature, "no TCP packet #\(row.frame)")
        #expect(OSTracePackets.roleName(packet) == row.role)
        #expect("\(packet.source):\(packet.sourcePort)" == row.sender)
        let verdict = OSTracePackets.classify(packet, in: packets.map(\.signature))
        #expect(OSTracePackets.outcomeName(verdict) == row.expected, "\(verdict.outcome)")
        #expect((verdict.os == nil ? nil : verdict.label) == row.label)
    }

    /// The manifest misses no SYN-ACK and no OS-made SYN, and names none that is not there.
    @Test func theManifestCoversEveryHandshakePacket() throws {
        let listed = Set(Self.rows.map { "\($0.path)#\($0.frame)" })
        #expect(listed.count == Self.rows.count, "a packet is listed twice")
        var found: Set<String> = []
        for path in try OSTracePackets.allTraces() {
            for (frame, packet) in try OSTracePackets.signatures(path) where OSTracePackets.isListed(packet, in: path) {
                found.insert("\(path)#\(frame)")
            }
        }
        #expect(found.subtracting(listed).sorted() == [])
        #expect(listed.subtracting(found).sorted() == [])
        #expect(Self.rows.filter { $0.role == "syn-ack" }.count >= 140)
    }

    /// The middlebox and unknown verdicts all carry a reason, and identified ones the signature they matched.
    @Test func everyVerdictExplainsItself() throws {
        for row in Self.rows {
            let packets = try OSTracePackets.signatures(row.path)
            let packet = try #require(packets.first { $0.frame == row.frame }?.signature)
            let facts = Set(OSTracePackets.classify(packet, in: packets.map(\.signature)).evidence.map(\.fact))
            let needed =
                row.expected == "middlebox"
                ? "os.tcp.middlebox"
                : row.expected == "unknown"
                    ? "os.tcp.unknown" : "os.tcp.signature"
            #expect(facts.isSuperset(of: ["os.tcp.ttl", "os.tcp.window", "os.tcp.options", needed]), "\(row)")
        }
    }

    /// Writes our verdict for every listed packet as TSV when DBSCOUT_OS_TABLE names a file; scripts/compare-p0f.sh
    /// reads it.
    @Test func verdictTable() throws {
        var lines = ["path\tframe\trole\tsender\treceiver\tours\tlabel\tconfidence\toptions\twindow\tttl"]
        for row in Self.rows {
            let packets = try OSTracePackets.signatures(row.path)
            let packet = try #require(packets.first { $0.frame == row.frame }?.signature)
            let verdict = OSTracePackets.classify(packet, in: packets.map(\.signature))
            let columns: [String] = [
                row.path, String(row.frame), row.role, row.sender, "\(packet.destination):\(packet.destinationPort)",
                OSTracePackets.outcomeName(verdict), verdict.label, String(format: "%.2f", verdict.confidence),
                packet.layout.layoutDescription, String(packet.window), String(packet.ttl),
            ]
            lines.append(columns.joined(separator: "\t"))
        }
        #expect(lines.count == Self.rows.count + 1)
        if let path = ProcessInfo.processInfo.environment["DBSCOUT_OS_TABLE"] {
            try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
    }
}

/// SYNs and SYN-ACKs read from the shared traces, shared by the OS test suites.
enum OSTracePackets {
    /// The decoded TCP packets of a trace under ../shared/testdata, with their frame numbers.
    static func signatures(_ path: String) throws -> [(frame: Int, signature: TCPSignature)] {
        try PcapTrace.shared(path).tcpPackets.compactMap { packet in
            TCPSignature.decode(ByteBuffer(bytes: packet.headers)).value.map { (packet.frameNumber, $0) }
        }
    }

    /// The first SYN-ACK of a trace and the SYN it answers.
    static func firstSYNACK(in path: String) throws -> (TCPSignature, TCPSignature?)? {
        let packets = try signatures(path).map(\.signature)
        return packets.first(where: \.isSYNACK).map { ($0, syn(answeredBy: $0, in: packets)) }
    }

    /// The SYN that `synAck` acknowledges: reversed addresses and ports, and the SYN's sequence number plus one.
    static func syn(answeredBy synAck: TCPSignature, in packets: [TCPSignature]) -> TCPSignature? {
        packets.last { syn in
            syn.isSYN && syn.source == synAck.destination && syn.sourcePort == synAck.destinationPort
                && syn.destination == synAck.source && syn.destinationPort == synAck.sourcePort
                && syn.sequenceNumber &+ 1 == synAck.acknowledgementNumber
        }
    }

    /// Classifies `packet`, giving a SYN-ACK the offer of its SYN when the trace holds it.
    static func classify(_ packet: TCPSignature, in packets: [TCPSignature]) -> OSVerdict {
        let offer = packet.isSYNACK ? syn(answeredBy: packet, in: packets).map(OptionOffer.init) : nil
        return TCPOSClassifier.classify(packet, offer: offer)
    }

    static func roleName(_ packet: TCPSignature) -> String? {
        packet.isSYNACK ? "syn-ack" : packet.isSYN ? "syn" : nil
    }

    static func outcomeName(_ verdict: OSVerdict) -> String {
        switch verdict.outcome {
        case .identified(let os): os.rawValue
        case .middlebox: "middlebox"
        case .unknown: "unknown"
        }
    }

    /// Every SYN-ACK; every SYN but those of nmap's runs in captures/, which are mostly crafted probes.
    static func isListed(_ packet: TCPSignature, in path: String) -> Bool {
        packet.isSYNACK || (packet.isSYN && !(path.hasPrefix("captures/") && path.contains("nmap")))
    }

    /// The traces under ../shared/testdata, as paths relative to it.
    static func allTraces() throws -> [String] {
        let root = try #require(PcapTrace.sharedTestData)
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)?.allObjects ?? []
        let prefix = root.standardizedFileURL.path + "/"
        return files.compactMap { ($0 as? URL)?.standardizedFileURL.path }
            .filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }
            .map { String($0.dropFirst(prefix.count)) }
            .sorted()
    }
}
