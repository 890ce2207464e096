import DBScoutProtocols
import DBScoutTestSupport
import NIOCore
import Testing

/// The MongoDB decoders survive any input: random bytes, random bytes behind a plausible header, every truncation
/// of a valid reply, and single-byte corruptions of one.
@Suite("MongoDB decoders survive any input")
struct MongoDBFuzzTests {
    private static let helloReply = MongoDBOpMsg.encode(MongoDBReplyFixtures.hello, requestID: 9, responseTo: 1)
    private static let buildInfoReply = MongoDBOpReply.encode(
        MongoDBReplyFixtures.buildInfo,
        requestID: 42,
        responseTo: 3
    )

    @Test func randomBytesAreRejectedOrAskForMore() {
        var generator = SplitMix64(seed: 0x6d6f_6e67_6f64_62)
        var accepted = 0
        for round in 0..<20_000 {
            var bytes = (0..<Int(generator.next() % 400)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            if round.isMultiple(of: 2), bytes.count >= 16 {
                // A plausible header (length, our responseTo, OP_MSG or OP_REPLY) so the body parsers are reached.
                let length = UInt32(bytes.count)
                bytes.replaceSubrange(0..<4, with: (0..<4).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) })
                bytes.replaceSubrange(
                    8..<16,
                    with: [1, 0, 0, 0] + (round.isMultiple(of: 4) ? [0xdd, 7, 0, 0] : [1, 0, 0, 0])
                )
            }
            let buffer = ByteBuffer(bytes: bytes)
            if let reply = MongoDBReply.decode(buffer, replyingTo: 1).value {
                accepted += 1
                #expect(reply.header.messageLength <= Int32(MongoDBMessageHeader.maxMessageBytes))
            }
            if BSONReader.decode(buffer).value != nil { accepted += 1 }
            _ = MongoDBQueryRequest.decode(buffer)
        }
        #expect(accepted < 20)
    }

    @Test func everyStrictPrefixOfAValidReplyAsksForMore() {
        for sample in [Self.helloReply, Self.buildInfoReply] {
            let bytes = Array(sample.readableBytesView)
            let responseTo: Int32 = sample.getInteger(at: 8, endianness: .little) ?? 0
            #expect(MongoDBReply.decode(sample, replyingTo: responseTo).value != nil)
            for cut in 0..<bytes.count {
                guard case .needMoreData = MongoDBReply.decode(ByteBuffer(bytes: bytes[..<cut]), replyingTo: responseTo)
                else {
                    Issue.record("a \(cut)-byte prefix must ask for more data")
                    continue
                }
            }
        }
        let document = Array(BSONWriter.encode(MongoDBReplyFixtures.hello).readableBytesView)
        for cut in 0..<document.count {
            guard case .needMoreData = BSONReader.decode(ByteBuffer(bytes: document[..<cut])) else {
                Issue.record("a \(cut)-byte BSON prefix must ask for more data")
                continue
            }
        }
    }

    @Test func corruptedRepliesNeverCrash() {
        var generator = SplitMix64(seed: 0xb50f)
        for sample in [Self.helloReply, Self.buildInfoReply] {
            let original = Array(sample.readableBytesView)
            let responseTo: Int32 = sample.getInteger(at: 8, endianness: .little) ?? 0
            for _ in 0..<5_000 {
                var bytes = original
                for _ in 0..<(1 + Int(generator.next() % 3)) {
                    bytes[Int(generator.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: generator.next())
                }
                if let reply = MongoDBReply.decode(ByteBuffer(bytes: bytes), replyingTo: responseTo).value {
                    #expect(reply.header.responseTo == responseTo)
                }
            }
        }
    }
}
