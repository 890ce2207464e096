import DBScoutCore
import DBScoutTestSupport
import Foundation
import Testing

@testable import DBScoutCapture

/// Capture files that are cut short, lie about their lengths or are mangled at random, through the passive
/// reader: each gives a clear error or the findings before the damage, never a crash or a hang.
@Suite("Corrupt capture files", .enabled(if: PcapTrace.sharedTestData != nil, "needs ../shared/testdata"))
struct CorruptCaptureTests {
    static let trace = "captures/pg15-login-ok-md5-select-version.pcap"

    static func original() throws -> [UInt8] {
        let root = try #require(PcapTrace.sharedTestData)
        return Array(try Data(contentsOf: root.appendingPathComponent(trace)))
    }

    /// Writes `bytes` to a temporary file and reads it to the end; `nil` when it could not even be opened.
    static func read(_ bytes: [UInt8]) async throws -> (findings: [Finding], stats: PassiveStats)? {
        let path = NSTemporaryDirectory() + "dbscout-corrupt-\(UUID()).pcap"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var findings: [Finding] = []
        var stats: PassiveStats?
        do {
            for try await event in PassiveReader.events(.file(path), filter: nil, duration: nil) {
                switch event {
                case .opened: break
                case .finding(let finding): findings.append(finding)
                case .finished(let final): stats = final
                }
            }
        } catch let error as CaptureError {
            // A mangled header can name a link type the filter does not fit.
            #expect([.open, .filter].contains(error.code) && error.message.contains(path), "\(error)")
            return nil
        }
        return (findings, try #require(stats))
    }

    @Test func aFileCutMidRecordKeepsWhatCameBeforeAndSaysWhy() async throws {
        let bytes = try Self.original()
        let whole = try #require(try await Self.read(bytes))
        #expect(whole.stats.readError == nil)
        let cut = try #require(try await Self.read(Array(bytes.dropLast(7))))
        #expect(cut.stats.readError?.contains("truncated") == true, "\(String(describing: cut.stats.readError))")
        #expect(cut.stats.decoding.frames == whole.stats.decoding.frames - 1)
        #expect(cut.findings.map(\.endpoint) == whole.findings.map(\.endpoint))
        #expect(!cut.findings.isEmpty)
    }

    @Test func aRecordClaimingAHugeLengthStopsTheReadWithLibpcapsReason() async throws {
        var bytes = try Self.original()
        // The first record's captured length (little-endian file: bytes 32-35) set to 2^31-1.
        bytes.replaceSubrange(32..<36, with: [0xFF, 0xFF, 0xFF, 0x7F])
        let result = try #require(try await Self.read(bytes))
        #expect(result.stats.readError != nil)
        #expect(result.stats.decoding.frames == 0 && result.findings.isEmpty)
    }

    @Test func aFileThatIsNotACaptureIsRefusedAtOpen() async throws {
        #expect(try await Self.read(Array("this is not a capture file\n".utf8)) == nil)
        #expect(try await Self.read([]) == nil)
    }

    /// Every 31st truncation point and 300 random mutations (bytes overwritten, header included): whatever the
    /// damage, the read ends with statistics or an open error.
    @Test func truncationsAndMutationsNeverCrash() async throws {
        let bytes = try Self.original()
        var opened = 0
        for length in stride(from: 0, to: bytes.count, by: 31) {
            if try await Self.read(Array(bytes.prefix(length))) != nil { opened += 1 }
        }
        var random = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            var mutated = bytes
            for _ in 0..<(1 + Int(random.next() % 8)) {
                mutated[Int(random.next() % UInt64(mutated.count))] = UInt8.random(in: 0...255, using: &random)
            }
            if try await Self.read(mutated) != nil { opened += 1 }
        }
        #expect(opened > 100)
    }
}
