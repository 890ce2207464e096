import DBScoutCore
import DBScoutInventory
import Foundation
import Logging

/// Opens the inventory the settings name, for the length of a job: the SQLite file in the state directory, or
/// the PostgreSQL database a fleet of agents shares (whose connections live only while the job runs).
public enum InventoryStore {
    /// Runs `body` with the inventory.
    /// - Parameter readOnly: a dry run: a SQLite file that does not exist yet is not created (an empty in-memory
    ///   inventory stands in).
    /// - Throws: ``DBScoutError`` `inventory` or `invalid-configuration` naming the store, never its password.
    public static func with<Result>(
        _ settings: AgentSettings,
        readOnly: Bool = false,
        logger: Logger,
        _ body: (any Inventory) async throws -> Result
    ) async throws -> Result {
        switch settings.store {
        case .sqlite(let directory):
            let file = directory.appendingPathComponent(SQLiteInventory.fileName).path
            if readOnly, !FileManager.default.fileExists(atPath: file) { return try await body(SQLiteInventory()) }
            return try await body(SQLiteInventory(directory: directory))
        case .postgres(let url, let password):
            let configuration = try PostgresInventoryConfiguration(url: url, password: password)
            return try await PostgresInventory.withInventory(configuration: configuration, logger: logger) {
                try await body($0)
            }
        }
    }
}
