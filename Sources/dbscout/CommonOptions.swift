import ArgumentParser
import DBScoutAgent
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

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical (default notice).")
    var logLevel: String?

    @Flag(name: .shortAndLong, help: "Log more (info); twice for debug.")
    var verbose: Int

    var overrides: SettingsOverrides {
        var overrides = SettingsOverrides()
        overrides.configPath = config
        overrides.stateDirectory = stateDir
        overrides.logLevel = logLevel ?? [nil, "info", "debug"][min(verbose, 2)]
        return overrides
    }

    /// Sends logs to standard error (standard output carries the report) and returns the root logger.
    func bootstrapLogging(level: Logger.Level) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "dbscout")
    }
}
