import ArgumentParser
import DBScoutAgent
import DBScoutCore
import Foundation

/// `dbscout inventory`: what dbscout has found so far and what became of it.
struct InventoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inventory",
        abstract: "Show, export or prune the inventory of databases found, with their registration state.",
        subcommands: [List.self, Show.self, Forget.self, Export.self],
        defaultSubcommand: List.self
    )
}

extension InventoryCommand {
    /// `dbscout inventory [list]`: every record, one line each.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List every database in the inventory with its registration state."
        )

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case table, json, csv
        }

        @Option(name: .long, help: "Output format.")
        var format: Format = .table

        @Option(
            name: .long,
            parsing: .singleValue,
            help: ArgumentHelp(
                "Only records in this registration status (repeatable).",
                valueName: RegistrationStatus.allCases.map(\.rawValue).joined(separator: "|")
            ),
            transform: parseRegistrationStatus
        )
        var status: [RegistrationStatus] = []

        @OptionGroup var common: CommonOptions

        func run() async throws {
            let (settings, logger) = try common.load()
            var output = StandardOutput()
            try await InventoryReport.withRecords(settings, statuses: Set(status), logger: logger) { records in
                switch format {
                case .table: try await InventoryReport.writeText(records, to: &output)
                case .json: try await InventoryReport.writeJSON(records, to: &output)
                case .csv: try await InventoryCSV.write(records, to: &output)
                }
            }
            try output.finish()
        }
    }

    /// `dbscout inventory show`: one record in full.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one database in full: the finding, every evidence line, the registration state.",
            discussion: "Exit codes: 0 shown, 1 not in the inventory, 2 usage or configuration error."
        )

        @Argument(help: "The endpoint, IP:PORT or [IPv6]:PORT.", transform: parseEndpoint)
        var endpoint: Endpoint

        @Option(name: .long, help: "Output format.")
        var format: OutputFormat = .table

        @OptionGroup var common: CommonOptions

        func run() async throws {
            let (settings, logger) = try common.load()
            guard let record = try await InventoryReport.record(at: endpoint, settings, logger: logger) else {
                FileHandle.standardError.write(Data("dbscout: error: \(endpoint) is not in the inventory\n".utf8))
                throw ExitCode.failure
            }
            print(
                format == .json ? try InventoryReport.renderDetailJSON(record) : InventoryReport.renderDetail(record),
                terminator: ""
            )
        }
    }

    /// `dbscout inventory forget`: remove records.
    struct Forget: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove databases from the inventory (DBSS is not told).",
            discussion: """
                A record being submitted to DBSS (status submitting) is kept unless --force is given. On a terminal \
                it asks first unless --yes is given. A database forgotten and found again is recognised in DBSS's \
                list, not added twice.
                Exit codes: 0 all forgotten, 1 some were not (unknown, submitting, or not confirmed), 2 usage error.
                """
        )

        @Argument(help: "Endpoints to forget, IP:PORT or [IPv6]:PORT.", transform: parseEndpoint)
        var endpoints: [Endpoint]

        @Flag(name: .long, help: "Do not ask for confirmation on a terminal.")
        var yes = false

        @Flag(name: .long, help: "Forget records in submitting too, though another agent may be adding them.")
        var force = false

        @OptionGroup var common: CommonOptions

        func run() async throws {
            let (settings, logger) = try common.load()
            let job = ForgetJob(settings: settings, endpoints: endpoints, force: force, logger: logger)
            let ask = !yes && isatty(STDIN_FILENO) == 1
            let report = try await job.run(confirm: ask ? Self.confirm : { _ in true })
            print(report.renderText(), terminator: "")
            if report.exitCode != 0 { throw ExitCode(report.exitCode) }
        }

        /// Asks on the terminal.
        private static func confirm(_ question: String) -> Bool {
            FileHandle.standardOutput.write(Data(question.utf8))
            return ["y", "yes"].contains(readLine()?.trimmingCharacters(in: .whitespaces).lowercased())
        }
    }

    /// `dbscout inventory export`: everything, for scripts and backups.
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the whole inventory, with evidence and every registration field, as JSON or CSV."
        )

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case json, csv
        }

        @Option(name: .long, help: "Output format: json (default) or csv (RFC 4180, one row per database).")
        var format: Format = .json

        @OptionGroup var common: CommonOptions

        func run() async throws {
            let (settings, logger) = try common.load()
            var output = StandardOutput()
            try await InventoryReport.withRecords(settings, logger: logger) { records in
                switch format {
                case .json: try await InventoryReport.writeExport(records, to: &output)
                case .csv: try await InventoryCSV.write(records, to: &output)
                }
            }
            try output.finish()
        }
    }
}

/// Parses `IP:PORT`, or `[IPv6]:PORT`, as the inventory prints endpoints.
private func parseEndpoint(_ text: String) throws -> Endpoint {
    let bracketed = text.hasPrefix("[")
    let split = bracketed ? text.range(of: "]:") : text.range(of: ":", options: .backwards)
    guard let split,
        let address = IPAddress(text[text.index(text.startIndex, offsetBy: bracketed ? 1 : 0)..<split.lowerBound]),
        address.isIPv4 != bracketed,
        let port = UInt16(text[split.upperBound...]), port > 0
    else {
        throw ValidationError("'\(text)' is not an endpoint: write IP:PORT, or [IPv6]:PORT for IPv6")
    }
    return Endpoint(address: address, port: port)
}

private func parseRegistrationStatus(_ text: String) throws -> RegistrationStatus {
    guard let status = RegistrationStatus(rawValue: text) else {
        let known = RegistrationStatus.allCases.map(\.rawValue).joined(separator: ", ")
        throw ValidationError("'\(text)' is not a registration status (\(known))")
    }
    return status
}

/// Standard output for listings written as they are read: buffered, since the writes are many and small, and
/// checked by ``finish()``, since a `TextOutputStream` cannot throw.
private struct StandardOutput: TextOutputStream {
    private var buffer: [UInt8] = []
    /// The `errno` of the first write that failed; later output is dropped.
    private var failure: Int32?

    mutating func write(_ string: String) {
        buffer += string.utf8
        if buffer.count >= 1 << 16 { flush() }
    }

    /// Writes out the rest; fails if any write failed (a full disk, or a reader that went away).
    mutating func finish() throws {
        flush()
        guard let failure else { return }
        FileHandle.standardError.write(
            Data("dbscout: error: cannot write the output: \(String(cString: strerror(failure)))\n".utf8)
        )
        throw ExitCode.failure
    }

    private mutating func flush() {
        var written = 0
        while failure == nil, written < buffer.count {
            let count = buffer[written...].withUnsafeBytes { Glibc.write(STDOUT_FILENO, $0.baseAddress, $0.count) }
            if count >= 0 {
                written += count
            } else if errno != EINTR {
                failure = errno
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
