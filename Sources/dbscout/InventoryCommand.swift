import ArgumentParser
import DBScoutAgent
import Foundation

/// `dbscout inventory`: what dbscout has found so far and what became of it.
struct InventoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inventory",
        abstract: "List every database in the inventory with its registration state."
    )

    @Option(name: .long, help: "Output format.")
    var format: OutputFormat = .table

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let settings = try AgentSettings.load(
            environment: ProcessInfo.processInfo.environment,
            overrides: common.overrides
        )
        _ = common.bootstrapLogging(level: settings.logLevel)
        let records = try await InventoryReport.records(settings)
        print(
            format == .json ? try InventoryReport.renderJSON(records) : InventoryReport.renderText(records),
            terminator: ""
        )
    }
}
