import DBSSEmulator
import Foundation
import Testing

/// The built `dbss-emulator` binary next to the test bundle, when it was built.
private let emulatorBinary: URL? = {
    let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    var directory = testBinary.deletingLastPathComponent()
    // On Linux the tests run from `.build/debug/<package>PackageTests.xctest`; on macOS from
    // inside a `.xctest` bundle, a few levels deeper.
    for _ in 0..<4 {
        let candidate = directory.appendingPathComponent("dbss-emulator")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        directory = directory.deletingLastPathComponent()
    }
    return nil
}()

@Suite("dbss-emulator executable", .enabled(if: emulatorBinary != nil, "dbss-emulator was not built"))
struct CommandLineTests {
    @Test("prints one listening line, serves with the token from the environment, stops on SIGTERM")
    func runsUntilTerminated() async throws {
        let binary = try #require(emulatorBinary)
        let process = Process()
        process.executableURL = binary
        process.arguments = ["--port", "0", "--database-limit", "3"]
        process.environment = ["DBSS_EMULATOR_TOKEN": testToken]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        let line = try await Self.firstLine(of: output.fileHandleForReading)
        let prefix = "dbss-emulator listening on http://127.0.0.1:"
        #expect(line.hasPrefix(prefix))
        let port = try #require(Int(line.dropFirst(prefix.count)))

        let connection = try RawConnection(port: port)
        try connection.transmit("GET /_emulator/databases HTTP/1.1\r\nHost: localhost\r\n\r\n")
        #expect(connection.receive { $0.hasSuffix("[]") }.hasPrefix("HTTP/1.1 200"))

        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
    }

    @Test("refuses a non-loopback host without --allow-non-loopback")
    func refusesNonLoopback() throws {
        let binary = try #require(emulatorBinary)
        let process = Process()
        process.executableURL = binary
        process.arguments = ["--host", "0.0.0.0"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
    }

    /// Reads up to the first newline without blocking the test's cooperative thread.
    private static func firstLine(of handle: FileHandle) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                var bytes: [UInt8] = []
                while !bytes.contains(UInt8(ascii: "\n")) {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    bytes.append(contentsOf: chunk)
                }
                guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else {
                    continuation.resume(throwing: CocoaError(.fileReadUnknown))
                    return
                }
                continuation.resume(returning: String(decoding: bytes[..<newline], as: UTF8.self))
            }
        }
    }
}
