import DBSSClient
import DBSSEmulator
import DBScoutCore
import Logging
import Testing

/// Every authentication mode against the emulator, and the IAM token's life in the client.
@Suite("DBSS client authentication")
struct AuthenticationTests {
    private let database = ClientHarness.database

    @Test func anIAMTokenIsObtainedOnceForManyCalls() async throws {
        try await ClientHarness.withClient(adjust: { configuration, emulator in
            configuration.authentication = ClientHarness.iamCredentials(emulator)
        }) { emulator, client in
            for port in 1...3 {
                var entry = database
                entry.port = String(port)
                _ = try await client.addDatabase(entry)
            }
            #expect(try await client.allDatabases().count == 3)
            _ = try await client.auditInstance()
            #expect(emulator.requestCount(.issueToken, status: 201) == 1)
            #expect(emulator.requestCount(status: 401) == 0)
        }
    }

    @Test func concurrentCallsShareOneTokenRequest() async throws {
        try await ClientHarness.withClient(adjust: { configuration, emulator in
            configuration.authentication = ClientHarness.iamCredentials(emulator)
        }) { emulator, client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 { group.addTask { _ = try await client.listDatabases() } }
                try await group.waitForAll()
            }
            #expect(emulator.requestCount(.issueToken) == 1)
            #expect(emulator.requestCount(.listDatabases, status: 200) == 8)
        }
    }

    /// A 4 s token with a 2 s margin: after 2.5 s less than the margin remains, so the next call renews first.
    @Test func aTokenNearExpiryIsRenewedBeforeUse() async throws {
        var emulatorConfiguration = ClientHarness.emulatorConfiguration()
        emulatorConfiguration.tokenLifetime = .seconds(4)
        try await ClientHarness.withClient(
            emulator: emulatorConfiguration,
            adjust: { configuration, emulator in
                configuration.authentication = ClientHarness.iamCredentials(emulator, refreshMargin: .seconds(2))
            }
        ) { emulator, client in
            _ = try await client.listDatabases()
            let before = emulator.requestCount(.issueToken)
            try await Task.sleep(for: .milliseconds(2500))
            _ = try await client.listDatabases()
            #expect(before == 1)
            #expect(emulator.requestCount(.issueToken) == 2)
            #expect(emulator.requestCount(status: 401) == 0, "renewed before the old token was refused")
        }
    }

    @Test func anExpiredTokenIsRenewedOnceAndTheCallSucceeds() async throws {
        try await ClientHarness.withClient(adjust: { configuration, emulator in
            configuration.authentication = ClientHarness.iamCredentials(emulator)
        }) { emulator, client in
            _ = try await client.listDatabases()
            emulator.expireTokens()
            let id = try await client.addDatabase(database)
            #expect(emulator.databases().map(\.id) == [id])
            let trail = emulator.requestLog().map { "\($0.operation.rawValue) \($0.status.map(String.init) ?? "-")" }
            #expect(
                trail == [
                    "issue_token 201", "list_databases 200", "add_database 401", "issue_token 201", "add_database 200",
                ]
            )
        }
    }

    @Test func aTokenRefusedAgainAfterRenewalStops() async throws {
        try await ClientHarness.withClient(adjust: { configuration, emulator in
            configuration.authentication = ClientHarness.iamCredentials(emulator)
        }) { emulator, client in
            emulator.injectFault(.failure(status: 401, errorCode: "DBSS.10020100", count: 5, target: .listDatabases))
            let error = try await #require(throws: DBSSError.self) { try await client.listDatabases() }
            #expect(error.code == .unauthorized)
            #expect(error.action == .stop)
            #expect(emulator.requestCount(.issueToken) == 2)
            #expect(emulator.requestCount(.listDatabases) == 2)
        }
    }

    @Test func aWrongIAMPasswordStopsWithoutRetrying() async throws {
        let wrong = "not-the-password-3Rt"
        try await ClientHarness.withClient(adjust: { configuration, emulator in
            configuration.authentication = .iam(
                IAMPasswordCredentials(
                    endpoint: emulator.baseURL,
                    user: ClientHarness.iamUser.name,
                    password: Secret(wrong),
                    domain: ClientHarness.iamUser.domain
                )
            )
        }) { emulator, client in
            let error = try await #require(throws: DBSSError.self) { try await client.addDatabase(database) }
            #expect(error.code == .unauthorized)
            #expect(error.action == .stop)
            #expect(error.operation.contains("IAM"))
            #expect(!error.description.contains(wrong))
            #expect(emulator.requestCount(.issueToken) == 1)
            #expect(emulator.requestCount(.addDatabase) == 0)
        }
    }

    @Test func aProjectNameScopesTheToken() async throws {
        try await ClientHarness.withClient(adjust: { configuration, emulator in
            configuration.authentication = .iam(
                IAMPasswordCredentials(
                    endpoint: emulator.baseURL,
                    user: ClientHarness.iamUser.name,
                    password: Secret(ClientHarness.iamUser.password),
                    domain: ClientHarness.iamUser.domain,
                    projectName: emulator.configuration.projectName
                )
            )
        }) { emulator, client in
            _ = try await client.listDatabases()
            #expect(emulator.requestCount(.issueToken, status: 201) == 1)
        }
    }

    @Test(arguments: [DBSSConfiguration.APIVersion.v1, .v2])
    func accessKeySignaturesAreAccepted(version: DBSSConfiguration.APIVersion) async throws {
        try await ClientHarness.withClient(adjust: { configuration, _ in
            configuration.authentication = ClientHarness.accessKeyCredentials
            configuration.apiVersion = version
        }) { emulator, client in
            let id = try await client.addDatabase(database)
            #expect(try await client.allDatabases(pageSize: 1).map(\.id) == [id])
            #expect(try await client.auditInstance().configNum == 1)
            #expect(emulator.requestCount(status: 200) == 3)
            #expect(emulator.requestLog().allSatisfy { $0.authentication == .accessKey })
        }
    }

    @Test func aWrongSecretKeyIsRefusedAndNotRetried() async throws {
        let wrong = "wrong-secret-key-Yb61"
        try await ClientHarness.withClient(adjust: { configuration, _ in
            configuration.authentication = .accessKey(
                ak: ClientHarness.accessKey,
                sk: Secret(wrong),
                securityToken: nil
            )
        }) { emulator, client in
            let error = try await #require(throws: DBSSError.self) { try await client.listDatabases() }
            #expect(error.code == .unauthorized)
            #expect(error.errorCode == "APIGW.0301")
            #expect(error.action == .stop)
            #expect(!error.description.contains(wrong))
            #expect(emulator.requestCount(.listDatabases) == 1)
        }
    }

    /// Every mode, successes and failures, logged at trace level: no secret in any line or error text.
    @Test func secretsNeverReachLogsOrErrors() async throws {
        let logs = LogCapture()
        let wrongToken = "wrong-static-token-Ne04"
        let wrongSecret = "wrong-secret-key-Qa27"
        let wrongPassword = "wrong-password-Vc83"
        var descriptions: [String] = []
        try await ClientHarness.withEmulator { emulator in
            let modes: [DBSSAuthentication] = [
                .token(Secret(ClientHarness.token)),
                .token(Secret(wrongToken)),
                ClientHarness.iamCredentials(emulator),
                .iam(
                    IAMPasswordCredentials(
                        endpoint: emulator.baseURL,
                        user: ClientHarness.iamUser.name,
                        password: Secret(wrongPassword),
                        domain: ClientHarness.iamUser.domain
                    )
                ),
                ClientHarness.accessKeyCredentials,
                .accessKey(ak: ClientHarness.accessKey, sk: Secret(wrongSecret), securityToken: Secret("sts-Gh19")),
            ]
            for mode in modes {
                let configuration = ClientHarness.configuration(emulator, authentication: mode)
                descriptions.append("\(configuration)")
                try await DBSSClient.withClient(configuration: configuration, logger: logs.logger) { client in
                    emulator.reset()
                    emulator.injectFault(.failure(status: 503, count: 1))
                    emulator.injectFault(.expireTokens())
                    do {
                        _ = try await client.addDatabase(database)
                        _ = try await client.allDatabases()
                    } catch {
                        descriptions.append("\(error)")
                    }
                }
            }
        }
        let secrets = [
            ClientHarness.token, wrongToken, ClientHarness.iamUser.password, wrongPassword, ClientHarness.secretKey,
            wrongSecret, "sts-Gh19",
        ]
        let everything = ([logs.text] + descriptions).joined(separator: "\n")
        #expect(logs.count > 20, "the clients logged at trace level")
        #expect(descriptions.count == 9, "six configurations and three failures")
        #expect(
            descriptions.contains { $0.contains("x-security-token:<redacted>") },
            "the gateway's echo of the signed headers keeps its shape, without the token"
        )
        for secret in secrets {
            #expect(!everything.contains(secret), "\(secret) leaked")
        }
    }
}
