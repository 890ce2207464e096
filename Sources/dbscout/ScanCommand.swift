import ArgumentParser
import DBScoutAgent
import DBScoutCore
import Foundation
import Logging

/// `dbscout scan`: probe the targets, record what answers, register the new databases.
struct ScanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan targets for databases, record them, and register new ones with DBSS.",
        discussion: """
            Targets are addresses (10.0.0.7, 2001:db8::7), CIDR blocks (10.0.0.0/24), ranges (10.0.0.5-10.0.0.40 \
            or 10.0.0.5-40) and hostnames. Ports are a list of singles and ranges (5432,3306,1521-1530).
            Settings come from the config file (--config, DBSCOUT_CONFIG, or /etc/dbscout/dbscout.yaml), then \
            DBSCOUT_* environment variables, then flags. The DBSS token is read from DBSCOUT_DBSS_TOKEN or a file, \
            never from a flag.
            Exit codes: 0 ok, 1 registrations failed or deferred, 2 usage or configuration error.
            """
    )

    @Argument(help: "Addresses, CIDR blocks, ranges or hostnames to scan (default: scan.targets from the config).")
    var targets: [String] = []

    @Option(
        name: [.short, .long],
        help: "Ports to probe, e.g. 5432,3306,1521-1530 (default: every DBSS database's default port)."
    )
    var ports: String?

    @Option(name: .long, parsing: .singleValue, help: "Targets to leave out (repeatable; same forms as targets).")
    var exclude: [String] = []

    @Flag(name: .long, help: "Show what would be registered, with the exact request bodies; change nothing.")
    var dryRun = false

    @Option(name: .long, help: "Output format.")
    var format: OutputFormat = .table

    @OptionGroup var common: CommonOptions

    @Flag(name: .long, help: "Allow scanning publicly routable addresses.")
    var allowPublic = false

    @Flag(name: .long, help: "Allow a scope of more than 65,536 addresses.")
    var allowLargeScope = false

    @Option(name: .long, help: "Endpoints probed at once (default 256).")
    var concurrency: Int?

    @Option(name: .long, help: "Endpoints of one host probed at once (default 4).")
    var maxPerHost: Int?

    @Option(name: .long, help: "New connections per second (default 1000).")
    var maxRate: Int?

    @Option(name: .long, help: "TCP connect timeout in milliseconds (default 1500).")
    var connectTimeout: Int?

    @Option(name: .long, help: "Reply timeout in milliseconds (default 3000).")
    var readTimeout: Int?

    @OptionGroup var dbss: DBSSOptions

    @Flag(name: .long, help: "Do not draw progress on standard error.")
    var noProgress = false

    func run() async throws {
        let (settings, logger) = try common.load { $0 = overrides }
        let progress = ProgressLine(enabled: !noProgress && isatty(STDERR_FILENO) == 1)
        let report = try await ScanJob(settings: settings, dryRun: dryRun, logger: logger).run(
            progress: progress.update
        )
        progress.finish()
        print(format == .json ? try report.renderJSON() : report.renderText(), terminator: "")
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }

    private var overrides: SettingsOverrides {
        var overrides = common.overrides
        overrides.targets = targets
        overrides.exclude = exclude.flatMap { $0.split(separator: ",").map(String.init) }
        overrides.ports = ports
        overrides.allowPublic = allowPublic
        overrides.allowLargeScope = allowLargeScope
        overrides.concurrency = concurrency
        overrides.maxPerHost = maxPerHost
        overrides.maxRate = maxRate
        overrides.connectTimeoutMs = connectTimeout
        overrides.readTimeoutMs = readTimeout
        dbss.apply(to: &overrides)
        return overrides
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}
