import DBScoutCore
import DBScoutInventory
import Foundation
import Logging

/// The inventory as `dbscout inventory` shows it: every record, one record in full, or an export.
public enum InventoryReport {
    /// Runs `body` with the records in the inventory that `settings` names, in endpoint order, read a page at a
    /// time as they are iterated; only those in `statuses` unless it is empty. An inventory that does not exist
    /// yet is empty, and is not created.
    public static func withRecords<Result>(
        _ settings: AgentSettings,
        statuses: Set<RegistrationStatus> = [],
        logger: Logger,
        _ body: (InventoryPages) async throws -> Result
    ) async throws -> Result {
        try await InventoryStore.with(settings, readOnly: true, logger: logger) {
            try await body($0.records(statuses: statuses))
        }
    }

    /// The record at `endpoint`, if the inventory holds one.
    public static func record(
        at endpoint: Endpoint,
        _ settings: AgentSettings,
        logger: Logger
    ) async throws -> InventoryRecord? {
        try await InventoryStore.with(settings, readOnly: true, logger: logger) { try await $0.record(at: endpoint) }
    }

    /// One line per record, written as the records are read. `records` is iterated twice: first for the column
    /// widths, so that a listing of any size is laid out as a small one, then for the lines.
    public static func writeText(
        _ records: some AsyncSequence<InventoryRecord, any Error>,
        to output: inout some TextOutputStream
    ) async throws {
        var widths = TextTable.widths(FindingsTable.headers)
        var empty = true
        for try await record in records {
            widths = TextTable.widths(FindingsTable.cells(record), fitting: widths)
            empty = false
        }
        guard !empty else { return output.write("The inventory is empty.\n") }
        output.write(TextTable.line(FindingsTable.headers, widths: widths))
        for try await record in records { output.write(TextTable.line(FindingsTable.cells(record), widths: widths)) }
    }

    /// `{"findings": [...]}`, each record as `scan --format json` prints it, written as the records are read.
    public static func writeJSON(
        _ records: some AsyncSequence<InventoryRecord, any Error>,
        to output: inout some TextOutputStream
    ) async throws {
        try await JSONOutput.writeFindings(exportedAt: nil, records, to: &output)
    }

    /// The whole inventory for scripts and backups: `exported_at` and every record with its evidence and every
    /// registration field, written as the records are read.
    public static func writeExport(
        _ records: some AsyncSequence<InventoryRecord, any Error>,
        exportedAt: Date = Date(),
        to output: inout some TextOutputStream
    ) async throws {
        try await JSONOutput.writeFindings(exportedAt: exportedAt, records, to: &output)
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
        Timestamp.iso8601(date)
    }
}
