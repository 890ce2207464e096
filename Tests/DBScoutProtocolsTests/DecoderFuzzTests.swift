import DBScoutProtocols
import DBScoutTestSupport
import NIOCore
import Testing

/// Every decoder must survive any input: arbitrary bytes and every truncation of a valid message give a
/// result, never a crash or a hang, and whatever they accept still meets the protocol's invariants.
@Suite("Decoders survive any input")
struct DecoderFuzzTests {
    @Test func randomBytesNeverCrashAndAcceptedMessagesHoldInvariants() {
        var generator = SplitMix64(seed: 0x5eed_d85c_0017)
        var accepted = 0
        for _ in 0..<20_000 {
            let bytes = randomInput(&generator)
            if let error = PostgresErrorResponse.decode(bytes).value {
                accepted += 1
                #expect(error.sqlState?.utf8.count == 5 && error.severity != nil && error.message != nil)
            }
            if case .greeting(let greeting) = MySQLObservation.decode(bytes).value {
                accepted += 1
                #expect(greeting.protocolVersion == 10 && greeting.serverVersion.allSatisfy(\.isASCII))
            }
            if case .bulkString(let text) = RedisReply.decode(bytes).value {
                #expect(text.utf8.count <= ProbeLimits.maxResponseBytes)
            }
            _ = PostgresSSLResponse.decode(bytes)
        }
        // Random bytes almost never form a valid structured message; a flood of acceptances means a lax parser.
        #expect(accepted < 20)
    }

    @Test func everyStrictPrefixOfAValidMessageAsksForMore() throws {
        let samples: [(String, [UInt8], @Sendable (ByteBuffer) -> Decoded<Bool>)] = [
            ("error", postgresError(), { PostgresErrorResponse.decode($0).map { _ in true } }),
            ("greeting", mysqlGreeting(), { MySQLObservation.decode($0).map { _ in true } }),
            ("bulk", Array("$5\r\nhello\r\n".utf8), { RedisReply.decode($0).map { _ in true } }),
        ]
        for (name, sample, decode) in samples {
            guard case .message = decode(ByteBuffer(bytes: sample)) else {
                Issue.record("\(name): the whole sample must decode")
                continue
            }
            for cut in 0..<sample.count {
                guard case .needMoreData = decode(ByteBuffer(bytes: sample[..<cut])) else {
                    Issue.record("\(name): a \(cut)-byte prefix must ask for more data")
                    continue
                }
            }
        }
    }

    private func randomInput(_ generator: inout SplitMix64) -> ByteBuffer {
        let length = Int(generator.next() % 300)
        var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        // Start some inputs with each protocol's first byte so the deeper parsers are reached.
        if !bytes.isEmpty {
            let leads: [UInt8] = [UInt8(ascii: "E"), 0x2c, UInt8(ascii: "$"), UInt8(ascii: "-"), bytes[0]]
            bytes[0] = leads[Int(generator.next() % UInt64(leads.count))]
        }
        return ByteBuffer(bytes: bytes)
    }

    private func postgresError() -> [UInt8] {
        let body: [UInt8] = Array("SFATAL\0C0A000\0Mno\0L1\0\0".utf8)
        return [UInt8(ascii: "E"), 0, 0, 0, UInt8(body.count + 4)] + body
    }

    private func mysqlGreeting() -> [UInt8] {
        var payload: [UInt8] = [0x0a] + Array("8.0.35".utf8) + [0, 1, 0, 0, 0] + Array(repeating: 0x41, count: 8)
        payload += [0, 0xff, 0xf7, 0xff, 2, 0, 0xff, 0xdf, 21] + Array(repeating: 0, count: 10)
        payload += Array(repeating: 0x42, count: 12) + [0] + Array("caching_sha2_password".utf8) + [0]
        return [UInt8(payload.count), 0, 0, 0] + payload
    }
}

extension Decoded {
    func map<Other>(_ transform: (Value) -> Other) -> Decoded<Other> {
        switch self {
        case .message(let value, let consumed): .message(transform(value), consumed: consumed)
        case .needMoreData: .needMoreData
        case .invalid(let reason): .invalid(reason)
        }
    }
}
