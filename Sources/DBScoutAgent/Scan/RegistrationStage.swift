import DBSSClient
import DBScoutCore
import DBScoutInventory
import Foundation
import Logging

/// What every job does with its findings once they are in: register them (or, in a dry run, plan what would be
/// sent) and read back the records to report.
struct RegistrationStage: Sendable {
    let settings: AgentSettings
    let dryRun: Bool
    let logger: Logger

    /// The records of `findings` and what the registration step did.
    func conclude(_ findings: [Finding], in inventory: any Inventory) async throws
        -> (records: [InventoryRecord], registration: RegistrationReport)
    {
        if dryRun {
            let records = try await merged(findings, into: inventory)
            return (records, .dryRun(plannedRequests(for: records, alsoPending: try await inventory.due(now: Date()))))
        }
        let registration = try await register(inventory)
        return (try await stored(findings, in: inventory), registration)
    }

    /// Runs `body` with the settings' inventory, which a dry run never creates.
    func withInventory<Result>(_ body: (any Inventory) async throws -> Result) async throws -> Result {
        try await InventoryStore.with(settings, readOnly: dryRun, logger: logger, body)
    }

    /// Submits every due record in `inventory`; `.notConfigured` without DBSS settings.
    func register(_ inventory: any Inventory) async throws -> RegistrationReport {
        guard let dbss = settings.dbss else { return .notConfigured }
        return try await DBSSClient.withClient(configuration: dbss, logger: logger) { client in
            let registrar = Registrar(
                client: client,
                inventory: inventory,
                policy: settings.registration,
                logger: logger
            )
            return .submitted(try await registrar.registerDue())
        }
    }

    /// This run's findings as the inventory now holds them, read one endpoint at a time: the inventory may hold
    /// a million others.
    private func stored(_ findings: [Finding], in inventory: any Inventory) async throws -> [InventoryRecord] {
        var records: [InventoryRecord] = []
        for endpoint in Set(findings.map(\.endpoint)).sorted() {
            if let record = try await inventory.record(at: endpoint) { records.append(record) }
        }
        return records
    }

    /// This run's findings merged in memory with what the inventory holds, for a dry run that writes nothing.
    private func merged(_ findings: [Finding], into inventory: any Inventory) async throws -> [InventoryRecord] {
        var records: [Endpoint: InventoryRecord] = [:]
        // Folded in order, as recording them would: two findings of one endpoint make one record.
        for finding in findings {
            var existing = records[finding.endpoint]
            if existing == nil { existing = try await inventory.record(at: finding.endpoint) }
            records[finding.endpoint] = InventoryRecord.merging(finding, into: existing)
        }
        return records.values.sorted { $0.endpoint < $1.endpoint }
    }

    /// The requests a real run would send: this run's pending records, then those pending from earlier runs.
    private func plannedRequests(for records: [InventoryRecord], alsoPending earlier: [InventoryRecord])
        -> [PlannedRequest]
    {
        let seen = Set(records.map(\.endpoint))
        return plannedRequests(
            for: records.filter { $0.isDue(at: Date()) } + earlier.filter { !seen.contains($0.endpoint) }
        )
    }

    /// The requests a real pass would send for `due`, in order: none for a finding held back or skipped.
    func plannedRequests(for due: [InventoryRecord]) -> [PlannedRequest] {
        let path = settings.dbss?.addDatabasePath ?? "/v1/{project_id}/{instance_id}/audit/databases"
        return due.filter { settings.registration.holdReason(for: $0.finding) == nil }.compactMap { record in
            settings.registration.database(for: record.finding).map {
                PlannedRequest(method: "POST", path: path, body: $0)
            }
        }
    }
}
