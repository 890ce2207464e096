import DBSSEmulator
import DBScoutCore
import DBScoutTestSupport
import Foundation
import Testing

/// A fleet: several `dbscout scan` processes, started at once, share one PostgreSQL inventory and scan the same
/// real servers. Each database must reach DBSS exactly once, whichever agent registers it.
@Suite(
    "A fleet on one PostgreSQL inventory",
    .enabled(if: TestServers.available, "needs scripts/test-servers.sh up and DBSCOUT_TEST_SERVERS=1")
)
struct FleetTests {
    static let token = "fleet-token-8086"
    static let agents = 6
    /// The PostgreSQL and MariaDB servers on 127.0.0.2-3; Redis (127.0.0.4) is found but not registrable.
    static let registrable = Set(
        TestServers.all.filter { $0.address.description != "127.0.0.4" }.map(\.description)
    )

    @Test func eachDatabaseIsRegisteredOnceByAFleetOfAgents() async throws {
        let database = "dbscout_fleet_\(UInt32.random(in: 0...UInt32.max))"
        try TestServers.psql("CREATE DATABASE \(database)")
        defer { try? TestServers.psql("DROP DATABASE \(database) WITH (FORCE)") }
        let emulator = try await DBSSEmulator.start(DBSSEmulatorConfiguration(validTokens: [Self.token]))
        // Slow adds keep claims overlapping in time, so the agents really race for the same rows.
        emulator.injectFault(.delay(.milliseconds(300), count: 1000, target: .addDatabase))
        let environment = [
            "PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(),
            "DBSCOUT_STORE": "postgres://postgres@127.0.0.2:5432/\(database)?sslmode=disable",
            "DBSCOUT_STORE_PASSWORD": TestServers.password,
            "DBSCOUT_DBSS_ENDPOINT": emulator.baseURL, "DBSCOUT_DBSS_PROJECT_ID": emulator.configuration.projectID,
            "DBSCOUT_DBSS_INSTANCE_ID": emulator.configuration.instanceID, "DBSCOUT_DBSS_TOKEN": Self.token,
        ]
        let processes = try (0..<Self.agents).map { index in
            let process = Process()
            process.executableURL = CommandLineTests.binary
            process.arguments = ["scan", "127.0.0.2-4", "-p", TestServers.ports.description, "--format", "json"]
            process.environment = environment.merging(["DBSCOUT_STATE_DIR": NSTemporaryDirectory() + "fleet-\(index)"])
            {
                $1
            }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
        for process in processes { process.waitUntilExit() }
        #expect(processes.allSatisfy { $0.terminationStatus == 0 }, "\(processes.map(\.terminationStatus))")
        let added = emulator.databases().map { "\($0.ip):\($0.port)" }
        #expect(added.sorted() == Self.registrable.sorted(), "each database once, none lost")
        #expect(emulator.requestCount(.addDatabase) == Self.registrable.count, "no add sent twice")

        let list = try CommandLineTests.dbscout(
            ["inventory", "--format", "json"],
            environment: environment.merging(["DBSCOUT_STATE_DIR": NSTemporaryDirectory() + "fleet-reader"]) { $1 }
        )
        let document = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])
        let records = try #require(document["findings"] as? [[String: Any]])
        let registered = records.filter { ($0["registration"] as? [String: Any])?["status"] as? String == "registered" }
        #expect(registered.count == Self.registrable.count)
        try await emulator.shutdown()
    }
}
