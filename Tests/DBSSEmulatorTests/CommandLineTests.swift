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
        let (process, port) = try await Self.launch(
            ["--database-limit", "3"],
            environment: ["DBSS_EMULATOR_TOKEN": testToken]
        )
        defer { if process.isRunning { process.terminate() } }

        let connection = try RawConnection(port: port)
        try connection.transmit("GET /_emulator/databases HTTP/1.1\r\nHost: localhost\r\n\r\n")
        #expect(connection.receive { $0.hasSuffix("[]") }.hasPrefix("HTTP/1.1 200"))

        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
    }

    @Test(
        "--access-key takes its SK from the environment or a file; --api-versions switches v1 off",
        arguments: [false, true]
    )
    func accessKeyAndVersions(fromFile: Bool) async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dbss-sk-\(UUID().uuidString)")
        try Data("\(testSecretKey)\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let arguments = ["--access-key", testAccessKey, "--api-versions", "v2", "--token-lifetime", "60"]
        let (process, port) = try await Self.launch(
            arguments + (fromFile ? ["--secret-key-file", file.path] : []),
            environment: fromFile ? [:] : ["DBSS_EMULATOR_SECRET_KEY": testSecretKey]
        )
        defer { process.terminate() }

        let base = "http://127.0.0.1:\(port)"
        let project = DBSSEmulatorConfiguration().projectID
        let instance = DBSSEmulatorConfiguration().instanceID
        var request = TestRequest(
            method: "POST",
            path: "/v2/\(project)/audit/\(instance)/databases",
            headers: [("Content-Type", "application/json"), ("Host", "127.0.0.1:\(port)")],
            body: Array(DatabaseJSON().body.utf8)
        )
        let signer = TestSigner(accessKey: testAccessKey, secretKey: testSecretKey)
        #expect(try await send(signer.sign(request, date: AKSKTests.now()), to: base).status == 200)
        request.path = "/v1/\(project)/\(instance)/audit/databases"
        let v1 = try await send(signer.sign(request, date: AKSKTests.now()), to: base)
        #expect(v1.status == 404)
        #expect(try v1.gatewayError().code == "APIGW.0101")
    }

    @Test(
        "refuses --access-key without a secret key, --secret-key-file alone, and unknown API versions",
        arguments: [["--access-key", "AK"], ["--secret-key-file", "/dev/null"], ["--api-versions", "v3"]]
    )
    func refusesBadCredentialFlags(_ arguments: [String]) throws {
        let process = try Self.process(arguments, environment: [:], output: FileHandle.nullDevice)
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
    }

    @Test("refuses a non-loopback host without --allow-non-loopback")
    func refusesNonLoopback() throws {
        let process = try Self.process(["--host", "0.0.0.0"], environment: [:], output: FileHandle.nullDevice)
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
    }

    /// The emulator process with `arguments` (after `--port 0`), not yet started; standard error is discarded.
    private static func process(_ arguments: [String], environment: [String: String], output: Any) throws -> Process {
        let process = Process()
        let binary = try #require(emulatorBinary)
        process.executableURL = binary
        process.arguments = ["--port", "0"] + arguments
        process.environment = environment
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        return process
    }

    /// Starts the emulator and returns it with the port from its listening line.
    private static func launch(_ arguments: [String], environment: [String: String]) async throws -> (Process, Int) {
        let output = Pipe()
        let process = try process(arguments, environment: environment, output: output)
        try process.run()
        let line = try await firstLine(of: output.fileHandleForReading)
        let prefix = "dbss-emulator listening on http://127.0.0.1:"
        #expect(line.hasPrefix(prefix))
        guard let port = Int(line.dropFirst(prefix.count)) else {
            process.terminate()
            throw CocoaError(.fileReadCorruptFile)
        }
        return (process, port)
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
