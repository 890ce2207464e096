import ArgumentParser
import DBSSEmulator
import Logging

/// `dbss-emulator`: runs the DBSS API emulator until SIGINT or SIGTERM.
///
/// Secrets never come from flag values (they would show in `ps`): the static token comes from
/// `DBSS_EMULATOR_TOKEN` or `--token-file`, IAM users from `--iam-user-file`.
@main
struct DBSSEmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dbss-emulator",
        abstract: "Run a local emulator of the Huawei Cloud DBSS API and IAM token endpoint.",
        discussion: """
            Prints one line, "dbss-emulator listening on http://HOST:PORT", to standard output once \
            it accepts connections; logs go to standard error. Tokens accepted in X-Auth-Token come \
            from the DBSS_EMULATOR_TOKEN environment variable and/or --token-file (one per line); \
            IAM users (name:password:domain per line) from --iam-user-file.
            """
    )

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

    @Option(help: "Maximum number of databases the instance accepts.")
    var databaseLimit: Int?

    @Flag(help: "Answer 400 DBSS.10020102 when a database with the same ip and port is added again.")
    var rejectDuplicates = false

    @Option(help: "File with accepted X-Auth-Token values, one per line.")
    var tokenFile: String?

    @Option(help: "File with IAM users, one name:password:domain per line.")
    var iamUserFile: String?

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
        if configuration.validTokens.isEmpty && configuration.iamUsers.isEmpty {
            logger.warning("no token and no IAM user configured: every DBSS request will be answered 401")
        }
        logger.info(
            "configuration",
            metadata: [
                "project_id": "\(configuration.projectID)",
                "instance_id": "\(configuration.instanceID)",
                "static_tokens": "\(configuration.validTokens.count)",
                "iam_users": "\(configuration.iamUsers.count)",
            ]
        )
        return configuration
    }
}
