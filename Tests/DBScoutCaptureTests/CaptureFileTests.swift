import DBScoutCapture
import DBScoutTestSupport
import Foundation
import Testing

/// Whole capture files read through libpcap: frames in order with their numbers and times, and errors that name
/// the file.
@Suite("Capture files")
struct CaptureFileTests {
    static func temporaryFile(_ bytes: [UInt8]) throws -> String {
        let path = NSTemporaryDirectory() + "dbscout-capture-file-\(UUID()).pcap"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The expected values are tcpdump's (`tcpdump -tt -nr`): 19 frames on BSD loopback, from .830421 to .839077.
    @Test(.enabled(if: PcapTrace.sharedTestData != nil, "needs ../shared/testdata"))
    func framesComeInOrderWithTheirNumbersAndCaptureTimes() throws {
        let file = try SharedTraces.file("public-traces/nDPI/pgsql2.pcapng")
        #expect(file.linkType == 0)
        #expect(file.frames.map(\.number) == Array(1...19))
        #expect(file.frames.first?.timestamp == .seconds(1_682_508_779) + .microseconds(830_421))
        #expect(file.frames.last?.timestamp == .seconds(1_682_508_779) + .microseconds(839_077))
        #expect(zip(file.frames, file.frames.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp })
        #expect(file.segments.map(\.frame.number) == Array(1...19), "every frame holds a TCP segment")
    }

    @Test(.enabled(if: PcapTrace.sharedTestData != nil, "needs ../shared/testdata"))
    func aFileCutShortGivesTheFramesBeforeTheCutAndSaysWhy() throws {
        let whole = try SharedTraces.file("captures/mariadb10.11-greeting-only.pcap")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: whole.path)))
        let path = try Self.temporaryFile(Array(bytes.dropLast(10)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let cut = try CaptureFile(path: path)
        #expect(whole.frames.count == 8 && whole.readError == nil)
        #expect(cut.frames == Array(whole.frames.dropLast()))
        #expect(cut.readError?.contains("truncated") == true, "\(String(describing: cut.readError))")
    }

    @Test func aMissingFileIsAnErrorNamingIt() {
        let path = NSTemporaryDirectory() + "dbscout-missing-\(UUID()).pcap"
        let error = #expect(throws: CaptureError.self) { try CaptureFile(path: path) }
        #expect(error?.code == .open)
        #expect(error?.message.contains(path) == true, "\(String(describing: error))")
    }

    @Test func aFileThatIsNoCaptureIsAnErrorNamingIt() throws {
        let path = try Self.temporaryFile(Array("SELECT 1; -- not a capture file\n".utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = #expect(throws: CaptureError.self) { try CaptureFile(path: path) }
        #expect(error?.code == .open)
        #expect(error?.message.contains(path) == true, "\(String(describing: error))")
    }
}
