import DBScoutProtocols
import DBScoutTestSupport
import NIOCore
import Testing

/// The PRELOGIN answer decoder survives any input, and what it accepts is a well-formed answer.
@Suite("TDS decoder survives any input")
struct TDSFuzzTests {
    /// What every accepted answer must satisfy, whatever the bytes were.
    private func holdsInvariants(_ response: TDSPreloginResponse, consumed: Int, of input: [UInt8]) -> Bool {
        consumed >= 8 + 6 && consumed <= input.count && consumed <= 4096
            && Int(input[2]) << 8 | Int(input[3]) == consumed && input[0] == 0x04
            && response.unknownTokens.allSatisfy { $0 > 0x07 && $0 != 0xff }
    }

    @Test func randomBytesNeverCrashAndRarelyPass() {
        var generator = SplitMix64(seed: 0x7d5_1433)
        var accepted = 0
        for round in 0..<20_000 {
            var bytes = (0..<Int(generator.next() % 200)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            // Most inputs get a plausible header, so the option-table parser is what the bytes meet.
            if round % 4 != 0, bytes.count > 8 {
                bytes[0] = 0x04
                bytes[1] = 0x01
                bytes[2] = UInt8(bytes.count >> 8)
                bytes[3] = UInt8(bytes.count & 0xff)
                if round % 2 == 0 { bytes[8] = 0x00 }
            }
            if case .message(let response, let consumed) = TDSPreloginResponse.decode(ByteBuffer(bytes: bytes)) {
                accepted += 1
                #expect(holdsInvariants(response, consumed: consumed, of: bytes))
            }
        }
        // A valid table by chance needs VERSION first, six bytes long, ENCRYPTION, and every offset in range.
        #expect(accepted < 20)
    }

    @Test func everyStrictPrefixOfAValidAnswerAsksForMore() {
        let samples = [
            TDSSamples.modern,
            TDSSamples.packet([TDSSamples.version(8, 0, 2039), (0x01, [0x02]), (0x02, [0x00]), (0x03, [])]),
        ]
        for sample in samples {
            guard case .message(_, let consumed) = TDSPreloginResponse.decode(ByteBuffer(bytes: sample)) else {
                Issue.record("the whole sample must decode")
                continue
            }
            #expect(consumed == sample.count)
            for cut in 0..<sample.count {
                guard case .needMoreData = TDSPreloginResponse.decode(ByteBuffer(bytes: sample[..<cut])) else {
                    Issue.record("a \(cut)-byte prefix must ask for more data")
                    continue
                }
            }
        }
    }

    /// Every single-byte corruption of a valid answer is either rejected or still a well-formed answer.
    @Test func corruptedAnswersAreRejectedOrStillWellFormed() {
        let sample = TDSSamples.modern
        for index in sample.indices {
            for replacement: UInt8 in [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff, sample[index] &+ 1] {
                var bytes = sample
                bytes[index] = replacement
                if case .message(let response, let consumed) = TDSPreloginResponse.decode(ByteBuffer(bytes: bytes)) {
                    #expect(holdsInvariants(response, consumed: consumed, of: bytes))
                }
            }
        }
    }

    /// Trailing bytes after the packet are left for the next read, not swallowed or misread.
    @Test func trailingBytesAreNotConsumed() throws {
        let bytes = TDSSamples.modern + [0x04, 0x01, 0x00]
        guard case .message(_, let consumed) = TDSPreloginResponse.decode(ByteBuffer(bytes: bytes)) else {
            Issue.record("the answer must decode despite trailing bytes")
            return
        }
        #expect(consumed == TDSSamples.modern.count)
    }
}
