import DBScoutCore
import DBScoutTestSupport
import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// `dbscout sniff` as users run it: capture files and a live interface.
@Suite("dbscout sniff")
struct SniffCommandTests {
    private var state: String { NSTemporaryDirectory() + "dbscout-sniff-\(UUID())" }

    private func findings(_ run: CommandLineTests.Run) throws -> [[String: Any]] {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        return try #require(document["findings"] as? [[String: Any]])
    }

    @Test(.enabled(if: PcapTrace.sharedTestData != nil, "needs ../shared/testdata"))
    func aCaptureFileGivesItsDatabasesOnAnyPort() throws {
        let folder = try #require(PcapTrace.sharedTestData)
        let run = try CommandLineTests.dbscout(
            [
                "sniff", "--format", "json",
                "--read", folder.appendingPathComponent("public-traces/nDPI/pgsql2.pcapng").path,
                "--read", folder.appendingPathComponent("public-traces/zeek/postgresql/http-on-port-5432.pcap").path,
                "--read", folder.appendingPathComponent("captures/mariadb10.11-greeting-only.pcap").path,
            ],
            environment: ["DBSCOUT_STATE_DIR": state]
        )
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let found = try findings(run).map { "\($0["ip"] ?? ""):\($0["port"] ?? "") \($0["product"] ?? "")" }
        #expect(found.sorted() == ["10.220.20.67:60102 postgresql", "127.0.0.1:3306 mariadb"])
    }

    /// A file cut short: the findings before the cut are reported and kept, the cut is named, and the exit
    /// status says the input was damaged.
    @Test(.enabled(if: PcapTrace.sharedTestData != nil, "needs ../shared/testdata"))
    func aFileCutShortKeepsItsFindingsAndExitsWithOne() throws {
        let folder = try #require(PcapTrace.sharedTestData)
        let bytes = try Data(
            contentsOf: folder.appendingPathComponent("captures/pg15-login-ok-md5-select-version.pcap")
        )
        let path = NSTemporaryDirectory() + "dbscout-cut-\(UUID()).pcap"
        try bytes.dropLast(5).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = try CommandLineTests.dbscout(
            ["sniff", "--format", "json", "--read", path],
            environment: ["DBSCOUT_STATE_DIR": state]
        )
        #expect(run.status == 1, "stderr: \(run.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let errors = try #require((document["capture"] as? [String: Any])?["errors"] as? [String])
        #expect(errors.count == 1 && errors[0].contains(path) && errors[0].contains("truncated"), "\(errors)")
        #expect(try findings(run).map { "\($0["ip"] ?? ""):\($0["port"] ?? "")" } == ["127.0.0.1:5432"])
    }

    @Test(arguments: [
        (["sniff"], "--read"),
        (["sniff", "--read", "/nonexistent.pcap"], "/nonexistent.pcap"),
        (["sniff", "--read", "/dev/null", "--interface", "lo"], "one of them"),
    ])
    func badSourcesExitWithTwo(arguments: [String], message: String) throws {
        let run = try CommandLineTests.dbscout(arguments, environment: ["DBSCOUT_STATE_DIR": state])
        #expect(run.status == 2)
        #expect(run.stderr.contains(message), "stderr: \(run.stderr)")
    }

    /// The sniffer says when its capture is open (`-v`); the clients start then, so that a slow start on a loaded
    /// machine cannot leave the capture window empty. Run alone by scripts/run-tests.sh (DBSCOUT_LIVE_SNIFF_TEST=1):
    /// alone it passes every time, but in two clean-clone runs of the whole parallel suite the sniffer reported
    /// nothing, and the interaction is not understood yet.
    @Test(
        .enabled(
            if: TestServers.available && geteuid() == 0
                && ProcessInfo.processInfo.environment["DBSCOUT_LIVE_SNIFF_TEST"] == "1",
            "live capture on lo: run alone with DBSCOUT_LIVE_SNIFF_TEST=1 (scripts/run-tests.sh does)"
        )
    )
    func liveTrafficOnLoopbackIsRecognised() async throws {
        let server = TestServers.mariadbPlain
        let process = Process()
        process.executableURL = CommandLineTests.binary
        process.arguments = [
            "sniff", "--interface", "lo", "--duration", "5", "--format", "json", "-v",
            "--filter", "host \(server.address) and tcp port \(server.port)",
        ]
        process.environment = ["DBSCOUT_STATE_DIR": state, "PATH": "/usr/bin:/bin"]
        let out = Pipe()
        let errors = Pipe()
        let log = Mutex("")
        errors.fileHandleForReading.readabilityHandler = { handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            log.withLock { $0 += text }
        }
        process.standardOutput = out
        process.standardError = errors
        try process.run()
        for _ in 0..<600 where process.isRunning && !log.withLock({ $0.contains("reading") }) {
            try await Task.sleep(for: .milliseconds(100))
        }
        // Clients that read the greeting and hang up, as a monitoring check would, until the window closes.
        for _ in 0..<100 where process.isRunning {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: server.address.description, port: Int(server.port)).get()
            try await Task.sleep(for: .milliseconds(50))
            try await channel.close()
            try await Task.sleep(for: .milliseconds(250))
        }
        let stdout = PipeReader.readAll(out)[0]
        process.waitUntilExit()
        let run = CommandLineTests.Run(
            status: process.terminationStatus,
            stdout: String(decoding: stdout, as: UTF8.self),
            stderr: log.withLock { $0 }
        )
        errors.fileHandleForReading.readabilityHandler = nil
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let found = try findings(run)
        #expect(found.count == 1)
        #expect(found.first?["product"] as? String == "mariadb")
        #expect(found.first?["port"] as? Int == 3306)
    }
}
