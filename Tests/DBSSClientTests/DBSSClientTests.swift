import DBSSClient
import DBSSEmulator
import DBScoutCore
import Logging
import Testing

/// The client against the emulator, over real HTTP on loopback: the calls themselves.
@Suite("DBSS client")
struct DBSSClientTests {
    private let database = ClientHarness.database

    @Test(arguments: [DBSSConfiguration.APIVersion.v1, .v2])
    func addsAndListsOverEitherPath(version: DBSSConfiguration.APIVersion) async throws {
        try await ClientHarness.withClient(adjust: { configuration, _ in configuration.apiVersion = version }) {
            emulator,
            client in
            let id = try await client.addDatabase(database)
            #expect(!id.isEmpty)
            let stored = try #require(emulator.databases().first)
            #expect(stored.id == id)
            #expect(stored.port == "5432")
            #expect(stored.type == "POSTGRESQL")
            let listed = try await client.allDatabases(pageSize: 1)
            #expect(listed.map(\.id) == [id])
            #expect(listed.first?.ip == "10.0.0.7")
            #expect(emulator.requestLog().allSatisfy { $0.apiVersion?.rawValue == version.rawValue })
        }
    }

    @Test func listPagesThroughEverything() async throws {
        try await ClientHarness.withClient { _, client in
            for port in 1...5 {
                var entry = database
                entry.port = String(port)
                _ = try await client.addDatabase(entry)
            }
            #expect(try await client.allDatabases(pageSize: 2).map(\.port) == ["1", "2", "3", "4", "5"])
        }
    }

    @Test(arguments: [DBSSConfiguration.APIVersion.v1, .v2])
    func readsTheAuditInstanceWithItsCapacity(version: DBSSConfiguration.APIVersion) async throws {
        var emulatorConfiguration = ClientHarness.emulatorConfiguration()
        emulatorConfiguration.databaseLimit = 7
        try await ClientHarness.withClient(
            emulator: emulatorConfiguration,
            adjust: { configuration, _ in configuration.apiVersion = version }
        ) { emulator, client in
            _ = try await client.addDatabase(database)
            _ = try await client.addDatabase(database)
            let instance = try await client.auditInstance()
            #expect(instance.id == emulator.configuration.instanceID)
            #expect(instance.databaseLimit == 7)
            #expect(instance.configNum == 2)
            #expect(instance.remainingCapacity == 5)
            #expect(instance.isActive)
            #expect(emulator.requestCount(.listInstances, status: 200) == 1)
        }
    }

    @Test func aMissingInstanceIsNotFoundAndStops() async throws {
        try await ClientHarness.withClient(adjust: { configuration, _ in configuration.instanceID = "another" }) {
            _,
            client in
            let error = try await #require(throws: DBSSError.self) { try await client.auditInstance() }
            #expect(error.code == .notFound)
            #expect(error.action == .stop)
            #expect(error.operation.contains("another"))
        }
    }

    @Test func aRejectedBodyGivesDBSSCodeAndMessage() async throws {
        try await ClientHarness.withClient { emulator, client in
            var bad = database
            bad.type = "MARIADB"
            let error = try await #require(throws: DBSSError.self) { try await client.addDatabase(bad) }
            #expect(error.code == .badRequest)
            #expect(error.httpStatus == 400)
            #expect(error.errorCode == "DBSS.10000001")
            #expect(error.errorMessage?.contains("type") == true)
            #expect(error.action == .reject)
            #expect(!error.isTransient)
            #expect(emulator.requestCount(.addDatabase) == 1, "a validation 400 is never retried")
        }
    }

    @Test func aFullInstanceStopsAdding() async throws {
        var emulatorConfiguration = ClientHarness.emulatorConfiguration()
        emulatorConfiguration.databaseLimit = 1
        try await ClientHarness.withClient(emulator: emulatorConfiguration) { emulator, client in
            _ = try await client.addDatabase(database)
            let error = try await #require(throws: DBSSError.self) { try await client.addDatabase(database) }
            #expect(error.errorCode == "DBSS.10020118")
            #expect(error.action == .stopInstanceFull)
            #expect(emulator.requestCount(.addDatabase) == 2)
        }
    }

    @Test func aWrongTokenIsUnauthorizedAndNeverEchoed() async throws {
        let wrong = "wrong-token-0042"
        try await ClientHarness.withClient(adjust: { configuration, _ in
            configuration.authentication = .token(Secret(wrong))
        }) { emulator, client in
            let error = try await #require(throws: DBSSError.self) { try await client.addDatabase(database) }
            #expect(error.code == .unauthorized)
            #expect(error.errorCode == "DBSS.10020100")
            #expect(error.action == .stop, "a static token cannot be renewed")
            #expect(!error.description.contains(wrong))
            #expect(emulator.requestCount(.addDatabase) == 1)
        }
    }

    /// An address gives NIO's plain connect error, a name its happy-eyeballs error; both mean nothing was sent.
    @Test(arguments: ["127.0.0.1", "localhost"])
    func anUnreachableEndpointIsRetriedThenTransient(host: String) async throws {
        let logs = LogCapture()
        let configuration = DBSSConfiguration(
            endpoint: "http://\(host):9",
            projectID: "p",
            instanceID: "i",
            authentication: .token(Secret(ClientHarness.token)),
            connectTimeout: .seconds(1),
            retryPolicy: ClientHarness.fastRetries,
            rateLimit: nil
        )
        let error = try await #require(throws: DBSSError.self) {
            try await DBSSClient.withClient(configuration: configuration, logger: logs.logger) { client in
                try await client.addDatabase(database)
            }
        }
        #expect(error.code == .unreachable)
        #expect(error.action == .retry)
        #expect(!error.description.contains(ClientHarness.token))
        let retries = logs.text.split(separator: "\n").filter { $0.contains("retrying DBSS call") }
        #expect(retries.count == ClientHarness.fastRetries.maxAttempts - 1)
    }

    @Test func theRateLimitPacesAllCallsOfAClient() async throws {
        try await ClientHarness.withClient(adjust: { configuration, _ in
            configuration.rateLimit = DBSSRateLimit(requestsPerSecond: 20, burst: 1)
        }) { emulator, client in
            let start = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<6 { group.addTask { _ = try await client.listDatabases() } }
                try await group.waitForAll()
            }
            // One token at once, then one every 50 ms: the sixth call cannot start before 250 ms.
            #expect(ContinuousClock.now - start >= .milliseconds(245))
            #expect(emulator.requestCount(.listDatabases, status: 200) == 6)
        }
    }
}
