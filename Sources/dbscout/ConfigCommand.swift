import ArgumentParser
import DBScoutAgent

/// `dbscout config`: operator checks of the configuration.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check the configuration.",
        subcommands: [Check.self]
    )

    /// `dbscout config check`: load the config file, environment and options as a run would, and show the result.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate the configuration and print the effective settings, secrets masked.",
            discussion: """
                Exit status 0 when the settings load, 2 (with the reason) when they do not.

                Examples:
                  dbscout config check --config /etc/dbscout/dbscout.yaml
                  DBSCOUT_DBSS_AUTH=iam dbscout config check
                """
        )

        @OptionGroup var dbss: DBSSOptions
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let (settings, _) = try common.load(dbss.apply(to:))
            print(settings.effectiveDescription(), terminator: "")
            for warning in settings.warnings { print("warning: \(warning)") }
        }
    }
}

/// `dbscout version`.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print dbscout's version.")

    func run() {
        print("dbscout \(DBScoutCommand.configuration.version)")
    }
}
