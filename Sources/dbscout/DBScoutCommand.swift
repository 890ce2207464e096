import ArgumentParser
import DBScoutCore
import DBScoutScanner
import Foundation

/// `dbscout`: find databases on a network and register them with DBSS.
@main
struct DBScoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dbscout",
        abstract: "Find the databases on a network and register each new one with Huawei Cloud DBSS.",
        discussion: """
            Shell completions: dbscout --generate-completion-script bash|zsh|fish.
            Exit status: 0 done, 1 something failed during the work (nothing found is lost), 2 bad input or settings.
            """,
        version: "0.2.0",
        subcommands: [
            ScanCommand.self, SniffCommand.self, RegisterCommand.self, DaemonCommand.self, InventoryCommand.self,
            ConfigCommand.self, VersionCommand.self,
        ],
        defaultSubcommand: ScanCommand.self
    )

    /// Runs the command with dbscout's exit codes: 0 ok, 1 failures during work, 2 usage or configuration errors.
    static func main() async {
        do {
            // Before any event loop exists: SwiftNIO stops the process when it cannot get a descriptor for one.
            try OpenFileLimit.prepare()
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
