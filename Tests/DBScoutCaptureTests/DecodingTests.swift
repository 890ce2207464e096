import DBScoutCapture
import DBScoutCore
import DBScoutProtocols
import DBScoutTestSupport
import Testing

/// Frame decoding on crafted frames: every link type, VLAN stacks, IPv6 extension headers, fragments,
/// padding, and any bytes at all.
@Suite("Frame decoding")
struct DecodingTests {
    private let payload = Array("hello".utf8)

    private func segment(_ frame: [UInt8], _ linkType: Int32) throws -> TCPSegment {
        let outcome = PacketDecoder.decode(frame, linkType: linkType)
        return try #require(outcome.segment, "\(outcome)")
    }

    @Test func ethernetIPv4TCPGivesEveryField() throws {
        let tcp = TestFrames.tcp(
            sequence: 77,
            acknowledgment: 99,
            flags: 0x18,
            options: [2, 4, 5, 0xb4],
            payload: payload
        )
        let ip = TestFrames.ipv4(tcp)
        let decoded = try segment(TestFrames.ethernet(ip, padding: 6), 1)
        #expect(decoded.source == Endpoint(address: try #require(IPAddress("10.0.0.1")), port: 40_000))
        #expect(decoded.destination == Endpoint(address: try #require(IPAddress("10.0.0.2")), port: 5432))
        #expect(decoded.sequence == 77 && decoded.acknowledgment == 99)
        #expect(decoded.flags == [.psh, .ack])
        #expect(Array(decoded.payload) == payload, "Ethernet padding is cut by the IP total length")
        #expect(Array(decoded.headers) == Array(ip.prefix(20 + 24)), "IP header, then TCP header with options")
    }

    @Test(arguments: [[UInt16](), [0x8100], [0x88a8, 0x8100], [0x9100, 0x8100]])
    func vlanTagsAreSkipped(tags: [UInt16]) throws {
        let frame = TestFrames.ethernet(TestFrames.ipv4(TestFrames.tcp(payload: payload)), tags: tags)
        #expect(Array(try segment(frame, 1).payload) == payload)
    }

    @Test func tooManyVLANTagsAreNotIP() {
        let frame = TestFrames.ethernet(TestFrames.ipv4(TestFrames.tcp()), tags: Array(repeating: 0x8100, count: 5))
        #expect(PacketDecoder.decode(frame, linkType: 1) == .skipped(.notIP))
    }

    @Test func cookedCapturesV1AndV2() throws {
        let packet = TestFrames.ipv6(TestFrames.tcp(payload: payload))
        let sll = [0, 0, 0, 1, 0, 6] + [UInt8](repeating: 0xaa, count: 8) + TestFrames.be16(0x86dd) + packet
        let sll2 = TestFrames.be16(0x0800) + [0, 0, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6] + [UInt8](repeating: 0xaa, count: 6)
        let sll2Frame = sll2 + TestFrames.ipv4(TestFrames.tcp(payload: payload))
        #expect(try segment(sll, 113).source.address == IPAddress("2001:db8::1"))
        #expect(try segment(sll2Frame, 276).source.address == IPAddress("10.0.0.1"))
    }

    @Test func loopbackFamiliesInEitherByteOrder() throws {
        let v4 = TestFrames.ipv4(TestFrames.tcp(payload: payload))
        let v6 = TestFrames.ipv6(TestFrames.tcp(payload: payload))
        #expect(try segment([2, 0, 0, 0] + v4, 0).destination.port == 5432, "DLT_NULL from a little-endian host")
        #expect(try segment([0, 0, 0, 2] + v4, 108).destination.port == 5432, "DLT_LOOP, network order")
        for family: UInt8 in [10, 24, 28, 30] {
            #expect(try segment([family, 0, 0, 0] + v6, 0).source.address == IPAddress("2001:db8::1"))
        }
        #expect(PacketDecoder.decode([7, 0, 0, 0] + v4, linkType: 0) == .skipped(.notIP))
    }

    @Test func rawIPLinkTypes() throws {
        let v4 = TestFrames.ipv4(TestFrames.tcp(payload: payload))
        let v6 = TestFrames.ipv6(TestFrames.tcp(payload: payload))
        for linkType: Int32 in [12, 101] {
            #expect(Array(try segment(v4, linkType).payload) == payload)
            #expect(Array(try segment(v6, linkType).payload) == payload)
        }
        #expect(Array(try segment(v4, 228).payload) == payload)
        #expect(Array(try segment(v6, 229).payload) == payload)
        #expect(PacketDecoder.decode(v6, linkType: 228) == .skipped(.malformedIPHeader), "228 is IPv4 only")
        #expect(PacketDecoder.decode(v4, linkType: 147) == .skipped(.unsupportedLinkType))
    }

    @Test func ipv6ExtensionHeadersAreWalked() throws {
        let hopByHop: (type: UInt8, bytes: [UInt8]) = (0, [0, 0, 1, 4, 0, 0, 0, 0])
        let routing: (type: UInt8, bytes: [UInt8]) = (43, [0, 0, 0, 0, 0, 0, 0, 0])
        let options: (type: UInt8, bytes: [UInt8]) = (60, [0, 1] + [UInt8](repeating: 0, count: 14))
        let atomic: (type: UInt8, bytes: [UInt8]) = (44, [0, 0, 0, 0, 0, 0, 0, 9])
        let frame = TestFrames.ipv6(
            TestFrames.tcp(payload: payload),
            extensions: [hopByHop, routing, options, atomic]
        )
        let decoded = try segment(frame, 101)
        #expect(Array(decoded.payload) == payload)
        #expect(decoded.headers.count == 40 + 8 + 8 + 16 + 8 + 20, "extension headers are part of the headers")
    }

    @Test func fragmentsAreCountedNotReassembled() {
        let tcp = TestFrames.tcp(payload: payload)
        let moreFragments = TestFrames.ipv4(tcp, fragment: 0x2000)
        let laterFragment = TestFrames.ipv4(tcp, fragment: 0x0010)
        let v6Fragment = TestFrames.ipv6(tcp, extensions: [(44, [0, 0, 0, 1, 0, 0, 0, 9])])
        for frame in [moreFragments, laterFragment] {
            #expect(PacketDecoder.decode(frame, linkType: 101) == .skipped(.ipFragment))
        }
        #expect(PacketDecoder.decode(v6Fragment, linkType: 101) == .skipped(.ipFragment))
    }

    @Test func otherProtocolsAndLongChainsAreSkippedWithAReason() {
        #expect(
            PacketDecoder.decode(TestFrames.ipv4([0, 53, 0, 53, 0, 8, 0, 0], transport: 17), linkType: 101)
                == .skipped(.notTCP)
        )
        #expect(
            PacketDecoder.decode(TestFrames.ethernet([0, 1, 8, 0], etherType: 0x0806), linkType: 1)
                == .skipped(.notIP)
        )
        let chain = [(type: UInt8, bytes: [UInt8])](repeating: (60, [0, 0, 0, 0, 0, 0, 0, 0]), count: 12)
        #expect(
            PacketDecoder.decode(TestFrames.ipv6(TestFrames.tcp(), extensions: chain), linkType: 101)
                == .skipped(.malformedIPHeader)
        )
    }

    @Test func zeroTotalLengthFromSegmentationOffloadReadsToTheFrameEnd() throws {
        let frame = TestFrames.ipv4(TestFrames.tcp(payload: payload), totalLength: 0)
        #expect(Array(try segment(frame, 101).payload) == payload)
    }

    @Test func snapshotLengthCutsAreTruncatedPayloads() {
        let frame = TestFrames.ipv4(TestFrames.tcp(payload: payload))
        #expect(PacketDecoder.decode(Array(frame.dropLast()), linkType: 101) == .skipped(.truncatedPayload))
    }

    @Test func badDataOffsetsAreMalformed() {
        var tcp = TestFrames.tcp(payload: payload)
        tcp[12] = 0x40
        #expect(PacketDecoder.decode(TestFrames.ipv4(tcp), linkType: 101) == .skipped(.malformedTCPHeader))
        tcp[12] = 0xf0
        #expect(PacketDecoder.decode(TestFrames.ipv4(tcp), linkType: 101) == .skipped(.malformedTCPHeader))
    }

    /// Every strict prefix of a valid frame is skipped with a reason (never decoded into a wrong segment),
    /// on every link type.
    @Test func everyTruncationIsSkipped() {
        let tcp = TestFrames.tcp(options: [2, 4, 5, 0xb4], payload: payload)
        let frames: [(Int32, [UInt8])] = [
            (1, TestFrames.ethernet(TestFrames.ipv4(tcp), tags: [0x88a8, 0x8100])),
            (
                1,
                TestFrames.ethernet(
                    TestFrames.ipv6(tcp, extensions: [(0, [0, 0, 1, 4, 0, 0, 0, 0])]),
                    etherType: 0x86dd
                )
            ),
            (113, [UInt8](repeating: 0, count: 14) + TestFrames.be16(0x0800) + TestFrames.ipv4(tcp)),
            (276, TestFrames.be16(0x86dd) + [UInt8](repeating: 0, count: 18) + TestFrames.ipv6(tcp)),
            (0, [2, 0, 0, 0] + TestFrames.ipv4(tcp)),
            (101, TestFrames.ipv6(tcp)),
        ]
        for (linkType, frame) in frames {
            #expect(PacketDecoder.decode(frame, linkType: linkType).segment != nil)
            for length in 0..<frame.count {
                let outcome = PacketDecoder.decode(Array(frame.prefix(length)), linkType: linkType)
                #expect(outcome.segment == nil, "link \(linkType), \(length) of \(frame.count) bytes")
            }
        }
    }

    /// Random bytes on every link type: no trap, and what decodes holds together.
    @Test func randomBytesNeverTrap() {
        var random = SplitMix64(seed: 0xdb5c_0a7e)
        var counters = DecodeCounters()
        let linkTypes: [Int32] = [1, 113, 276, 0, 108, 12, 101, 228, 229, 147]
        let valid = TestFrames.ethernet(TestFrames.ipv4(TestFrames.tcp(payload: payload)))
        for round in 0..<50_000 {
            let linkType = linkTypes[Int(random.next() % UInt64(linkTypes.count))]
            var frame = (0..<Int(random.next() % 120)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            if round % 2 == 0 {
                // Mutate a valid frame, so the deeper layers are reached too.
                frame = valid
                for _ in 0..<(1 + random.next() % 4) {
                    frame[Int(random.next() % UInt64(frame.count))] = UInt8(truncatingIfNeeded: random.next())
                }
            }
            let outcome = PacketDecoder.decode(frame, linkType: linkType)
            counters.count(outcome)
            if let decoded = outcome.segment {
                #expect(decoded.headers.count >= 40 && decoded.headers.endIndex == decoded.payload.startIndex)
                #expect(decoded.payload.endIndex <= frame.count)
            }
        }
        #expect(counters.frames == 50_000)
        #expect(counters.segments > 0 && counters.skipped.count > 5, "both outcomes are reached: \(counters)")
    }
}
/// Builders of captured frames for the decoding and flow tests: each layer wraps the bytes of the one above.
enum TestFrames {
    static let client: [UInt8] = [10, 0, 0, 1]
    static let server: [UInt8] = [10, 0, 0, 2]
    static let client6: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1]
    static let server6: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [2]

    /// A TCP header (with `options`, padded to words) and its payload.
    static func tcp(
        from sourcePort: UInt16 = 40_000,
        to destinationPort: UInt16 = 5432,
        sequence: UInt32 = 1000,
        acknowledgment: UInt32 = 0,
        flags: UInt8 = 0x18,
        options: [UInt8] = [],
        payload: [UInt8] = []
    ) -> [UInt8] {
        let padded = options + [UInt8](repeating: 1, count: (4 - options.count % 4) % 4)
        let words = UInt8((20 + padded.count) / 4)
        return be16(sourcePort) + be16(destinationPort) + be32(sequence) + be32(acknowledgment)
            + [words << 4, flags] + be16(65_535) + [0, 0, 0, 0] + padded + payload
    }

    static func ipv4(
        _ body: [UInt8],
        source: [UInt8] = client,
        destination: [UInt8] = server,
        transport: UInt8 = 6,
        fragment: UInt16 = 0x4000,
        totalLength: UInt16? = nil
    ) -> [UInt8] {
        let length = totalLength ?? UInt16(20 + body.count)
        return [0x45, 0] + be16(length) + [0x12, 0x34] + be16(fragment) + [64, transport, 0, 0] + source
            + destination + body
    }

    /// An IPv6 packet; `extensions` are (type, bytes) pairs chained in order before the transport.
    static func ipv6(
        _ body: [UInt8],
        source: [UInt8] = client6,
        destination: [UInt8] = server6,
        transport: UInt8 = 6,
        extensions: [(type: UInt8, bytes: [UInt8])] = []
    ) -> [UInt8] {
        var chain: [UInt8] = []
        for (index, header) in extensions.enumerated() {
            let next = index + 1 < extensions.count ? extensions[index + 1].type : transport
            chain += [next] + header.bytes.dropFirst()
        }
        let first = extensions.first?.type ?? transport
        return [0x60, 0, 0, 0] + be16(UInt16(chain.count + body.count)) + [first, 64] + source + destination + chain
            + body
    }

    /// An Ethernet II frame, with VLAN tags given by their TPIDs (outer first).
    static func ethernet(_ packet: [UInt8], etherType: UInt16 = 0x0800, tags: [UInt16] = [], padding: Int = 0)
        -> [UInt8]
    {
        let macs = [UInt8](repeating: 0xaa, count: 6) + [UInt8](repeating: 0xbb, count: 6)
        var header = macs
        for tpid in tags { header += be16(tpid) + be16(50) }
        return header + be16(etherType) + packet + [UInt8](repeating: 0, count: padding)
    }

    static func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xff)] }
    static func be32(_ value: UInt32) -> [UInt8] { be16(UInt16(value >> 16)) + be16(UInt16(value & 0xffff)) }
}
