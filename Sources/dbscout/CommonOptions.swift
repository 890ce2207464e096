import ArgumentParser
import DBScoutAgent
import Foundation
import Logging

/// Options every subcommand takes.
struct CommonOptions: ParsableArguments {
    @Option(
        name: .long,
        help: "Config file (YAML). Default: DBSCOUT_CONFIG, else /etc/dbscout/dbscout.yaml if present."
    )
    var config: String?

    @Option(
        name: .long,
        help:
            "Where the inventory lives (default: DBSCOUT_STATE_DIR, /var/lib/dbscout as root, else ~/.local/state/dbscout)."
    )
    var stateDir: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A shared PostgreSQL inventory, postgres://USER@HOST[:PORT]/DB[?sslmode=disable|require|verify-full].",
            discussion: "Default: DBSCOUT_STORE, else the SQLite file in the state directory. The password comes from "
                + "DBSCOUT_STORE_PASSWORD (or PGPASSWORD), never from the URL."
        )
    )
    var store: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical (default notice).")
    var logLevel: String?

    @Flag(name: .shortAndLong, help: "Log more (info); twice for debug.")
    var verbose: Int

    var overrides: SettingsOverrides {
        var overrides = SettingsOverrides()
        overrides.configPath = config
        overrides.stateDirectory = stateDir
        overrides.store = store
        overrides.logLevel = logLevel ?? [nil, "info", "debug"][min(verbose, 2)]
        return overrides
    }

    /// Sends logs to standard error (standard output carries the report) and returns the root logger.
    private func bootstrapLogging(level: Logger.Level) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "dbscout")
    }

    /// Loads the settings (config file < environment < these options and `adjust`'s), starts logging at their
    /// level, and logs the settings' warnings.
    func load(_ adjust: (inout SettingsOverrides) -> Void = { _ in }) throws -> (AgentSettings, Logger) {
        var overrides = self.overrides
        adjust(&overrides)
        let settings = try AgentSettings.load(environment: ProcessInfo.processInfo.environment, overrides: overrides)
        let logger = bootstrapLogging(level: settings.logLevel)
        for warning in settings.warnings { logger.warning("\(warning)") }
        return (settings, logger)
    }
}
