import DBScoutCore
import Foundation
import NIOCore
import NIOPosix

/// A real TLS server that is not a database: `openssl s_server` with a throwaway self-signed certificate,
/// answering whatever arrives inside TLS with its HTTP status page.
public final class TLSDecoy: Sendable {
    public let endpoint: Endpoint
    private let process: Process
    private let directory: URL

    /// Starts the server on `host:port` and waits (at most 10 s) until it accepts connections.
    public static func start(host: String, port: UInt16) async throws -> TLSDecoy {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tls-decoy-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let key = directory.appendingPathComponent("key.pem").path
        let certificate = directory.appendingPathComponent("cert.pem").path
        let request = try launch([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
            "-subj", "/CN=dbscout-tls-decoy", "-keyout", key, "-out", certificate,
        ])
        guard await exitStatus(request) == 0 else { throw PcapError("openssl could not make a certificate") }
        let server = try launch([
            "s_server", "-quiet", "-www", "-accept", "\(host):\(port)", "-cert", certificate, "-key", key,
        ])
        let decoy = TLSDecoy(
            endpoint: Endpoint(address: IPAddress(host)!, port: port),
            process: server,
            directory: directory
        )
        guard await decoy.acceptsConnections(host: host, port: Int(port)) else {
            decoy.stop()
            throw PcapError("openssl s_server did not start on \(host):\(port)")
        }
        return decoy
    }

    private init(endpoint: Endpoint, process: Process, directory: URL) {
        self.endpoint = endpoint
        self.process = process
        self.directory = directory
    }

    /// Stops the server with SIGKILL: `openssl s_server` can sit out a SIGTERM while it waits in accept.
    public func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: directory)
    }

    private func acceptsConnections(host: String, port: Int) async -> Bool {
        for _ in 0..<100 {
            if let channel = try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: host, port: port).get()
            {
                try? await channel.close()
                return true
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    private static func launch(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Waits for a short-lived process without blocking a thread (Foundation's waitUntilExit spins on Linux).
    private static func exitStatus(_ process: Process) async -> Int32 {
        for _ in 0..<300 where process.isRunning {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return process.isRunning ? -1 : process.terminationStatus
    }
}
