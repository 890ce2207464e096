import DBScoutCore
import DBScoutProtocols
import DBScoutTestSupport
import NIOCore
import Testing

/// The DRDA decoders survive any input: random bytes, random bytes behind a plausible DSS header, every truncation
/// of a valid EXCSATRD, and single-byte corruptions of one.
@Suite("DRDA decoders survive any input")
struct DRDAFuzzTests {
    private static let reply = DRDACodecTests.excsatrd([
        (DRDACodePoint.externalName, DRDAText.ebcdic("db2sysc 0")),
        (DRDACodePoint.managerLevels, [0x14, 0x03, 0x00, 0x07, 0x24, 0x07, 0x00, 0x0a]),
        (DRDACodePoint.serverClassName, DRDAText.ebcdic("QDB2/LINUXX8664")),
        (DRDACodePoint.serverName, DRDAText.ebcdic("db2inst1")),
        (DRDACodePoint.serverReleaseLevel, DRDAText.ebcdic("SQL11058")),
    ])

    private static let endpoint = Endpoint(address: IPAddress("127.0.0.1")!, port: 50000)

    @Test func randomBytesAreRejectedOrAskForMore() {
        var generator = SplitMix64(seed: 0xd2da)
        var accepted = 0
        for round in 0..<20_000 {
            var bytes = (0..<Int(generator.next() % 300)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            if round.isMultiple(of: 2), bytes.count >= 10 {
                // A plausible DSS header with an EXCSATRD code point so the parameter parser is reached.
                let length = bytes.count
                bytes.replaceSubrange(0..<6, with: [UInt8(length >> 8), UInt8(length & 0xFF), 0xD0, 0x03, 0, 1])
                bytes.replaceSubrange(8..<10, with: [0x14, 0x43])
            }
            let buffer = ByteBuffer(bytes: bytes)
            if let reply = DRDAServerAttributesReply.decode(buffer, correlationID: 1).value {
                if DRDAClassifier.classify(reply, at: Self.endpoint) != nil { accepted += 1 }
            }
            _ = DRDADataStream.decode(buffer)
            _ = DRDAText.decode(bytes)
        }
        // A random reply that names a Db2 release level is all but impossible.
        #expect(accepted == 0)
    }

    @Test func everyStrictPrefixOfAValidReplyAsksForMore() {
        let bytes = Array(Self.reply.readableBytesView)
        #expect(DRDAServerAttributesReply.decode(Self.reply, correlationID: 1).value?.releaseLevel == "SQL11058")
        for cut in 0..<bytes.count {
            guard
                case .needMoreData = DRDAServerAttributesReply.decode(
                    ByteBuffer(bytes: bytes[..<cut]),
                    correlationID: 1
                )
            else {
                Issue.record("a \(cut)-byte prefix must ask for more data")
                continue
            }
        }
    }

    @Test func corruptedRepliesNeverCrash() {
        var generator = SplitMix64(seed: 0xdb2)
        let original = Array(Self.reply.readableBytesView)
        for _ in 0..<10_000 {
            var bytes = original
            for _ in 0..<(1 + Int(generator.next() % 3)) {
                bytes[Int(generator.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: generator.next())
            }
            if let reply = DRDAServerAttributesReply.decode(ByteBuffer(bytes: bytes), correlationID: 1).value {
                #expect(reply.serverName.map { $0.utf8.count <= 255 } ?? true)
            }
        }
    }
}
