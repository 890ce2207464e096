import DBScoutCore
import DBScoutProtocols
import NIOCore
import Testing

@Suite("Redis codecs")
struct RedisCodecTests {
    private let endpoint = Endpoint(address: IPAddress("127.0.0.1")!, port: 6379)

    @Test(.enabled(if: TraceFixtures.available, "needs ../shared/testdata"))
    func infoReplyGivesVersionAndOS() throws {
        let bytes = try TraceFixtures.serverBytes("captures/redis7.0-info-resp2.pcap", port: 6379)
        let reply = try #require(RedisReply.decode(bytes).value)
        let finding = try #require(RedisClassifier.classify(reply, at: endpoint))
        #expect(finding.product == .redis)
        #expect(finding.version == "7.0.15")
        #expect(finding.os == .linux64)
        #expect(finding.osDetail == "Linux 6.18.44-fc-v595 x86_64")
        #expect(finding.osConfidence == 0.95)
        #expect(finding.dbssType == nil)
    }

    @Test(.enabled(if: TraceFixtures.available, "needs ../shared/testdata"))
    func authRequiredStillIdentifies() throws {
        let bytes = try TraceFixtures.serverBytes("captures/redis7.0-requirepass-noauth-info.pcap", port: 16379)
        let reply = try #require(RedisReply.decode(bytes).value)
        #expect(reply == .error("NOAUTH Authentication required."))
        #expect(RedisClassifier.classify(reply, at: endpoint)?.product == .redis)
    }

    @Test func otherRepliesAreNotRedis() {
        #expect(RedisClassifier.classify(.error("ERR unknown command"), at: endpoint) == nil)
        #expect(RedisClassifier.classify(.simpleString("OK"), at: endpoint) == nil)
        #expect(RedisClassifier.classify(.bulkString("hello"), at: endpoint) == nil)
        guard case .invalid = RedisReply.decode(ByteBuffer(string: "SSH-2.0-OpenSSH_9.2\r\n")) else {
            Issue.record("an SSH banner is not a RESP reply")
            return
        }
    }

    @Test func bulkNeedsAllItsBytes() {
        #expect(RedisReply.decode(ByteBuffer(string: "$10\r\nhello")).value == nil)
        #expect(RedisReply.decode(ByteBuffer(string: "$5\r\nhello\r\n")).value == .bulkString("hello"))
    }
}
