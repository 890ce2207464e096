import DBScoutInventory

/// Renders the whole inventory, for `dbscout inventory`.
public enum InventoryReport {
    /// Every record in the inventory that `settings` names.
    public static func records(_ settings: AgentSettings) async throws -> [InventoryRecord] {
        try await SQLiteInventory(directory: settings.stateDirectory).all()
    }

    public static func renderText(_ records: [InventoryRecord]) -> String {
        records.isEmpty ? "The inventory is empty.\n" : FindingsTable.render(records)
    }

    public static func renderJSON(_ records: [InventoryRecord]) throws -> String {
        try JSONOutput.encode(["findings": records.map(FindingDocument.init)])
    }
}
