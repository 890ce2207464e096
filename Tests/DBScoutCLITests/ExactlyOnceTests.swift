import DBSSEmulator
import DBScoutCore
import DBScoutTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Registration as the `dbscout` process does it, against the emulator over HTTP, when things go wrong: the agent
/// killed while DBSS holds its add, answers lost before or after the add took effect, a database registered by
/// hand. Each ends with every registrable finding registered once: zero duplicates, zero lost.
@Suite("Exactly-once registration", .enabled(if: PcapTrace.sharedTestData != nil, "needs ../shared/testdata"))
struct ExactlyOnceTests {
    static let token = "exactly-once-token-5150"

    /// Captures whose conversations give six registrable databases (and a Db2, which DBSS does not take).
    static let captures =
        SniffedInventory.captures + [
            "public-traces/arkime/postgres-good.pcap", "public-traces/suricata-verify/pgsql-cancel-request.pcap",
        ]
    static let registrable: Set = [
        "10.0.13.120:5432", "100.96.199.113:5432", "127.0.0.1:3306", "127.0.0.1:5432", "192.168.0.254:3306",
        "217.77.3.25:1433",
    ]

    let state = NSTemporaryDirectory() + "dbscout-once-\(UUID())"

    func sniffArguments() throws -> [String] {
        let folder = try #require(PcapTrace.sharedTestData)
        return ["sniff", "--format", "json"]
            + Self.captures.flatMap { ["--read", folder.appendingPathComponent($0).path] }
    }

    func environment(_ emulator: DBSSEmulator) -> [String: String] {
        [
            "DBSCOUT_STATE_DIR": state, "DBSCOUT_DBSS_ENDPOINT": emulator.baseURL,
            "DBSCOUT_DBSS_PROJECT_ID": emulator.configuration.projectID,
            "DBSCOUT_DBSS_INSTANCE_ID": emulator.configuration.instanceID, "DBSCOUT_DBSS_TOKEN": Self.token,
        ]
    }

    static func start() async throws -> DBSSEmulator {
        try await DBSSEmulator.start(DBSSEmulatorConfiguration(validTokens: [token]))
    }

    /// DBSS's records as `ip:port`, duplicates kept.
    static func registered(_ emulator: DBSSEmulator) -> [String] {
        emulator.databases().map { "\($0.ip):\($0.port)" }.sorted()
    }

    /// The inventory's registration status by endpoint, read through `dbscout inventory`.
    func inventory() throws -> [String: [String: Any]] {
        let run = try CommandLineTests.dbscout(
            ["inventory", "--format", "json"],
            environment: ["DBSCOUT_STATE_DIR": state]
        )
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let findings = try #require(document["findings"] as? [[String: Any]])
        var byEndpoint: [String: [String: Any]] = [:]
        for finding in findings {
            byEndpoint["\(finding["ip"] ?? ""):\(finding["port"] ?? "")"] = finding["registration"] as? [String: Any]
        }
        return byEndpoint
    }

    func expectAllRegisteredOnce(_ emulator: DBSSEmulator) throws {
        #expect(Self.registered(emulator) == Self.registrable.sorted(), "DBSS holds each database exactly once")
        let records = try inventory()
        for endpoint in Self.registrable {
            #expect(records[endpoint]?["status"] as? String == "registered", "\(endpoint): \(records[endpoint] ?? [:])")
        }
    }

    /// `kill -9` while DBSS holds the agent's add (it took effect, the answer is held back): the row stays
    /// `submitting` under a dead process's claim; the next run takes it over, finds it in DBSS's list and imports
    /// it, and adds the rest.
    @Test func anAgentKilledWhileDBSSHoldsItsAddLosesNothingAndAddsNothingTwice() async throws {
        let emulator = try await Self.start()
        emulator.injectFault(.delay(.seconds(120), target: .addDatabase))
        let process = Process()
        process.executableURL = CommandLineTests.binary
        process.arguments = try sniffArguments()
        process.environment = environment(emulator).merging(["PATH": "/usr/bin:/bin"]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<300 where emulator.requestCount(.addDatabase) == 0 && process.isRunning {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(emulator.requestCount(.addDatabase) == 1, "the add reached DBSS before the kill")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(Self.registered(emulator).count == 1)
        let orphan = try #require(try inventory().first { $0.value["status"] as? String == "submitting" })

        let rerun = try CommandLineTests.dbscout(try sniffArguments(), environment: environment(emulator))
        #expect(rerun.status == 0, "stderr: \(rerun.stderr)")
        try expectAllRegisteredOnce(emulator)
        #expect(try inventory()[orphan.key]?["origin"] as? String == "imported")
        try await emulator.shutdown()
    }

    /// The connection dropped before the add took effect: the agent checks DBSS's list, does not find it, holds
    /// it as uncertain and stops; the next run checks again and adds it, once.
    @Test func anAnswerLostBeforeTheAddTookEffectIsAddedOnceOnTheNextRun() async throws {
        let emulator = try await Self.start()
        emulator.injectFault(.closeConnection(target: .addDatabase))
        let first = try CommandLineTests.dbscout(try sniffArguments(), environment: environment(emulator))
        #expect(first.status == 1, "an uncertain add is not a clean run")
        #expect(Self.registered(emulator).isEmpty)
        let second = try CommandLineTests.dbscout(try sniffArguments(), environment: environment(emulator))
        #expect(second.status == 0, "stderr: \(second.stderr)")
        try expectAllRegisteredOnce(emulator)
        try await emulator.shutdown()
    }

    /// The add took effect and then the connection dropped: the list shows it, so it is imported at once and the
    /// run goes on.
    @Test func anAnswerLostAfterTheAddTookEffectIsImportedNotAddedAgain() async throws {
        let emulator = try await Self.start()
        emulator.injectFault(.dropAfterEffect(target: .addDatabase))
        let run = try CommandLineTests.dbscout(try sniffArguments(), environment: environment(emulator))
        #expect(run.status == 0, "stderr: \(run.stderr)")
        try expectAllRegisteredOnce(emulator)
        #expect(emulator.requestCount(.addDatabase) == Self.registrable.count)
        #expect(try inventory().values.contains { $0["origin"] as? String == "imported" })
        try await emulator.shutdown()
    }

    /// A database someone registered by hand is recorded with DBSS's id and never added.
    @Test func aDatabaseRegisteredByHandIsImported() async throws {
        let emulator = try await Self.start()
        let id = try await Self.addByHand(ip: "217.77.3.25", port: "1433", emulator: emulator)
        let run = try CommandLineTests.dbscout(try sniffArguments(), environment: environment(emulator))
        #expect(run.status == 0, "stderr: \(run.stderr)")
        try expectAllRegisteredOnce(emulator)
        let record = try #require(try inventory()["217.77.3.25:1433"])
        #expect(record["id"] as? String == id)
        #expect(record["origin"] as? String == "imported")
        try await emulator.shutdown()
    }

    /// A full audit instance stops the pass before any add, says so, and keeps every finding due.
    @Test func aFullInstanceStopsWithAClearMessageAndLosesNothing() async throws {
        let emulator = try await DBSSEmulator.start(
            DBSSEmulatorConfiguration(validTokens: [Self.token], databaseLimit: 1)
        )
        _ = try await Self.addByHand(ip: "10.9.9.9", port: "5432", emulator: emulator)
        let run = try CommandLineTests.dbscout(try sniffArguments(), environment: environment(emulator))
        #expect(run.status == 1)
        #expect(run.stdout.contains("audit instance is full"), "stdout: \(run.stdout)")
        #expect(emulator.requestCount(.addDatabase) == 1, "only the hand-made add")
        let records = try inventory()
        #expect(Self.registrable.allSatisfy { ["pending", "retrying"].contains(records[$0]?["status"] as? String) })
        try await emulator.shutdown()
    }

    /// Adds a database the way an operator would in the console, through the same API; returns its id.
    static func addByHand(ip: String, port: String, emulator: DBSSEmulator) async throws -> String {
        var request = URLRequest(url: try #require(URL(string: emulator.baseURL + emulator.addDatabasePath(.v1))))
        request.httpMethod = "POST"
        request.setValue("application/json;charset=UTF-8", forHTTPHeaderField: "Content-Type")
        request.setValue(token, forHTTPHeaderField: "X-Auth-Token")
        let database: [String: String] = [
            "db_classification": "ECS", "name": "by-hand", "type": "SQLSERVER", "version": "2019", "charset": "UTF8",
            "ip": ip, "port": port, "os": "WINDOWS64",
        ]
        request.httpBody = try JSONSerialization.data(withJSONObject: ["database": database])
        let (data, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 200, "\(String(decoding: data, as: UTF8.self))")
        let body = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require(body["id"] as? String)
    }
}
