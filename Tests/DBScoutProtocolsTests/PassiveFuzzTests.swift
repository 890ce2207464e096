import DBScoutCore
import DBScoutProtocols
import DBScoutTestSupport
import Testing

@Suite("Passive classifier fuzz")
struct PassiveFuzzTests {
    static let client = Endpoint(address: IPAddress("10.0.0.1")!, port: 40000)
    static let server = Endpoint(address: IPAddress("10.0.0.2")!, port: 5432)

    static func randomBytes(_ generator: inout SplitMix64, upTo limit: Int) -> [UInt8] {
        (0..<Int.random(in: 0...limit, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// Random payloads, with and without random SYN and SYN-ACK headers, never crash and never classify.
    @Test func randomSnapshotsDoNotClassify() {
        var generator = SplitMix64(seed: 0x5eed_0005)
        var identified = 0
        for _ in 0..<5000 {
            let flow = TCPFlowSnapshot(
                client: Self.client,
                server: Self.server,
                clientBytes: Self.randomBytes(&generator, upTo: 512),
                serverBytes: Self.randomBytes(&generator, upTo: 512),
                syn: Bool.random(using: &generator) ? Self.randomBytes(&generator, upTo: 80) : nil,
                synAck: Bool.random(using: &generator) ? Self.randomBytes(&generator, upTo: 80) : nil,
                seenFromStart: Bool.random(using: &generator)
            )
            if PassiveClassifier.classify(flow) != nil { identified += 1 }
        }
        #expect(identified == 0)
    }

    /// A real client opening followed by random server bytes is rarely a finding: the reply must fit the request.
    @Test func aRealRequestWithARandomReplyRarelyClassifies() throws {
        var generator = SplitMix64(seed: 0x5eed_0006)
        let openings: [[UInt8]] = [
            [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f],
            Array("*1\r\n$4\r\nPING\r\n".utf8),
            Array("INFO server\r\n".utf8),
        ]
        var identified = 0
        for index in 0..<3000 {
            var reply = Self.randomBytes(&generator, upTo: 64)
            // Half the replies start with a byte the protocol allows, to get past the first check.
            if index % 2 == 0, !reply.isEmpty {
                reply[0] = [UInt8(ascii: "N"), UInt8(ascii: "+"), UInt8(ascii: "S")][index % 3]
            }
            let flow = TCPFlowSnapshot(
                client: Self.client,
                server: Self.server,
                clientBytes: openings[index % openings.count],
                serverBytes: reply,
                seenFromStart: true
            )
            if PassiveClassifier.classify(flow) != nil { identified += 1 }
        }
        #expect(identified < 30)
    }
}
