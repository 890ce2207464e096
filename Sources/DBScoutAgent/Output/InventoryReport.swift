import DBScoutCore
import DBScoutInventory
import Foundation
import Logging

/// The inventory as `dbscout inventory` shows it: every record, one record in full, or an export.
public enum InventoryReport {
    /// The records in the inventory that `settings` names, by endpoint; only those in `statuses` unless it is
    /// empty. An inventory that does not exist yet is empty, and is not created.
    public static func records(
        _ settings: AgentSettings,
        statuses: Set<RegistrationStatus> = [],
        logger: Logger
    ) async throws -> [InventoryRecord] {
        let records = try await InventoryStore.with(settings, readOnly: true, logger: logger) { try await $0.all() }
        return statuses.isEmpty ? records : records.filter { statuses.contains($0.registration.status) }
    }

    /// The record at `endpoint`, if the inventory holds one.
    public static func record(
        at endpoint: Endpoint,
        _ settings: AgentSettings,
        logger: Logger
    ) async throws -> InventoryRecord? {
        try await InventoryStore.with(settings, readOnly: true, logger: logger) { try await $0.record(at: endpoint) }
    }

    /// One line per record.
    public static func renderText(_ records: [InventoryRecord]) -> String {
        records.isEmpty ? "The inventory is empty.\n" : FindingsTable.render(records)
    }

    /// `{"findings": [...]}`, each record as `scan --format json` prints it.
    public static func renderJSON(_ records: [InventoryRecord]) throws -> String {
        try JSONOutput.encode(["findings": records.map(FindingDocument.init)])
    }

    /// The whole inventory for scripts and backups: `exported_at` and every record with its evidence and every
    /// registration field.
    public static func renderExport(_ records: [InventoryRecord], exportedAt: Date = Date()) throws -> String {
        try JSONOutput.encode(ExportDocument(exportedAt: exportedAt, findings: records.map(FindingDocument.init)))
    }

    /// One record in full, for a person: the finding, its registration state, and every evidence line.
    public static func renderDetail(_ record: InventoryRecord) -> String {
        let finding = record.finding
        let state = record.registration
        let how = [finding.osSource?.rawValue, finding.osConfidence.map { "confidence \($0)" }].compactMap { $0 }
        let os = finding.os.map { os in
            os.rawValue + (finding.osDetail.map { ": \($0)" } ?? "")
                + (how.isEmpty ? "" : " (\(how.joined(separator: ", ")))")
        }
        let fields = [
            ("Endpoint", finding.endpoint.description),
            ("Product", finding.product.displayName),
            ("Version", finding.version ?? "?"),
            ("Charset", finding.charset?.rawValue ?? "?"),
            ("TLS", finding.tls.label),
            ("OS", os ?? "?"),
            ("DBSS type", finding.dbssType?.rawValue ?? "- (DBSS cannot audit it)"),
            ("DBSS version", finding.dbssVersion ?? "?"),
            ("First seen", timestamp(record.firstSeen)),
            ("Last seen", timestamp(record.lastSeen)),
            ("Registration", state.status.rawValue),
            ("DBSS id", state.id ?? "-"),
            ("Origin", state.origin?.rawValue ?? "-"),
            ("Attempts", "\(state.attempts)"),
            ("Last error", state.lastError ?? "-"),
            ("Claimed by", state.claim.map { "\($0.owner) until \(timestamp($0.until))" } ?? "-"),
            ("Next attempt", state.nextAttempt.map(timestamp) ?? "-"),
        ]
        let width = fields.map(\.0.count).max() ?? 0
        var text = fields.map { name, value in
            name + ":" + String(repeating: " ", count: width - name.count + 2) + value + "\n"
        }.joined()
        var evidence = TextTable(headers: ["EVIDENCE", "VALUE"])
        evidence.rows = finding.evidence.map { [$0.fact, $0.value] }
        text += "\n" + (finding.evidence.isEmpty ? "No evidence recorded.\n" : evidence.render())
        return text
    }

    /// One record in full, for scripts: the object `scan --format json` prints for it.
    public static func renderDetailJSON(_ record: InventoryRecord) throws -> String {
        try JSONOutput.encode(FindingDocument(record))
    }

    /// An instant as the JSON documents give it (ISO 8601, UTC).
    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}

private struct ExportDocument: Encodable {
    let exportedAt: Date
    let findings: [FindingDocument]

    enum CodingKeys: String, CodingKey {
        case exportedAt = "exported_at", findings
    }
}
