import DBScoutCore
import DBScoutProtocols
import NIOCore
import Testing

/// Reading IPv4 + TCP headers into a ``TCPSignature``.
@Suite("TCP signature")
struct OSSignatureTests {
    @Test func readsEveryFieldOfALinuxSYNACK() throws {
        let packet = CraftedPacket(ttl: 61, ipID: 0, window: 65160, options: "mss,sok,ts,nop,ws", tsValue: 77)
        let bytes = packet.bytes + Array("payload".utf8)
        guard case .message(let signature, let consumed) = TCPSignature.decode(ByteBuffer(bytes: bytes)) else {
            Issue.record("a whole SYN-ACK must decode")
            return
        }
        #expect(consumed == 20 + 20 + 20)
        #expect(signature.source == IPAddress("10.0.0.2") && signature.destination == IPAddress("10.0.0.1"))
        #expect(signature.sourcePort == 5432 && signature.destinationPort == 40000)
        #expect(signature.ttl == 61 && signature.ttlEstimate.initial == 64 && signature.ttlEstimate.hops == 3)
        #expect(signature.dontFragment && signature.ipID == 0 && signature.ipOptionsLength == 0)
        #expect(signature.isSYNACK && !signature.isSYN && signature.role == .synAck)
        #expect(signature.sequenceNumber == 1000 && signature.acknowledgementNumber == 2001)
        #expect(signature.window == 65160)
        #expect(signature.maximumSegmentSize == 1460 && signature.windowScale == 7 && signature.sackPermitted)
        #expect(signature.timestampValue == 77)
        #expect(signature.layout.layoutDescription == "mss,sok,ts,nop,ws")
        #expect(signature.options[2] == .timestamp(value: 77, echo: 5))
        #expect(signature.quirks == [.dontFragment])
    }

    @Test func keepsEndOfListPaddingAndIPOptions() throws {
        let packet = CraftedPacket(options: "mss,nop,ws,nop,nop,ts,sok,eol", ipOptions: [1, 1, 1, 0])
        let signature = try #require(TCPSignature.decode(ByteBuffer(bytes: packet.bytes)).value)
        #expect(signature.ipOptionsLength == 4)
        #expect(signature.layout.layoutDescription == "mss,nop,ws,nop,nop,ts,sok,eol")
        #expect(signature.options.last == .endOfList(padding: 1))
    }

    @Test(arguments: [
        (CraftedPacket(dontFragment: true, ipID: 7), "df,id+"),
        (CraftedPacket(dontFragment: false, ipID: 0), "id-"),
        (CraftedPacket(tos: 0x02), "df,ecn"),
        (CraftedPacket(flags: [.syn, .ack, .ece]), "df,ecn"),
        (CraftedPacket(flags: [.syn], ack: 9), "df,ack+,ts2+"),
        (CraftedPacket(flags: [.syn, .ack], ack: 0), "df,ack-"),
        (CraftedPacket(sequence: 0), "df,seq-"),
        (CraftedPacket(flags: [.syn, .ack, .urg, .psh], urgent: 1), "df,urgf+,pushf+"),
        (CraftedPacket(urgent: 1), "df,uptr+"),
        (CraftedPacket(options: "mss,sok,ts,nop,ws", tsValue: 0), "df,ts1-"),
        (CraftedPacket(flags: [.syn], ack: 0, options: "mss,sok,ts,nop,ws", tsEcho: 3), "df,ts2+"),
        (CraftedPacket(options: "mss,nop,ws", windowScale: 15), "df,exws"),
        (CraftedPacket(rawOptions: [2, 4, 5, 0xb4, 0, 0, 9, 0]), "df,opt+"),
        (CraftedPacket(rawOptions: [2, 4, 5, 0xb4, 3, 9, 0, 0]), "df,bad"),
        (CraftedPacket(rawOptions: [2, 3, 5, 0]), "df,bad"),
    ])
    func namesQuirksAsP0fDoes(_ packet: CraftedPacket, quirks: String) throws {
        let signature = try #require(TCPSignature.decode(ByteBuffer(bytes: packet.bytes)).value)
        #expect(signature.quirks.description == quirks)
    }

    @Test func readsUnknownAndMalformedOptionsWithoutTrusting() throws {
        let packet = CraftedPacket(rawOptions: [2, 4, 5, 0xb4, 30, 4, 0xaa, 0xbb, 8, 40, 0, 0])
        let signature = try #require(TCPSignature.decode(ByteBuffer(bytes: packet.bytes)).value)
        #expect(signature.layout == [.mss, .unknown(30)])
        #expect(signature.options[1] == .unknown(kind: 30, length: 4))
        #expect(signature.quirks.contains(.malformedOptions))
    }

    @Test func everyStrictPrefixAsksForMore() {
        let bytes = CraftedPacket(options: "mss,nop,ws,nop,nop,ts,sok,eol").bytes
        for cut in 0..<bytes.count {
            guard case .needMoreData = TCPSignature.decode(ByteBuffer(bytes: bytes[..<cut])) else {
                Issue.record("a \(cut)-byte prefix must ask for more data")
                continue
            }
        }
    }

    /// Byte changes (offset, new value) that make a valid header one that cannot be IPv4 + TCP.
    @Test(
        arguments: [
            ("IPv6", [(0, 0x60)]),
            ("IHL 4", [(0, 0x44)]),
            ("UDP", [(9, 17)]),
            ("later fragment", [(7, 0x10)]),
            ("total length 30", [(2, 0), (3, 30)]),
            ("total length 44 with 20 bytes of options", [(2, 0), (3, 44)]),
            ("data offset 4", [(32, 0x40)]),
        ] as [(String, [(Int, UInt8)])]
    )
    func rejectsWhatCannotBeAnIPv4TCPHeader(_ name: String, _ changes: [(Int, UInt8)]) {
        var bytes = CraftedPacket(options: "mss,sok,ts,nop,ws").bytes
        for (offset, value) in changes { bytes[offset] = value }
        guard case .invalid = TCPSignature.decode(ByteBuffer(bytes: bytes)) else {
            Issue.record("\(name) must be invalid")
            return
        }
    }

    @Test func acceptsAZeroTotalLengthFromSegmentationOffload() throws {
        var bytes = CraftedPacket(options: "mss,sok,ts,nop,ws").bytes
        bytes[2] = 0
        bytes[3] = 0
        #expect(TCPSignature.decode(ByteBuffer(bytes: bytes)).value?.window == 65160)
    }

    @Test(arguments: [(0, 32), (1, 32), (32, 32), (33, 64), (60, 64), (64, 64), (65, 128), (118, 128), (128, 128)])
    func infersTheInitialTTL(_ observed: Int, _ initial: Int) {
        let estimate = TTLEstimate(observed: UInt8(observed))
        #expect(Int(estimate.initial) == initial && estimate.hops == initial - observed)
    }

    @Test func infersTTL255ForAnythingAbove128() {
        #expect(TTLEstimate(observed: 235).initial == 255 && TTLEstimate(observed: 235).hops == 20)
        #expect(TTLEstimate(observed: 255).description == "255 (initial 255, 0 hops)")
    }
}

/// A hand-made IPv4 + TCP header, by default a Linux SYN-ACK from 10.0.0.2:5432 over Ethernet.
struct CraftedPacket: Sendable, CustomTestStringConvertible {
    var ttl: UInt8
    var dontFragment: Bool
    var ipID: UInt16
    var tos: UInt8
    var flags: TCPFlags
    var sequence: UInt32
    var ack: UInt32
    var window: UInt16
    var urgent: UInt16
    var sourcePort: UInt16
    var destinationPort: UInt16 = 40000
    var ipOptions: [UInt8]
    /// The option area; padded with zeros to a multiple of four.
    var rawOptions: [UInt8]

    init(
        ttl: UInt8 = 64,
        dontFragment: Bool = true,
        ipID: UInt16 = 0,
        tos: UInt8 = 0,
        flags: TCPFlags = [.syn, .ack],
        sequence: UInt32 = 1000,
        ack: UInt32 = 2001,
        window: UInt16 = 65160,
        urgent: UInt16 = 0,
        sourcePort: UInt16 = 5432,
        options layout: String = "mss,sok,ts,nop,ws",
        mss: UInt16 = 1460,
        windowScale: UInt8 = 7,
        tsValue: UInt32 = 100,
        tsEcho: UInt32 = 5,
        ipOptions: [UInt8] = [],
        rawOptions: [UInt8]? = nil
    ) {
        self.ttl = ttl
        self.dontFragment = dontFragment
        self.ipID = ipID
        self.tos = tos
        self.flags = flags
        self.sequence = sequence
        self.ack = ack
        self.window = window
        self.urgent = urgent
        self.sourcePort = sourcePort
        self.ipOptions = ipOptions
        self.rawOptions =
            rawOptions
            ?? Self.options(layout, mss: mss, windowScale: windowScale, tsValue: tsValue, tsEcho: tsEcho)
    }

    /// The option bytes of `layout` (`mss,sok,ts,nop,ws`); `eol` pads the rest of the word with zeros.
    static func options(_ layout: String, mss: UInt16, windowScale: UInt8, tsValue: UInt32, tsEcho: UInt32)
        -> [UInt8]
    {
        let word = { (value: UInt32) in (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }
        return layout.split(separator: ",").flatMap { name -> [UInt8] in
            switch name {
            case "mss": [2, 4, UInt8(mss >> 8), UInt8(mss & 0xff)]
            case "ws": [3, 3, windowScale]
            case "sok": [4, 2]
            case "ts": [8, 10] + word(tsValue) + word(tsEcho)
            case "nop": [1]
            case "eol": [0]
            default: []
            }
        }
    }

    var bytes: [UInt8] {
        let options = rawOptions + Array(repeating: 0, count: (4 - rawOptions.count % 4) % 4)
        let ipLength = 20 + ipOptions.count
        let total = ipLength + 20 + options.count
        let be16 = { (value: UInt16) in [UInt8(value >> 8), UInt8(value & 0xff)] }
        let be32 = { (value: UInt32) in (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }
        var ip: [UInt8] = [0x40 | UInt8(ipLength / 4), tos] + be16(UInt16(total)) + be16(ipID)
        ip += [dontFragment ? 0x40 : 0, 0, ttl, 6, 0, 0, 10, 0, 0, 2, 10, 0, 0, 1] + ipOptions
        var tcp = be16(sourcePort) + be16(destinationPort) + be32(sequence) + be32(ack)
        tcp += [UInt8((20 + options.count) / 4) << 4, flags.rawValue] + be16(window) + [0, 0] + be16(urgent)
        return ip + tcp + options
    }

    var signature: TCPSignature? { TCPSignature.decode(ByteBuffer(bytes: bytes)).value }

    var testDescription: String { "ttl \(ttl) win \(window) options \(rawOptions)" }
}
