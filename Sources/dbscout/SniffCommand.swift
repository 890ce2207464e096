import ArgumentParser
import DBScoutAgent
import DBScoutCapture

/// `dbscout sniff`: find databases in traffic, live or recorded, on any port.
struct SniffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sniff",
        abstract: "Find databases in capture files or live traffic, record them, and register new ones with DBSS.",
        discussion: """
            A database is recognised from a client message paired with its server's reply, never from the port \
            alone. Live capture needs CAP_NET_RAW. Exit codes as for scan.
            """
    )

    @Option(name: .long, parsing: .singleValue, help: "A capture file (pcap or pcapng) to read (repeatable).")
    var read: [String] = []

    @Option(name: .long, help: "An interface to watch (`any` for all).")
    var interface: String?

    @Option(name: .long, help: "A BPF filter, e.g. 'net 10.0.0.0/8' (default: all TCP).")
    var filter: String?

    @Option(name: .long, help: "Seconds to watch an interface (default 60).")
    var duration: Int?

    @Flag(name: .long, help: "Show what would be registered; change nothing.")
    var dryRun = false

    @Option(name: .long, help: "Output format.")
    var format: OutputFormat = .table

    @OptionGroup var common: CommonOptions

    @OptionGroup var dbss: DBSSOptions

    func validate() throws {
        guard read.isEmpty != (interface == nil) else {
            throw ValidationError("name capture files with --read or an interface with --interface (one of them)")
        }
        if let duration, duration <= 0 { throw ValidationError("--duration must be a positive number of seconds") }
    }

    func run() async throws {
        let (settings, logger) = try common.load(dbss.apply(to:))
        let sources = interface.map { [PassiveSource.interface($0)] } ?? read.map(PassiveSource.file)
        let watch = interface == nil ? nil : Duration.seconds(duration ?? 60)
        let job = SniffJob(
            settings: settings,
            sources: sources,
            filter: filter,
            duration: watch,
            dryRun: dryRun,
            logger: logger
        )
        let report = try await job.run()
        print(format == .json ? try report.renderJSON() : report.renderText(), terminator: "")
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }
}
