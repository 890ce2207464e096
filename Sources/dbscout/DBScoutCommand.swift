import ArgumentParser
import DBScoutCore
import Foundation

/// `dbscout`: find databases on a network and register them with DBSS.
@main
struct DBScoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dbscout",
        abstract: "Find the databases on a network and register each new one with Huawei Cloud DBSS.",
        version: "0.1.0",
        subcommands: [ScanCommand.self, SniffCommand.self, InventoryCommand.self],
        defaultSubcommand: ScanCommand.self
    )

    /// Runs the command with dbscout's exit codes: 0 ok, 1 failures during work, 2 usage or configuration errors.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let error as DBScoutError {
            FileHandle.standardError.write(Data("dbscout: error: \(error.message)\n".utf8))
            Foundation.exit(2)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
