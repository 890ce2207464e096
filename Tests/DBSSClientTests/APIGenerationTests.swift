import DBSSClient
import DBSSEmulator
import DBScoutCore
import Testing

/// `.auto`: v2 where it exists, v1 from the first 404 on, for the client's lifetime.
@Suite("DBSS client API generations")
struct APIGenerationTests {
    private let database = ClientHarness.database

    @Test func autoUsesV2WhereItExists() async throws {
        try await ClientHarness.withClient(adjust: { configuration, _ in configuration.apiVersion = .auto }) {
            emulator,
            client in
            _ = try await client.addDatabase(database)
            _ = try await client.allDatabases()
            #expect(client.apiGeneration == .v2)
            #expect(emulator.requestLog().map { $0.apiVersion?.rawValue } == ["v2", "v2"])
        }
    }

    @Test func autoFallsBackToV1AndStaysThere() async throws {
        var emulatorConfiguration = ClientHarness.emulatorConfiguration()
        emulatorConfiguration.apiVersions = [.v1]
        try await ClientHarness.withClient(
            emulator: emulatorConfiguration,
            adjust: { configuration, _ in configuration.apiVersion = .auto }
        ) { emulator, client in
            let id = try await client.addDatabase(database)
            #expect(client.apiGeneration == .v1)
            #expect(try await client.allDatabases().map(\.id) == [id])
            #expect(try await client.auditInstance().configNum == 1)
            _ = try await client.addDatabase(database)
            let trail = emulator.requestLog().map { "\($0.operation.rawValue) \($0.status.map(String.init) ?? "-")" }
            #expect(
                trail == [
                    "add_database 404", "add_database 200", "list_databases 200", "list_instances 200",
                    "add_database 200",
                ]
            )
            #expect(emulator.databases().count == 2)
        }
    }

    @Test func anExplicitGenerationNeverFallsBack() async throws {
        var emulatorConfiguration = ClientHarness.emulatorConfiguration()
        emulatorConfiguration.apiVersions = [.v1]
        try await ClientHarness.withClient(
            emulator: emulatorConfiguration,
            adjust: { configuration, _ in configuration.apiVersion = .v2 }
        ) { emulator, client in
            let error = try await #require(throws: DBSSError.self) { try await client.addDatabase(database) }
            #expect(error.code == .notFound)
            #expect(error.errorCode == "APIGW.0101")
            #expect(error.action == .stop)
            #expect(emulator.requestCount() == 1)
        }
    }

    /// A 404 from IAM says nothing about DBSS's generations.
    @Test func anIAMNotFoundDoesNotSwitchGenerations() async throws {
        try await ClientHarness.withClient(adjust: { configuration, emulator in
            configuration.apiVersion = .auto
            configuration.authentication = .iam(
                IAMPasswordCredentials(
                    endpoint: emulator.baseURL + "/no-iam-here",
                    user: ClientHarness.iamUser.name,
                    password: Secret(ClientHarness.iamUser.password),
                    domain: ClientHarness.iamUser.domain
                )
            )
        }) { emulator, client in
            let error = try await #require(throws: DBSSError.self) { try await client.listDatabases() }
            #expect(error.httpStatus == 404)
            #expect(error.operation.contains("IAM"))
            #expect(client.apiGeneration == .v2)
            #expect(emulator.requestCount(.listDatabases) == 0)
        }
    }
}
