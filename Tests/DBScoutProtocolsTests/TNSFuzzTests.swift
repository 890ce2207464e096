import DBScoutCore
import DBScoutProtocols
import DBScoutTestSupport
import NIOCore
import Testing

/// The TNS decoders and classifier survive any input, ask for more on every cut-off message, and never call random
/// bytes an Oracle listener.
@Suite("TNS decoders survive any input")
struct TNSFuzzTests {
    private let endpoint = Endpoint(address: IPAddress("127.0.0.1")!, port: 1521)

    private static let validReplies: [(String, [UInt8])] = [
        ("resend", TNSSamples.resend),
        ("refuse", TNSSamples.refuse("(DESCRIPTION=(TMP=)(VSNNUM=318767104)(ERR=1189))")),
        ("accept", TNSSamples.oldAccept(Array("(DESCRIPTION=(ERR=0))".utf8))),
        ("redirect inline", TNSSamples.redirectInline("(ADDRESS=(PROTOCOL=TCP)(HOST=h)(PORT=1))")),
        ("redirect split", TNSSamples.redirectSplit("(ADDRESS=(PROTOCOL=TCP)(HOST=h)(PORT=1))")),
    ]

    @Test func randomBytesNeverCrashOrIdentify() {
        var generator = SplitMix64(seed: 0x7e50_1521)
        var findings = 0
        for round in 0..<20_000 {
            let bytes = randomInput(&generator, round: round)
            if let reply = TNSListenerReply.decode(bytes).value,
                TNSClassifier.classify(TNSObservation(offeredVersion: 315, reply: reply), at: endpoint) != nil
            {
                findings += 1
            }
            for form in [TNSLengthForm.short, .long] { _ = TNSDataPacket.decode(bytes, form: form) }
            _ = TNSConnect.decode(bytes)
            _ = TNSDescriptor(String(decoding: bytes.readableBytesView, as: UTF8.self))
        }
        #expect(findings == 0)
    }

    @Test func everyStrictPrefixAsksForMore() {
        for (name, sample) in Self.validReplies {
            guard case .message(_, let consumed) = TNSListenerReply.decode(ByteBuffer(bytes: sample)) else {
                Issue.record("\(name): the whole sample must decode")
                continue
            }
            #expect(consumed == sample.count, "\(name)")
            for cut in 0..<sample.count {
                guard case .needMoreData = TNSListenerReply.decode(ByteBuffer(bytes: sample[..<cut])) else {
                    Issue.record("\(name): a \(cut)-byte prefix must ask for more data")
                    continue
                }
            }
        }
        let connect = Array(TNSConnect.versionRequest.encode().readableBytesView)
        for cut in 0..<connect.count {
            guard case .needMoreData = TNSConnect.decode(ByteBuffer(bytes: connect[..<cut])) else {
                Issue.record("CONNECT: a \(cut)-byte prefix must ask for more data")
                continue
            }
        }
    }

    /// Flipping bytes of valid replies reaches every branch of the body decoders; whatever still decodes keeps the
    /// invariants the classifier relies on.
    @Test func mutatedRepliesKeepTheirInvariants() {
        var generator = SplitMix64(seed: 0xacce_9715)
        for (name, sample) in Self.validReplies {
            for _ in 0..<2_000 {
                var bytes = sample
                for _ in 0..<(1 + Int(generator.next() % 3)) {
                    let index = Int(generator.next() % UInt64(bytes.count))
                    bytes[index] = UInt8(truncatingIfNeeded: generator.next())
                }
                guard case .message(let reply, let consumed) = TNSListenerReply.decode(ByteBuffer(bytes: bytes)) else {
                    continue
                }
                #expect(consumed <= bytes.count, "\(name)")
                switch reply {
                case .accept(let accept): #expect(TNSAccept.plausibleVersions.contains(accept.version), "\(name)")
                case .refuse(let refuse):
                    let ascii = refuse.text.unicodeScalars.allSatisfy { $0.isASCII }
                    #expect(ascii, "\(name)")
                case .redirect(let redirect): #expect(!redirect.text.isEmpty, "\(name)")
                case .resend: continue
                }
            }
        }
    }

    /// Random text: mostly parentheses and names, so the descriptor parser is driven deep, never past its caps.
    @Test func descriptorParserSurvivesRandomText() {
        var generator = SplitMix64(seed: 0xde5c)
        let alphabet = Array("((((()))))==AB1 \"\n\0".utf8)
        var parsed = 0
        for _ in 0..<20_000 {
            let length = Int(generator.next() % 120)
            let bytes = (0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            if let descriptor = TNSDescriptor(String(decoding: bytes, as: UTF8.self)) {
                parsed += 1
                #expect(!descriptor.pairs.isEmpty)
            }
        }
        #expect(parsed < 20_000)
    }

    /// A third of the inputs get a well-formed short header with a listener type, so the body decoders are reached.
    private func randomInput(_ generator: inout SplitMix64, round: Int) -> ByteBuffer {
        let length = Int(generator.next() % 300)
        var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        if round % 3 == 0, bytes.count >= 8 {
            let types: [UInt8] = [2, 4, 5, 11]
            bytes[0] = UInt8(bytes.count >> 8)
            bytes[1] = UInt8(bytes.count & 0xff)
            bytes[2] = 0
            bytes[3] = 0
            bytes[4] = types[Int(generator.next() % 4)]
            bytes[6] = 0
            bytes[7] = 0
        }
        return ByteBuffer(bytes: bytes)
    }
}
