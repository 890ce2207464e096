import ArgumentParser
import DBScoutAgent

/// `dbscout register`: a registration pass over the inventory, without scanning.
struct RegisterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register",
        abstract: "Register the inventory's due databases with DBSS without scanning, retrying failed ones.",
        discussion: """
            Rejected and retrying records are put back to pending first (fix the cause, say with a \
            registration.overrides entry, then run this), then every due record is submitted exactly once. \
            --dry-run prints the exact requests and changes nothing.
            Exit codes: 0 everything due went through, 1 registrations failed, were deferred or are uncertain, \
            2 usage or configuration error (including no DBSS settings).
            """
    )

    @Flag(name: .long, help: "Show the requests that would be sent; requeue, claim and submit nothing.")
    var dryRun = false

    @Option(name: .long, help: "Output format.")
    var format: OutputFormat = .table

    @OptionGroup var common: CommonOptions

    @OptionGroup var dbss: DBSSOptions

    func run() async throws {
        let (settings, logger) = try common.load(dbss.apply(to:))
        let report = try await RegisterJob(settings: settings, dryRun: dryRun, logger: logger).run()
        print(format == .json ? try report.renderJSON() : report.renderText(), terminator: "")
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }
}
