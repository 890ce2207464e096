import DBScoutCapture
import DBScoutTestSupport
import Foundation
import Testing

/// The pcapng side of `PcapTrace`, which the 12c Oracle trace needs: both byte orders, Enhanced and Simple Packet
/// blocks, and no trap on a corrupt file.
@Suite("Reading pcapng traces", .enabled(if: TraceFixtures.available, "needs ../shared/testdata"))
struct TNSPcapngTests {
    private static let oracle12 = "public-traces/nDPI/oracle12.pcapng"

    private func read(_ bytes: [UInt8]) throws -> PcapTrace {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dbscout-tns-\(UUID().uuidString).pcapng"
        )
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try PcapTrace(contentsOf: url)
    }

    private func original() throws -> [UInt8] {
        let url = try #require(PcapTrace.sharedTestData).appendingPathComponent(Self.oracle12)
        return [UInt8](try Data(contentsOf: url))
    }

    @Test func oracle12ReadsEveryPayload() throws {
        let trace = try PcapTrace.shared(Self.oracle12)
        #expect(trace.segments.count == 11)
        let first = try #require(trace.segments.first)
        #expect(first.source == "10.0.2.15")
        #expect(first.destination == "10.0.72.139")
        #expect(first.sourcePort == 40226)
        #expect(first.destinationPort == 1521)
        #expect(first.payload.count == 212)
        #expect(trace.segments.map(\.payload.count).prefix(4) == [212, 8, 212, 41])
        let turns = trace.replayTurns(serverPort: 1521)
        #expect(turns.first == ReplayTurn(waitsForClient: true, bytes: [0, 8, 0, 0, 11, 0, 0, 0]))
        #expect(turns.count == 5)
    }

    @Test func classicPcapStillReads() throws {
        let trace = try PcapTrace.shared("public-traces/arkime/oracle.pcap")
        #expect(trace.segments.count == 1)
        #expect(trace.bytes(toPort: 1522).count == 224)
    }

    /// The same frames written big-endian, once as Enhanced and once as Simple Packet blocks, read back the same.
    @Test(arguments: [true, false])
    func bigEndianSectionsRead(enhanced: Bool) throws {
        let expected = try PcapTrace.shared(Self.oracle12)
        let frames = expected.file.frames.map(\.bytes)
        #expect(frames.count > 11)
        let rewritten = PcapngFile.write(frames, linkType: 1, bigEndian: true, enhanced: enhanced)
        let trace = try read(rewritten)
        #expect(trace.segments.map(\.payload) == expected.segments.map(\.payload))
        #expect(trace.segments.map(\.sourcePort) == expected.segments.map(\.sourcePort))
    }

    /// A file cut anywhere yields a prefix of the whole file's payloads, and never traps.
    @Test func truncatedFilesYieldAPrefix() throws {
        let bytes = try original()
        let whole = try read(bytes).segments.map(\.payload)
        for cut in stride(from: 0, to: bytes.count, by: 5) {
            guard let trace = try? read(Array(bytes.prefix(cut))) else { continue }
            let payloads = trace.segments.map(\.payload)
            #expect(Array(whole.prefix(payloads.count)) == payloads, "cut at \(cut)")
        }
    }

    /// Random byte changes (lengths, interface ids, magic) never trap; whatever is read keeps the reader's invariants.
    @Test func corruptedFilesNeverTrap() throws {
        let bytes = try original()
        var generator = SplitMix64(seed: 0xbad_f11e)
        var readable = 0
        for _ in 0..<400 {
            var corrupt = bytes
            for _ in 0..<(1 + Int(generator.next() % 4)) {
                let index = Int(generator.next() % UInt64(corrupt.count))
                corrupt[index] = UInt8(truncatingIfNeeded: generator.next())
            }
            guard let trace = try? read(corrupt) else { continue }
            readable += 1
            #expect(trace.segments.allSatisfy { !$0.payload.isEmpty })
            #expect(trace.segments.count <= 40)
        }
        #expect(readable > 0)
    }
}

/// A minimal pcapng writer for the tests above: the frames in one section of the chosen byte order.
enum PcapngFile {
    static func write(_ frames: [[UInt8]], linkType: UInt16, bigEndian: Bool, enhanced: Bool) -> [UInt8] {
        func u32(_ value: UInt32) -> [UInt8] {
            let le = [UInt8(value & 0xff), UInt8(value >> 8 & 0xff), UInt8(value >> 16 & 0xff), UInt8(value >> 24)]
            return bigEndian ? le.reversed() : le
        }
        func u16(_ value: UInt16) -> [UInt8] {
            let le = [UInt8(value & 0xff), UInt8(value >> 8)]
            return bigEndian ? le.reversed() : le
        }
        func block(_ type: UInt32, _ body: [UInt8]) -> [UInt8] {
            let padded = body + Array(repeating: 0, count: (4 - body.count % 4) % 4)
            let length = UInt32(padded.count + 12)
            return u32(type) + u32(length) + padded + u32(length)
        }
        var file = block(0x0a0d_0d0a, u32(0x1a2b_3c4d) + u16(1) + u16(0) + Array(repeating: 0xff, count: 8))
        file += block(1, u16(linkType) + u16(0) + u32(0))
        for frame in frames {
            let length = UInt32(frame.count)
            file +=
                enhanced
                ? block(6, u32(0) + u32(0) + u32(0) + u32(length) + u32(length) + frame) : block(3, u32(length) + frame)
        }
        return file
    }
}
