import DBSSClient
import DBSSEmulator
import DBScoutCore
import Logging
import Synchronization

/// Starts emulators and clients for the tests, and holds the values they share.
enum ClientHarness {
    static let token = "test-token-9f2c7e"
    static let iamUser = IAMUser(name: "dbscout-agent", password: "iam-password-7Qx2", domain: "acme")
    static let accessKey = "HPUAEMULATORAK000001"
    static let secretKey = "emulator-secret-key-K9v3"

    /// Retries fast enough for tests: four attempts, waits of a few milliseconds.
    static let fastRetries = DBSSRetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(5), maxDelay: .milliseconds(20))

    static let database = DBSSDatabase(
        name: "postgresql-10.0.0.7-5432",
        type: "POSTGRESQL",
        version: "15",
        charset: "UTF8",
        ip: "10.0.0.7",
        port: "5432",
        os: "LINUX64"
    )

    /// An emulator that knows the static token, the IAM user and the access key.
    static func emulatorConfiguration() -> DBSSEmulatorConfiguration {
        DBSSEmulatorConfiguration(
            validTokens: [token],
            iamUsers: [iamUser],
            accessKeys: [accessKey: secretKey]
        )
    }

    static func iamCredentials(_ emulator: DBSSEmulator, refreshMargin: Duration = .seconds(3600)) -> DBSSAuthentication
    {
        .iam(
            IAMPasswordCredentials(
                endpoint: emulator.baseURL,
                user: iamUser.name,
                password: Secret(iamUser.password),
                domain: iamUser.domain,
                refreshMargin: refreshMargin
            )
        )
    }

    static let accessKeyCredentials = DBSSAuthentication.accessKey(
        ak: accessKey,
        sk: Secret(secretKey),
        securityToken: nil
    )

    /// A client configuration for `emulator`: static token, v1, fast retries, no rate limit.
    static func configuration(
        _ emulator: DBSSEmulator,
        authentication: DBSSAuthentication = .token(Secret(token)),
        apiVersion: DBSSConfiguration.APIVersion = .v1
    ) -> DBSSConfiguration {
        DBSSConfiguration(
            endpoint: emulator.baseURL,
            projectID: emulator.configuration.projectID,
            instanceID: emulator.configuration.instanceID,
            apiVersion: apiVersion,
            authentication: authentication,
            requestTimeout: .seconds(10),
            retryPolicy: fastRetries,
            rateLimit: nil
        )
    }

    /// Runs `body` against a fresh emulator, shutting it down afterwards whatever happens.
    static func withEmulator(
        _ configuration: DBSSEmulatorConfiguration = emulatorConfiguration(),
        _ body: (DBSSEmulator) async throws -> Void
    ) async throws {
        let emulator = try await DBSSEmulator.start(configuration)
        do {
            try await body(emulator)
        } catch {
            try await emulator.shutdown()
            throw error
        }
        try await emulator.shutdown()
    }

    /// Runs `body` with a client for a fresh emulator, the client's configuration adjusted by `adjust`.
    static func withClient(
        emulator emulatorConfiguration: DBSSEmulatorConfiguration = emulatorConfiguration(),
        logger: Logger = Logger(label: "dbss-client-test"),
        adjust: (inout DBSSConfiguration, DBSSEmulator) -> Void = { _, _ in },
        _ body: (DBSSEmulator, DBSSClient) async throws -> Void
    ) async throws {
        try await withEmulator(emulatorConfiguration) { emulator in
            var configuration = configuration(emulator)
            adjust(&configuration, emulator)
            try await DBSSClient.withClient(configuration: configuration, logger: logger) { client in
                try await body(emulator, client)
            }
        }
    }
}

/// Keeps every log line at trace level, message and metadata, for searching for secrets.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    /// A logger at trace level whose lines land here.
    var logger: Logger {
        var logger = Logger(label: "dbss-client-test") { _ in Handler(capture: self) }
        logger.logLevel = .trace
        return logger
    }

    /// Everything logged so far, one line per event.
    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    var count: Int { lines.withLock { $0.count } }

    fileprivate func append(_ line: String) {
        lines.withLock { $0.append(line) }
    }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        var metadataProvider: Logger.MetadataProvider?

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            capture.append("\(event.level) \(event.message) \(fields) \(event.error.map { "\($0)" } ?? "")")
        }
    }
}
