import DBSSClient
import DBSSEmulator
import DBScoutAgent
import DBScoutCore
import DBScoutInventory
import DBScoutTestSupport
import Foundation
import Logging
import Testing

/// The whole path: real servers, the SQLite inventory on disk, and the emulator over HTTP.
@Suite(
    "Scan, record, register",
    .serialized,
    .enabled(if: TestServers.available, "needs scripts/test-servers.sh up and DBSCOUT_TEST_SERVERS=1")
)
struct PipelineTests {
    static let token = "pipeline-token-51a7"
    /// Every server but Redis: PostgreSQL ×3 and MariaDB ×4, the refusing one included.
    static let registrable = [
        TestServers.postgresPlain, TestServers.postgresSSL, TestServers.postgresSSLOnly, TestServers.mariadbPlain,
        TestServers.mariadbRefusing, TestServers.mariadbGBK, TestServers.mariadbTLS,
    ]

    private func settings(state: URL, dbss endpoint: String?, emulator: DBSSEmulator? = nil) throws -> AgentSettings {
        var environment = ["DBSCOUT_STATE_DIR": state.path]
        if let endpoint {
            environment["DBSCOUT_DBSS_ENDPOINT"] = endpoint
            environment["DBSCOUT_DBSS_PROJECT_ID"] = emulator?.configuration.projectID ?? "p"
            environment["DBSCOUT_DBSS_INSTANCE_ID"] = emulator?.configuration.instanceID ?? "i"
            environment["DBSCOUT_DBSS_TOKEN"] = PipelineTests.token
        }
        var flags = SettingsOverrides()
        flags.targets = ["127.0.0.2-4"]
        flags.ports = TestServers.ports.description
        return try AgentSettings.load(environment: environment, overrides: flags)
    }

    private func run(_ settings: AgentSettings, dryRun: Bool = false) async throws -> ScanReport {
        try await ScanJob(settings: settings, dryRun: dryRun, logger: Logger(label: "test")).run()
    }

    private func withState(_ body: (URL) async throws -> Void) async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("dbscout-state-\(UUID())")
        defer { try? FileManager.default.removeItem(at: state) }
        try await body(state)
    }

    private func startEmulator() async throws -> DBSSEmulator {
        try await DBSSEmulator.start(DBSSEmulatorConfiguration(validTokens: [PipelineTests.token]))
    }

    @Test func registersEachServerExactlyOnceAcrossTwoScans() async throws {
        let emulator = try await startEmulator()
        try await withState { state in
            let settings = try settings(state: state, dbss: emulator.baseURL, emulator: emulator)
            let first = try await run(settings)
            guard case .submitted(let summary) = first.registration else {
                Issue.record("expected a registration pass")
                return
            }
            #expect(summary.registered == Self.registrable.count)
            #expect(first.exitCode == 0)
            #expect(Set(first.records.map(\.endpoint)) == Set(TestServers.all))
            for record in first.records {
                let expected: RegistrationStatus = record.finding.product == .redis ? .notRegistrable : .registered
                #expect(record.registration.status == expected, "\(record.endpoint)")
            }
            let registered = Set(emulator.databases().map { "\($0.ip):\($0.port)" })
            #expect(registered == Set(Self.registrable.map(\.description)))

            let second = try await run(settings)
            guard case .submitted(let again) = second.registration else { return }
            #expect(again.registered == 0)
            #expect(emulator.databases().count == Self.registrable.count)
            #expect(emulator.requestCount(.addDatabase) == Self.registrable.count)
            let ids = Dictionary(uniqueKeysWithValues: first.records.map { ($0.endpoint, $0.registration.id) })
            #expect(second.records.allSatisfy { ids[$0.endpoint] == $0.registration.id })
        }
        try await emulator.shutdown()
    }

    @Test func aFailingDBSSLeavesFindingsPendingForTheNextRun() async throws {
        let emulator = try await startEmulator()
        try await withState { state in
            let settings = try settings(state: state, dbss: emulator.baseURL, emulator: emulator)
            emulator.injectFault(.failure(status: 503, errorCode: "DBSS.11000000", count: 1000))
            let failed = try await run(settings)
            #expect(failed.exitCode == 1)
            #expect(emulator.databases().isEmpty)
            // The pass stops at DBSS's list, before any add: every record is still due, and the report says why.
            let pending = try await SQLiteInventory(directory: state).due(now: Date())
            #expect(pending.count == Self.registrable.count)
            guard case .submitted(let summary) = failed.registration else {
                Issue.record("registration was not attempted: \(failed.registration)")
                return
            }
            #expect(summary.stoppedBy?.contains("503") == true, "\(String(describing: summary.stoppedBy))")

            emulator.reset()
            // An operator's retry brings the deferred record forward instead of waiting out the minute.
            try await SQLiteInventory(directory: state).requeue()
            let recovered = try await run(settings)
            #expect(recovered.exitCode == 0)
            #expect(emulator.databases().count == Self.registrable.count)
        }
        try await emulator.shutdown()
    }

    @Test func anUnreachableDBSSLosesNothing() async throws {
        try await withState { state in
            let report = try await run(try settings(state: state, dbss: "http://127.0.0.1:9"))
            #expect(report.exitCode == 1)
            let records = try await SQLiteInventory(directory: state).all()
            #expect(records.count == TestServers.all.count)
            #expect(records.filter { $0.isDue(at: .distantFuture) }.count == Self.registrable.count)
        }
    }

    @Test func aDryRunShowsTheBodiesAndWritesNothing() async throws {
        let emulator = try await startEmulator()
        try await withState { state in
            let report = try await run(
                try settings(state: state, dbss: emulator.baseURL, emulator: emulator),
                dryRun: true
            )
            guard case .dryRun(let requests) = report.registration else {
                Issue.record("expected a dry run")
                return
            }
            #expect(requests.count == Self.registrable.count)
            #expect(requests.allSatisfy { $0.method == "POST" && $0.path.hasSuffix("/audit/databases") })
            let postgres = try #require(requests.first { $0.body.port == "5432" })
            #expect(postgres.body.type == "POSTGRESQL")
            #expect(postgres.body.version == "15")
            #expect(emulator.requestCount() == 0)
            #expect(!FileManager.default.fileExists(atPath: state.path))
        }
        try await emulator.shutdown()
    }

    @Test func withoutDBSSSettingsFindingsAreKeptNotSubmitted() async throws {
        try await withState { state in
            let report = try await run(try settings(state: state, dbss: nil))
            guard case .notConfigured = report.registration else {
                Issue.record("expected registration to be off")
                return
            }
            #expect(report.exitCode == 0)
            #expect(try await SQLiteInventory(directory: state).due(now: Date()).count == Self.registrable.count)
            #expect(report.renderText().contains("not configured"))
        }
    }
}
