import DBSSClient
import DBSSEmulator
import DBScoutCore
import Logging
import Testing

/// The client against the emulator, over real HTTP on loopback.
@Suite("DBSS client")
struct DBSSClientTests {
    static let token = "test-token-9f2c7e"

    private func withEmulator(
        apiVersion: DBSSClient.APIVersionChoice = .v1,
        token: String = DBSSClientTests.token,
        _ body: (DBSSEmulator, DBSSClient) async throws -> Void
    ) async throws {
        let emulator = try await DBSSEmulator.start(DBSSEmulatorConfiguration(validTokens: [DBSSClientTests.token]))
        let configuration = DBSSConfiguration(
            endpoint: emulator.baseURL,
            projectID: emulator.configuration.projectID,
            instanceID: emulator.configuration.instanceID,
            apiVersion: apiVersion.value,
            token: Secret(token)
        )
        do {
            try await DBSSClient.withClient(configuration: configuration, logger: Logger(label: "test")) { client in
                try await body(emulator, client)
            }
        } catch {
            try await emulator.shutdown()
            throw error
        }
        try await emulator.shutdown()
    }

    private let database = DBSSDatabase(
        name: "postgresql-10.0.0.7-5432",
        type: "POSTGRESQL",
        version: "15",
        charset: "UTF8",
        ip: "10.0.0.7",
        port: "5432",
        os: "LINUX64"
    )

    @Test(arguments: [DBSSClient.APIVersionChoice.v1, .v2])
    func addsAndListsOverEitherPath(version: DBSSClient.APIVersionChoice) async throws {
        try await withEmulator(apiVersion: version) { emulator, client in
            let id = try await client.addDatabase(database)
            #expect(!id.isEmpty)
            let stored = try #require(emulator.databases().first)
            #expect(stored.id == id)
            #expect(stored.port == "5432")
            #expect(stored.type == "POSTGRESQL")
            let listed = try await client.allDatabases(pageSize: 1)
            #expect(listed.map(\.id) == [id])
            #expect(listed.first?.ip == "10.0.0.7")
        }
    }

    @Test func listPagesThroughEverything() async throws {
        try await withEmulator { _, client in
            for port in 1...5 {
                var entry = database
                entry.port = String(port)
                _ = try await client.addDatabase(entry)
            }
            #expect(try await client.allDatabases(pageSize: 2).map(\.port) == ["1", "2", "3", "4", "5"])
        }
    }

    @Test func aRejectedBodyGivesDBSSCodeAndMessage() async throws {
        try await withEmulator { _, client in
            var bad = database
            bad.type = "MARIADB"
            let error = try await #require(throws: DBSSError.self) { try await client.addDatabase(bad) }
            #expect(error.code == .badRequest)
            #expect(error.httpStatus == 400)
            #expect(error.errorCode == "DBSS.10000001")
            #expect(error.errorMessage?.contains("type") == true)
            #expect(!error.isTransient)
        }
    }

    @Test func aWrongTokenIsUnauthorizedAndNeverEchoed() async throws {
        let wrong = "wrong-token-0042"
        try await withEmulator(token: wrong) { _, client in
            let error = try await #require(throws: DBSSError.self) { try await client.addDatabase(database) }
            #expect(error.code == .unauthorized)
            #expect(error.errorCode == "DBSS.10020100")
            #expect(!error.description.contains(wrong))
        }
    }

    @Test func serverErrorsAreTransient() async throws {
        try await withEmulator { emulator, client in
            emulator.injectFault(.failure(status: 500, errorCode: "DBSS.11000000"))
            let error = try await #require(throws: DBSSError.self) { try await client.addDatabase(database) }
            #expect(error.code == .serverError)
            #expect(error.errorCode == "DBSS.11000000")
            #expect(error.isTransient)
            #expect(!(try await client.addDatabase(database)).isEmpty)
        }
    }

    @Test func anUnreachableEndpointIsTransient() async throws {
        let configuration = DBSSConfiguration(
            endpoint: "http://127.0.0.1:9",
            projectID: "p",
            instanceID: "i",
            token: Secret(DBSSClientTests.token),
            connectTimeout: .seconds(1)
        )
        let error = try await #require(throws: DBSSError.self) {
            try await DBSSClient.withClient(configuration: configuration, logger: Logger(label: "test")) { client in
                try await client.addDatabase(database)
            }
        }
        #expect(error.code == .unreachable)
        #expect(error.isTransient)
        #expect(!error.description.contains(DBSSClientTests.token))
    }
}

extension DBSSClient {
    /// The client's API version, named without clashing with the emulator module's type of the same name.
    enum APIVersionChoice: Sendable, CustomTestStringConvertible {
        case v1, v2
        var value: DBSSConfiguration.APIVersion { self == .v1 ? .v1 : .v2 }
        var testDescription: String { self == .v1 ? "v1" : "v2" }
    }
}
