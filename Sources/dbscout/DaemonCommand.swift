import ArgumentParser
import DBScoutAgent
import DBScoutDaemon
import Foundation
import Logging
import ServiceLifecycle

/// `dbscout daemon`: watch, scan and register for as long as it runs (under systemd, as a notify service).
struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Run continuously: passive capture, periodic scans, local discovery, registration, metrics.",
        discussion: """
            Settings come from the config file (daemon: section), the environment and these options. SIGHUP \
            reloads the configuration (a bad one is refused and the running one kept); SIGTERM drains and exits 0. \
            Under systemd (Type=notify) it reports READY, WATCHDOG and STOPPING.

            Examples:
              dbscout daemon --config /etc/dbscout/dbscout.yaml
              dbscout daemon 10.0.0.0/24 --ports 5432,3306 --interval 15m --interface eth0
            """
    )

    @Argument(help: "Targets to scan every interval (as for scan); default: scan.targets from the config.")
    var targets: [String] = []

    @Option(name: [.short, .customLong("ports")], help: "Ports to scan (as for scan).")
    var ports: String?

    @Option(name: .long, help: "Time between scans, e.g. 900, 15m, 1h (default 15m).")
    var interval: String?

    @Option(name: .long, parsing: .singleValue, help: "An interface to watch passively (repeatable).")
    var interface: [String] = []

    @Option(name: .long, help: "Where the metrics endpoint listens, HOST:PORT (default 127.0.0.1:9187).")
    var metricsListen: String?

    @Option(name: .long, help: "Log lines as logfmt (default) or json.")
    var logFormat: String?

    @Flag(
        inversion: .prefixedNo,
        help: "Map this host's listening sockets to processes and probe the databases among them (default on)."
    )
    var localDiscovery: Bool?

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let overrides = daemonOverrides()
        let settings = try AgentSettings.load(environment: environment, overrides: overrides)
        let daemon = settings.daemon
        LoggingSystem.bootstrap { label in
            LineLogHandler(label: label, format: daemon.logFormat, level: settings.logLevel)
        }
        let logger = Logger(label: "dbscout.daemon")
        for warning in settings.warnings { logger.warning("\(warning)") }
        try await InventoryStore.with(settings, logger: logger) { inventory in
            let store = SettingsStore(initial: settings) {
                try AgentSettings.load(environment: environment, overrides: overrides)
            }
            let group = ServiceGroup(
                configuration: DaemonComposition(settings: settings, store: store, inventory: inventory, logger: logger)
                    .configuration()
            )
            logger.notice(
                "daemon starting",
                metadata: [
                    "targets": "\(settings.targets.joined(separator: ","))", "interval": "\(daemon.interval)",
                    "interfaces": "\(daemon.interfaces.joined(separator: ","))",
                ]
            )
            try await group.run()
        }
        logger.notice("daemon stopped")
    }

    private func daemonOverrides() -> SettingsOverrides {
        var overrides = common.overrides
        overrides.targets = targets
        overrides.ports = ports
        overrides.daemonInterval = interval
        overrides.daemonInterfaces = interface
        overrides.metricsListen = metricsListen
        overrides.logFormat = logFormat
        overrides.localDiscovery = localDiscovery
        return overrides
    }
}
