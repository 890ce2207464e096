import DBSSEmulator
import DBScoutCore
import DBScoutTestSupport
import Foundation
import Testing

/// `dbscout register` as users run it: a registration pass over an inventory a real sniff (or scan) filled, against
/// the emulator over HTTP.
@Suite("dbscout register", .enabled(if: PcapTrace.sharedTestData != nil, "needs ../shared/testdata"))
struct RegisterCommandTests {
    static let token = "register-token-8086"

    static func startEmulator() async throws -> DBSSEmulator {
        try await DBSSEmulator.start(DBSSEmulatorConfiguration(validTokens: [token]))
    }

    /// DBSS settings for `emulator`, and the state directory.
    static func environment(_ emulator: DBSSEmulator, state: String) -> [String: String] {
        [
            "DBSCOUT_STATE_DIR": state, "DBSCOUT_DBSS_ENDPOINT": emulator.baseURL,
            "DBSCOUT_DBSS_PROJECT_ID": emulator.configuration.projectID,
            "DBSCOUT_DBSS_INSTANCE_ID": emulator.configuration.instanceID, "DBSCOUT_DBSS_TOKEN": token,
        ]
    }

    /// DBSS's records as `ip:port`, duplicates kept.
    static func registered(_ emulator: DBSSEmulator) -> [String] {
        emulator.databases().map { "\($0.ip):\($0.port)" }.sorted()
    }

    /// The `registration` block of a `register --format json` run.
    static func summary(_ run: CommandLineTests.Run) throws -> [String: Any] {
        try #require(try SniffedInventory.document(run)["registration"] as? [String: Any])
    }

    static func statuses(_ inventory: SniffedInventory) throws -> [String: String] {
        try inventory.records().compactMapValues { SniffedInventory.registration($0)["status"] as? String }
    }

    @Test func pendingRecordsAreRegisteredOnceAndASecondRunAddsNothing() async throws {
        let inventory = try SniffedInventory()
        let emulator = try await Self.startEmulator()
        let environment = Self.environment(emulator, state: inventory.state)
        let first = try inventory.dbscout(["register", "--format", "json"], environment: environment)
        #expect(first.status == 0, "stderr: \(first.stderr)")
        let summary = try Self.summary(first)
        #expect(summary["status"] as? String == "submitted")
        #expect(summary["registered"] as? Int == inventory.registrable.count)
        #expect(
            Set(try SniffedInventory.byEndpoint(try SniffedInventory.findings(in: first)).keys) == inventory.registrable
        )
        #expect(Self.registered(emulator) == inventory.registrable.sorted(), "each database added once")
        let ids = Dictionary(uniqueKeysWithValues: emulator.databases().map { ("\($0.ip):\($0.port)", $0.id) })
        for (endpoint, record) in try inventory.records() where inventory.registrable.contains(endpoint) {
            let registration = SniffedInventory.registration(record)
            #expect(registration["status"] as? String == "registered")
            #expect(registration["id"] as? String == ids[endpoint])
            #expect(registration["origin"] as? String == "added")
        }

        let second = try inventory.dbscout(["register"], environment: environment)
        #expect(second.status == 0, "stderr: \(second.stderr)")
        #expect(second.stdout.contains("Nothing was due"), "stdout: \(second.stdout)")
        #expect(second.stdout.contains("Registration: 0 registered"))
        #expect(emulator.requestCount(.addDatabase) == inventory.registrable.count)
        #expect(Self.registered(emulator) == inventory.registrable.sorted())
        try await emulator.shutdown()
    }

    @Test func aRejectedRecordIsRetriedByRegister() async throws {
        let inventory = try SniffedInventory()
        let emulator = try await Self.startEmulator()
        let environment = Self.environment(emulator, state: inventory.state)
        emulator.injectFault(.failure(status: 400, errorCode: "DBSS.10000001", target: .addDatabase))
        let first = try inventory.dbscout(["register", "--format", "json"], environment: environment)
        #expect(first.status == 1, "a rejection is not a clean pass")
        let summary = try Self.summary(first)
        #expect(summary["rejected"] as? Int == 1)
        #expect(summary["registered"] as? Int == inventory.registrable.count - 1)
        let rejected = try Self.statuses(inventory).filter { $0.value == "rejected" }
        let endpoint = try #require(rejected.keys.first)
        #expect(rejected.count == 1)
        let error = SniffedInventory.registration(try inventory.records()[endpoint])["error"] as? String
        #expect(error?.contains("DBSS.10000001") == true, "\(error ?? "no error")")

        let retry = try inventory.dbscout(["register"], environment: environment)
        #expect(retry.status == 0, "stderr: \(retry.stderr)")
        #expect(retry.stdout.contains("Put 1 rejected or retrying record(s) back to pending"), "\(retry.stdout)")
        #expect(retry.stdout.contains(endpoint))
        #expect(try Self.statuses(inventory)[endpoint] == "registered")
        #expect(Self.registered(emulator) == inventory.registrable.sorted(), "each database added once")
        try await emulator.shutdown()
    }

    @Test func aDryRunChangesNothing() async throws {
        let inventory = try SniffedInventory()
        let emulator = try await Self.startEmulator()
        let environment = Self.environment(emulator, state: inventory.state)
        let before = try inventory.dbscout(["inventory", "export"]).stdout
        let dry = try inventory.dbscout(["register", "--dry-run", "--format", "json"], environment: environment)
        #expect(dry.status == 0, "stderr: \(dry.stderr)")
        let summary = try Self.summary(dry)
        #expect(summary["status"] as? String == "dry_run")
        let requests = try #require(summary["requests"] as? [[String: Any]])
        #expect(requests.allSatisfy { $0["path"] as? String == emulator.addDatabasePath(.v1) })
        let bodies = requests.compactMap { ($0["body"] as? [String: Any])?["database"] as? [String: Any] }
        #expect(Set(bodies.map { "\($0["ip"] ?? ""):\($0["port"] ?? "")" }) == inventory.registrable)
        #expect(bodies.count == inventory.registrable.count)
        #expect(emulator.requestLog().isEmpty, "a dry run does not call DBSS")
        #expect(
            try Self.withoutExportTime(inventory.dbscout(["inventory", "export"]).stdout)
                == Self.withoutExportTime(before)
        )

        // With a rejected record: the dry run plans its retry, and requeues nothing.
        emulator.injectFault(.failure(status: 400, errorCode: "DBSS.10000001", target: .addDatabase))
        _ = try inventory.dbscout(["register"], environment: environment)
        let rejected = try #require(try Self.statuses(inventory).first { $0.value == "rejected" }?.key)
        let adds = emulator.requestCount(.addDatabase)
        let snapshot = try inventory.dbscout(["inventory", "export"]).stdout
        let retry = try inventory.dbscout(["register", "--dry-run"], environment: environment)
        #expect(retry.status == 0)
        #expect(retry.stdout.contains("1 rejected or retrying record(s) would be put back"), "\(retry.stdout)")
        #expect(retry.stdout.contains("Dry run: 1 request(s) would be sent"))
        let port = try #require(rejected.split(separator: ":").last)
        #expect(retry.stdout.contains("\"port\" : \"\(port)\""))
        #expect(emulator.requestCount(.addDatabase) == adds)
        #expect(
            try Self.withoutExportTime(inventory.dbscout(["inventory", "export"]).stdout)
                == Self.withoutExportTime(snapshot)
        )
        #expect(try Self.statuses(inventory)[rejected] == "rejected")
        try await emulator.shutdown()
    }

    @Test(arguments: [["register"], ["register", "--dry-run"]])
    func withoutDBSSSettingsItExitsWithTwo(arguments: [String]) throws {
        let inventory = try SniffedInventory()
        let run = try inventory.dbscout(arguments)
        #expect(run.status == 2)
        #expect(run.stderr.contains("registration is not configured"), "stderr: \(run.stderr)")
        #expect(try Self.statuses(inventory).values.allSatisfy { ["pending", "not_registrable"].contains($0) })
    }

    /// `register` takes the DBSS options `scan` and `sniff` take.
    @Test func theDBSSOptionsWorkForRegister() async throws {
        let inventory = try SniffedInventory()
        let emulator = try await Self.startEmulator()
        let tokenFile = NSTemporaryDirectory() + "dbscout-register-token-\(UUID())"
        try Data(Self.token.utf8).write(to: URL(fileURLWithPath: tokenFile))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: tokenFile)
        defer { try? FileManager.default.removeItem(atPath: tokenFile) }
        let run = try inventory.dbscout([
            "register", "--dbss-endpoint", emulator.baseURL, "--dbss-project-id", emulator.configuration.projectID,
            "--dbss-instance-id", emulator.configuration.instanceID, "--dbss-api-version", "v2",
            "--dbss-token-file", tokenFile,
        ])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let adds = emulator.requestLog().filter { $0.operation == .addDatabase }
        #expect(adds.count == inventory.registrable.count)
        #expect(adds.allSatisfy { $0.apiVersion == .v2 && $0.path == emulator.addDatabasePath(.v2) })
        #expect(Self.registered(emulator) == inventory.registrable.sorted())
        try await emulator.shutdown()
    }

    /// The real servers, found by a scan without DBSS settings, registered by `register` afterwards.
    @Test(.enabled(if: TestServers.available, "needs scripts/test-servers.sh up and DBSCOUT_TEST_SERVERS=1"))
    func theServersAScanFoundAreRegisteredLater() async throws {
        let state = NSTemporaryDirectory() + "dbscout-register-scan-\(UUID())"
        let scan = try CommandLineTests.dbscout(
            ["scan", "127.0.0.2-4", "-p", TestServers.ports.description, "--format", "json"],
            environment: ["DBSCOUT_STATE_DIR": state]
        )
        #expect(scan.status == 0, "stderr: \(scan.stderr)")
        let found = try SniffedInventory.byEndpoint(try SniffedInventory.findings(in: scan))
        let registrable = Set(found.filter { !($0.value["dbss_type"] is NSNull) }.keys)
        #expect(!registrable.isEmpty)
        let emulator = try await Self.startEmulator()
        let run = try CommandLineTests.dbscout(
            ["register", "--format", "json"],
            environment: Self.environment(emulator, state: state)
        )
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(try Self.summary(run)["registered"] as? Int == registrable.count)
        #expect(Self.registered(emulator) == registrable.sorted())
        try await emulator.shutdown()
    }

    /// An export with its `exported_at` line removed, to compare the records of two exports.
    static func withoutExportTime(_ export: String) -> String {
        export.split(separator: "\n").filter { !$0.contains("\"exported_at\"") }.joined(separator: "\n")
    }
}
