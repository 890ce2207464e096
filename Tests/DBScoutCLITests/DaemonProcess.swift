import Foundation
import Synchronization
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `dbscout daemon` as a real process: its log captured, its metrics endpoint read, signals sent.
final class DaemonProcess: Sendable {
    let process: Process
    private let log = Mutex("")
    private let errors: Pipe

    /// Starts the daemon with `arguments` after `daemon`, a metrics endpoint on an ephemeral loopback port, and
    /// `environment` (PATH and HOME are added).
    init(_ arguments: [String], environment: [String: String]) throws {
        process = Process()
        process.executableURL = CommandLineTests.binary
        process.arguments = ["daemon", "--metrics-listen", "127.0.0.1:0", "-v"] + arguments
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()].merging(environment) { $1 }
        errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        errors.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            self?.log.withLock { $0 += text }
        }
        try process.run()
    }

    var output: String { log.withLock { $0 } }

    /// The metrics port the daemon logged.
    func metricsPort() async throws -> Int {
        try await until("the metrics endpoint listens") {
            output.split(separator: "\n").first { $0.contains("metrics endpoint listening") }
                .flatMap { line in line.split(separator: " ").first { $0.hasPrefix("port=") } }
                .flatMap { Int($0.dropFirst("port=".count)) }
        }
    }

    /// Every sample of the metrics endpoint, by its full name with labels.
    func metrics() async throws -> [String: Double] {
        let port = try await metricsPort()
        let url = try #require(URL(string: "http://127.0.0.1:\(port)/metrics"))
        let (data, _) = try await URLSession.shared.data(from: url)
        var samples: [String: Double] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                continue
            }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    /// One metric's value, 0 when absent.
    func metric(_ name: String) async throws -> Double { try await metrics()[name] ?? 0 }

    /// Waits (bounded by `seconds`, polling) until `value` gives something; fails the test with `what` if not.
    func until<T>(_ what: String, seconds: Double = 60, _ value: () async throws -> T?) async throws -> T {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if let found = try await value() { return found }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("timed out waiting until \(what); daemon log:\n\(output)")
        throw CancellationError()
    }

    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Sends SIGTERM and waits for the exit (bounded); returns the status and how long the drain took.
    func terminate(within seconds: Double = 60) async throws -> (status: Int32, took: Duration) {
        let started = ContinuousClock.now
        signal(SIGTERM)
        _ = try await until("the daemon exits after SIGTERM", seconds: seconds) { process.isRunning ? nil : true }
        errors.fileHandleForReading.readabilityHandler = nil
        return (process.terminationStatus, ContinuousClock.now - started)
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
