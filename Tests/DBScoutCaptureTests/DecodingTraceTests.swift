import DBScoutCapture
import DBScoutCore
import DBScoutProtocols
import DBScoutTestSupport
import Foundation
import Testing

/// Every frame of every shared trace, read through libpcap (``CaptureFile``) and decoded. The expected counts
/// come from `tcpdump -nr` on the same files (TCP lines, and TCP lines with `length` above zero).
@Suite("Decoding the shared traces", .enabled(if: PcapTrace.sharedTestData != nil, "needs ../shared/testdata"))
struct DecodingTraceTests {
    struct Expected: Sendable, CustomTestStringConvertible {
        let path: String
        let frames: Int
        let segments: Int
        let withPayload: Int
        var skipped: [SkipReason: Int] = [:]

        var testDescription: String { path }
    }

    static let expectations: [Expected] = [
        Expected(path: "public-traces/arkime/mysql-tls.pcap", frames: 10, segments: 10, withPayload: 4),
        Expected(path: "public-traces/nDPI/pgsql2.pcapng", frames: 19, segments: 19, withPayload: 8),
        Expected(
            path: "public-traces/suricata-verify/pgsql-cancel-request.pcap",
            frames: 29,
            segments: 29,
            withPayload: 11
        ),
        Expected(
            path: "public-traces/suricata-verify/pgsql-bug-6080-probe-test-01.pcap",
            frames: 12,
            segments: 12,
            withPayload: 3
        ),
        Expected(path: "public-traces/zeek/redis/pubsub-resp3.pcap", frames: 108, segments: 108, withPayload: 48),
        Expected(
            path: "public-traces/zeek/nmap-vsn.pcap",
            frames: 547,
            segments: 32,
            withPayload: 0,
            skipped: [.notIP: 503, .notTCP: 12]
        ),
        Expected(
            path: "captures/netns-veth-nmap-sV-O-10.99.0.2.pcap",
            frames: 272,
            segments: 240,
            withPayload: 7,
            skipped: [.notIP: 2, .notTCP: 30]
        ),
        Expected(
            path: "public-traces/nDPI/tcp_scan.pcapng",
            frames: 30,
            segments: 18,
            withPayload: 0,
            skipped: [.notIP: 12]
        ),
    ]

    @Test(arguments: expectations)
    func countsMatchTcpdump(_ expected: Expected) throws {
        let (counters, segments) = try DecodingTraceTests.decode(expected.path)
        #expect(counters.frames == expected.frames)
        #expect(counters.segments == expected.segments)
        #expect(segments.filter { !$0.payload.isEmpty }.count == expected.withPayload)
        #expect(counters.skipped == expected.skipped)
    }

    @Test func vlanTaggedArkimeTraceGivesTheMySQLGreeting() throws {
        let (_, segments) = try DecodingTraceTests.decode("public-traces/arkime/mysql-tls.pcap")
        let greeting = try #require(segments.first { $0.source.port == 3306 && !$0.payload.isEmpty })
        #expect(greeting.source.address == IPAddress("10.10.10.11"))
        #expect(greeting.payload.dropFirst(4).first == 10, "protocol version 10")
        #expect(String(decoding: greeting.payload.dropFirst(5).prefix(6), as: UTF8.self) == "5.7.16")
    }

    @Test func pgsql2HasTheFlowOnPort60102() throws {
        let (_, segments) = try DecodingTraceTests.decode("public-traces/nDPI/pgsql2.pcapng")
        let synAck = try #require(segments.first { $0.flags.isSuperset(of: [.syn, .ack]) })
        #expect(synAck.source == Endpoint(address: try #require(IPAddress("10.220.20.67")), port: 60102))
        #expect(synAck.destination.port == 58574)
        let sslRequest = try #require(segments.first { $0.destination.port == 60102 && !$0.payload.isEmpty })
        #expect(Array(sslRequest.payload) == [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f], "PostgreSQL SSLRequest")
    }

    /// No trace anywhere makes the decoder trap, and every frame is accounted for.
    @Test func everySharedTraceDecodes() throws {
        let root = try #require(PcapTrace.sharedTestData)
        let files = try #require(FileManager.default.enumerator(atPath: root.path)).compactMap { $0 as? String }
            .filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }
        #expect(files.count > 50)
        for file in files {
            let (counters, _) = try DecodingTraceTests.decode(file)
            #expect(counters.segments > 0, "\(file)")
            #expect(counters[.malformedTCPHeader] == 0, "\(file): \(counters)")
            // tcpdump too reports the one frame of the trace that the capture cut short ("2048 bytes missing").
            let cut = file.hasSuffix("ndpi_match_string_subprotocol__error.pcapng") ? 1 : 0
            #expect(counters[.truncatedPayload] == cut, "\(file): \(counters)")
        }
    }

    /// Every truncation of every frame of a few traces: skipped with a reason or decoded, never a trap, and
    /// a cut frame never yields more payload than the whole one.
    @Test func everyTruncationOfRealFrames() throws {
        for path in [
            "public-traces/arkime/mysql-tls.pcap", "public-traces/nDPI/pgsql2.pcapng",
            "public-traces/suricata-verify/pgsql-cancel-request.pcap", "captures/netns-veth-nmap-sV-O-10.99.0.2.pcap",
        ] {
            let file = try SharedTraces.file(path)
            for frame in file.frames.map(\.bytes) {
                let whole = PacketDecoder.decode(frame, linkType: file.linkType).segment
                for length in 0..<frame.count {
                    let cut = PacketDecoder.decode(Array(frame.prefix(length)), linkType: file.linkType).segment
                    // A cut frame decodes only when what was cut was link-layer padding.
                    if let cut { #expect(cut.payload == whole?.payload) }
                }
            }
        }
    }

    static func decode(_ relativePath: String) throws -> (DecodeCounters, [TCPSegment]) {
        let file = try SharedTraces.file(relativePath)
        var counters = DecodeCounters()
        var segments: [TCPSegment] = []
        for frame in file.frames {
            let outcome = PacketDecoder.decode(frame.bytes, linkType: file.linkType)
            counters.count(outcome)
            if let segment = outcome.segment { segments.append(segment) }
        }
        return (counters, segments)
    }
}
