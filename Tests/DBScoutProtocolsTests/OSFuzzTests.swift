import DBScoutProtocols
import DBScoutTestSupport
import NIOCore
import Testing

/// The TCP/IP signature reader and the classifier survive any bytes, and what they accept stays consistent.
@Suite("TCP signatures survive any input")
struct OSFuzzTests {
    @Test func randomBytesNeverTrapAndAcceptedHeadersHoldTheirInvariants() {
        var generator = SplitMix64(seed: 0x057c_951d)
        var accepted = 0
        for _ in 0..<30_000 {
            let bytes = randomHeader(&generator)
            switch TCPSignature.decode(ByteBuffer(bytes: bytes)) {
            case .message(let signature, let consumed):
                accepted += 1
                #expect(consumed >= 40 && consumed <= 120 && consumed <= bytes.count)
                #expect(signature.options.count <= 40)
                #expect(signature.ttlEstimate.hops >= 0)
                let verdict = TCPOSClassifier.classify(signature, offer: generator.next() % 2 == 0 ? .all : nil)
                #expect(verdict.os == nil || verdict.confidence > 0)
                #expect(!verdict.evidence.isEmpty)
            case .needMoreData, .invalid:
                break
            }
        }
        // The generator keeps version 4, TCP and fragment offset 0 most of the time, so many headers decode.
        #expect(accepted > 1000)
    }

    @Test func mutatedRealSYNACKsNeverTrap() {
        var generator = SplitMix64(seed: 0x0acc_e55e)
        let base = CraftedPacket(options: "mss,nop,ws,nop,nop,ts,sok,eol").bytes
        for _ in 0..<20_000 {
            var bytes = base
            for _ in 0..<(1 + generator.next() % 6) {
                let index = Int(generator.next() % UInt64(bytes.count))
                bytes[index] = UInt8(truncatingIfNeeded: generator.next())
            }
            let cut = Int(generator.next() % UInt64(bytes.count + 1))
            if let signature = TCPSignature.decode(ByteBuffer(bytes: bytes[..<cut])).value {
                _ = TCPOSClassifier.classify(signature)
                _ = TCPOSClassifier.classify(signature, offer: OptionOffer(signature), databasePort: true)
            }
        }
    }

    /// Random bytes shaped like an IPv4 + TCP header often enough to reach the option parser.
    private func randomHeader(_ generator: inout SplitMix64) -> [UInt8] {
        let length = Int(generator.next() % 140)
        var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        guard bytes.count > 20, generator.next() % 8 != 0 else { return bytes }
        bytes[0] = 0x40 | UInt8(5 + generator.next() % 3)
        bytes[2] = 0
        bytes[3] = generator.next() % 4 == 0 ? 0 : UInt8(truncatingIfNeeded: generator.next() | 0x40)
        bytes[6] &= 0x60
        bytes[7] = 0
        bytes[9] = 6
        return bytes
    }
}
