import DBSSEmulator
import DBScoutCore
import DBScoutTestSupport
import Foundation
import Testing

/// `dbscout daemon` as systemd runs it, against the real servers and the DBSS emulator over HTTP, with short
/// intervals.
@Suite(
    "dbscout daemon",
    .serialized,
    .enabled(if: TestServers.available && geteuid() == 0, "needs root and scripts/test-servers.sh up")
)
struct DaemonTests {
    static let token = "daemon-token-4711"
    static let harness = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "../../scripts/test-servers.sh"
    ).standardized.path

    let state = NSTemporaryDirectory() + "dbscout-daemon-\(UUID())"

    func environment(_ emulator: DBSSEmulator) -> [String: String] {
        [
            "DBSCOUT_STATE_DIR": state, "DBSCOUT_DBSS_ENDPOINT": emulator.baseURL,
            "DBSCOUT_DBSS_PROJECT_ID": emulator.configuration.projectID,
            "DBSCOUT_DBSS_INSTANCE_ID": emulator.configuration.instanceID, "DBSCOUT_DBSS_TOKEN": Self.token,
        ]
    }

    /// Runs the harness with posix_spawn and waitpid: Foundation's Process would wait for the server the script
    /// leaves running, which inherits the descriptor Process watches for the exit.
    static func harness(_ arguments: String...) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor in Int32(0)...2 {
            posix_spawn_file_actions_addopen(
                &actions,
                descriptor,
                "/dev/null",
                descriptor == 0 ? O_RDONLY : O_WRONLY,
                0
            )
        }
        let argv = ([harness] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        try #require(posix_spawn(&pid, harness, &actions, nil, argv, environ) == 0, "spawn \(harness)")
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        try #require(status == 0, "test-servers.sh \(arguments.joined(separator: " ")) exited with \(status)")
    }

    static func registered(_ emulator: DBSSEmulator) -> Set<String> {
        Set(emulator.databases().map { "\($0.ip):\($0.port)" })
    }

    /// It registers what is there; a PostgreSQL that starts on a new address while it runs is registered by the
    /// first scan after it appeared; the metrics show the work; SIGTERM drains and exits 0 within the bound.
    @Test func registersWhatIsThereAndWhatAppears() async throws {
        let emulator = try await DBSSEmulator.start(DBSSEmulatorConfiguration(validTokens: [Self.token]))
        try? Self.harness("stop", "pg-late")
        let daemon = try DaemonProcess(
            [
                "127.0.0.2", "127.0.0.3", "127.0.0.17", "--ports", "5432,3306", "--interval", "2s",
                "--no-local-discovery",
            ],
            environment: environment(emulator)
        )
        let initial: Set = ["127.0.0.2:5432", "127.0.0.3:3306"]
        _ = try await daemon.until("the running servers are registered") {
            Self.registered(emulator) == initial ? true : nil
        }
        let scansBefore = try await daemon.metric("dbscout_scans_total")
        try Self.harness("start", "pg-late")
        defer { try? Self.harness("stop", "pg-late") }
        _ = try await daemon.until("the new server is registered") {
            Self.registered(emulator).contains("127.0.0.17:5432") ? true : nil
        }
        let scansAfter = try await daemon.metric("dbscout_scans_total")
        // Found by the first scan that began after the server was up (that scan may have finished since).
        #expect(scansAfter - scansBefore <= 2, "scans between start and registration: \(scansAfter - scansBefore)")
        #expect(emulator.databases().count == 3, "each database once")

        let metrics = try await daemon.metrics()
        #expect(metrics["dbscout_up"] == 1)
        #expect(metrics["dbscout_registrations_total{outcome=\"registered\"}"] == 3)
        #expect((metrics["dbscout_findings_total{product=\"postgresql\",source=\"scan\"}"] ?? 0) >= 2)
        #expect(metrics["dbscout_inventory_records{status=\"registered\"}"] == 3)

        let (status, took) = try await daemon.terminate()
        #expect(status == 0, "log:\n\(daemon.output)")
        print("daemon SIGTERM drain took \(took)")
        #expect(daemon.output.contains("daemon stopped"))
        try await emulator.shutdown()
    }

    /// The timer's one-shot scan and the daemon on one SQLite inventory at the same time, with slow adds so their
    /// passes overlap: every database reaches DBSS once.
    @Test func aOneShotScanBesideTheDaemonRegistersNothingTwice() async throws {
        let emulator = try await DBSSEmulator.start(DBSSEmulatorConfiguration(validTokens: [Self.token]))
        emulator.injectFault(.delay(.milliseconds(300), count: 1000, target: .addDatabase))
        let ports = TestServers.ports.description
        let daemon = try DaemonProcess(
            ["127.0.0.2", "127.0.0.3", "--ports", ports, "--interval", "1s", "--no-local-discovery"],
            environment: environment(emulator)
        )
        let scans = try (0..<3).map { _ in
            try CommandLineTests.dbscout(
                ["scan", "127.0.0.2", "127.0.0.3", "-p", ports],
                environment: environment(emulator)
            )
        }
        #expect(scans.allSatisfy { $0.status == 0 }, "\(scans.map(\.stderr))")
        let expected = Set(TestServers.all.filter { $0.address.description != "127.0.0.4" }.map(\.description))
        _ = try await daemon.until("every database is registered") {
            Self.registered(emulator) == expected ? true : nil
        }
        #expect(emulator.databases().count == expected.count, "each database once")
        #expect(emulator.requestCount(.addDatabase) == expected.count, "no add sent twice")
        #expect(try await daemon.terminate().status == 0)
        try await emulator.shutdown()
    }

    /// SIGHUP applies a narrower scope from the config file; a broken config is refused and the running one kept.
    @Test func sighupNarrowsTheScopeAndABadConfigIsRefused() async throws {
        let config = NSTemporaryDirectory() + "dbscout-daemon-\(UUID()).yaml"
        func write(_ text: String) throws { try text.write(toFile: config, atomically: true, encoding: .utf8) }
        try write(
            """
            scan:
              targets: [127.0.0.2, 127.0.0.3]
              ports: "5432,3306"
            daemon:
              interval: 1s
              local_discovery: false
            """
        )
        let daemon = try DaemonProcess(["--config", config], environment: ["DBSCOUT_STATE_DIR": state])
        _ = try await daemon.until("a scan of both hosts") {
            try await daemon.metric("dbscout_last_scan_endpoints") == 4 ? true : nil
        }
        try write(
            """
            scan:
              targets: [127.0.0.2]
              ports: "5432,3306"
            daemon:
              interval: 1s
              local_discovery: false
            """
        )
        daemon.signal(SIGHUP)
        _ = try await daemon.until("the reload is accepted") {
            try await daemon.metric("dbscout_config_reloads_total{result=\"ok\"}") == 1 ? true : nil
        }
        let scans = try await daemon.metric("dbscout_scans_total")
        _ = try await daemon.until("a scan with the new scope") {
            try await daemon.metric("dbscout_scans_total") >= scans + 2 ? true : nil
        }
        #expect(try await daemon.metric("dbscout_last_scan_endpoints") == 2)

        try write("scan:\n  targets: [127.0.0.0/33]\n")
        daemon.signal(SIGHUP)
        _ = try await daemon.until("the bad reload is refused") {
            try await daemon.metric("dbscout_config_reloads_total{result=\"refused\"}") == 1 ? true : nil
        }
        let later = try await daemon.metric("dbscout_scans_total")
        _ = try await daemon.until("another scan") {
            try await daemon.metric("dbscout_scans_total") >= later + 1 ? true : nil
        }
        #expect(try await daemon.metric("dbscout_last_scan_endpoints") == 2, "the running scope stays")
        #expect(daemon.output.contains("configuration reload refused"))
        #expect(daemon.output.contains("127.0.0.0/33"))
        #expect(try await daemon.terminate().status == 0)
    }

    /// Local discovery maps the host's listening sockets to processes and probes each database server among them:
    /// the harness's servers are found by process, with their versions from the probe.
    @Test func localDiscoveryFindsTheServersByProcess() async throws {
        let daemon = try DaemonProcess(["--interval", "60s"], environment: ["DBSCOUT_STATE_DIR": state])
        let expected = TestServers.all.filter { $0.address.description != "10.231.0.2" }
        _ = try await daemon.until("every harness server is recorded") {
            let log = daemon.output
            return expected.allSatisfy { log.contains("endpoint=\($0)") && log.contains("source=local") } ? true : nil
        }
        #expect(try await daemon.metric("dbscout_local_databases") >= Double(expected.count))
        #expect(try await daemon.terminate().status == 0)
        let show = try CommandLineTests.dbscout(
            ["inventory", "show", "127.0.0.2:5432", "--format", "json"],
            environment: ["DBSCOUT_STATE_DIR": state]
        )
        #expect(show.stdout.contains("local.process") && show.stdout.contains("postgres"), "\(show.stdout)")
        #expect(show.stdout.contains("15."), "the probe gave the version")
    }

    /// Under systemd: READY when up, WATCHDOG at half the watchdog interval, STOPPING on SIGTERM.
    @Test func tellsSystemdReadyWatchdogAndStopping() async throws {
        let socket = try NotifySocket()
        let daemon = try DaemonProcess(
            [],
            environment: [
                "DBSCOUT_STATE_DIR": state, "NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "400000",
            ]
        )
        var messages: [String] = []
        _ = try await daemon.until("READY and two WATCHDOG messages") {
            messages += socket.receiveAll()
            return messages.filter { $0.contains("WATCHDOG=1") }.count >= 2 ? true : nil
        }
        #expect(messages.first?.contains("READY=1") == true, "\(messages)")
        #expect(try await daemon.terminate().status == 0)
        messages += socket.receiveAll()
        #expect(messages.last?.contains("STOPPING=1") == true, "\(messages)")
    }
}
