import ArgumentParser
import DBSSEmulator
import Logging

/// `dbss-emulator`: runs the DBSS API emulator until SIGINT or SIGTERM.
///
/// Secrets never come from flag values (they would show in `ps`): the static token comes from
/// `DBSS_EMULATOR_TOKEN` or `--token-file`, IAM users from `--iam-user-file`, the secret key of
/// `--access-key` from `DBSS_EMULATOR_SECRET_KEY` or `--secret-key-file`.
@main
struct DBSSEmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dbss-emulator",
        abstract: "Run a local emulator of the Huawei Cloud DBSS API and IAM token endpoint.",
        discussion: """
            Prints one line, "dbss-emulator listening on http://HOST:PORT", to standard output once \
            it accepts connections; logs go to standard error.

            Credentials (never given as flag values): tokens accepted in X-Auth-Token come from the \
            DBSS_EMULATOR_TOKEN environment variable and/or --token-file (one per line); IAM users \
            (name:password:domain per line) from --iam-user-file; AK/SK signatures \
            (SDK-HMAC-SHA256) are accepted for --access-key, whose secret key comes from the \
            DBSS_EMULATOR_SECRET_KEY environment variable or --secret-key-file.

            Test controls over HTTP, without credentials: GET /_emulator/databases, \
            GET /_emulator/requests, POST /_emulator/faults, POST /_emulator/expire-tokens, \
            POST /_emulator/reset.
            """
    )

    /// The environment variable holding the secret key of `--access-key`.
    private static let secretKeyVariable = "DBSS_EMULATOR_SECRET_KEY"

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Flag(help: "Allow listening on a non-loopback address (exposes the emulator to the network).")
    var allowNonLoopback = false

    @Option(help: "Port to listen on; 0 picks a free port.")
    var port = 0

    @Option(help: "Project ID expected in DBSS paths.")
    var projectId: String?

    @Option(help: "Audit instance ID expected in DBSS paths.")
    var instanceId: String?

    @Option(
        help: ArgumentHelp(
            "Maximum number of databases the instance accepts (database_limit). Default: 50.",
            valueName: "n"
        )
    )
    var databaseLimit: Int?

    @Option(
        help: ArgumentHelp(
            "API generations to serve: v1, v2 or v1,v2 (default). Paths of a generation left out answer 404 APIGW.0101.",
            valueName: "list"
        )
    )
    var apiVersions: String?

    @Flag(help: "Answer 400 DBSS.10020102 when a database with the same ip and port is added again.")
    var rejectDuplicates = false

    @Option(help: "File with accepted X-Auth-Token values, one per line.")
    var tokenFile: String?

    @Option(help: "File with IAM users, one name:password:domain per line.")
    var iamUserFile: String?

    @Option(
        help: ArgumentHelp(
            "Lifetime of tokens issued by POST /v3/auth/tokens. Default: 86400 (24 hours).",
            valueName: "seconds"
        )
    )
    var tokenLifetime: Int?

    @Option(
        help: ArgumentHelp(
            "Access key accepted in SDK-HMAC-SHA256 signatures; its secret key comes from DBSS_EMULATOR_SECRET_KEY or --secret-key-file.",
            valueName: "ak"
        )
    )
    var accessKey: String?

    @Option(
        help: ArgumentHelp("File holding the secret key (SK) of --access-key, alone on one line.", valueName: "path")
    )
    var secretKeyFile: String?

    @Flag(help: "Log every request (method, path, status) at debug level.")
    var verbose = false

    func validate() throws {
        guard (0...65535).contains(port) else {
            throw ValidationError("--port must be between 0 and 65535")
        }
        guard allowNonLoopback || EmulatorLaunchSupport.isLoopbackHost(host) else {
            throw ValidationError("refusing to listen on non-loopback host \(host); add --allow-non-loopback")
        }
        if let databaseLimit, databaseLimit < 0 {
            throw ValidationError("--database-limit must not be negative")
        }
        if let tokenLifetime, tokenLifetime < 1 {
            throw ValidationError("--token-lifetime must be at least 1 second")
        }
        if let apiVersions {
            do {
                _ = try EmulatorLaunchSupport.parseAPIVersions(apiVersions)
            } catch let error as DBSSEmulatorError {
                throw ValidationError("--api-versions: \(error.message)")
            }
        }
        if secretKeyFile != nil, accessKey == nil {
            throw ValidationError("--secret-key-file needs --access-key")
        }
        if accessKey != nil, secretKeyFile == nil,
            EmulatorLaunchSupport.environmentValue(Self.secretKeyVariable) == nil
        {
            throw ValidationError("--access-key needs its secret key in \(Self.secretKeyVariable) or --secret-key-file")
        }
    }

    func run() async throws {
        var logger = Logger(label: "dbss-emulator")
        logger.logLevel = verbose ? .debug : .info
        let configuration = try makeConfiguration(logger: logger)
        let emulator = try await DBSSEmulator.start(configuration, logger: logger)
        let signal = await EmulatorLaunchSupport.waitForTerminationSignal {
            EmulatorLaunchSupport.writeStandardOutputLine("dbss-emulator listening on \(emulator.baseURL)")
        }
        logger.info("shutting down", metadata: ["signal": "\(signal)"])
        try await emulator.shutdown()
    }

    private func makeConfiguration(logger: Logger) throws -> DBSSEmulatorConfiguration {
        var configuration = DBSSEmulatorConfiguration(host: host, port: port, rejectDuplicates: rejectDuplicates)
        if let projectId { configuration.projectID = projectId }
        if let instanceId { configuration.instanceID = instanceId }
        if let databaseLimit { configuration.databaseLimit = databaseLimit }
        if let tokenLifetime { configuration.tokenLifetime = .seconds(tokenLifetime) }
        if let apiVersions { configuration.apiVersions = try EmulatorLaunchSupport.parseAPIVersions(apiVersions) }
        if let accessKey { configuration.accessKeys[accessKey] = try secretKey() }
        if let token = EmulatorLaunchSupport.environmentValue("DBSS_EMULATOR_TOKEN") {
            configuration.validTokens.insert(token)
        }
        if let tokenFile {
            let text = try EmulatorLaunchSupport.readTextFile(atPath: tokenFile)
            configuration.validTokens.formUnion(EmulatorLaunchSupport.parseTokens(text))
        }
        if let iamUserFile {
            let text = try EmulatorLaunchSupport.readTextFile(atPath: iamUserFile)
            configuration.iamUsers = try EmulatorLaunchSupport.parseIAMUsers(text)
        }
        if configuration.validTokens.isEmpty && configuration.iamUsers.isEmpty && configuration.accessKeys.isEmpty {
            logger.warning("no token, IAM user or access key configured: every DBSS request will be answered 401")
        }
        logger.info(
            "configuration",
            metadata: [
                "project_id": "\(configuration.projectID)",
                "instance_id": "\(configuration.instanceID)",
                "static_tokens": "\(configuration.validTokens.count)",
                "iam_users": "\(configuration.iamUsers.count)",
                "access_keys": "\(configuration.accessKeys.keys.sorted().joined(separator: ","))",
                "api_versions": "\(configuration.apiVersions.map(\.rawValue).sorted().joined(separator: ","))",
            ]
        )
        return configuration
    }

    /// The SK of `--access-key`: from `--secret-key-file` if given, else from the environment
    /// (``validate()`` made sure one of them is there).
    private func secretKey() throws -> String {
        guard let secretKeyFile else { return EmulatorLaunchSupport.environmentValue(Self.secretKeyVariable) ?? "" }
        return try EmulatorLaunchSupport.parseSecretKey(EmulatorLaunchSupport.readTextFile(atPath: secretKeyFile))
    }
}
