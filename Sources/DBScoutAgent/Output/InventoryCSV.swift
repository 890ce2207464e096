import DBScoutCore
import DBScoutInventory
import Foundation

/// The inventory as CSV (RFC 4180) for spreadsheets and scripts: a header row, then one row per record with the
/// JSON document's fields (the registration's prefixed `registration_`) and every evidence line in one column.
public enum InventoryCSV {
    /// The column names, in order.
    static let header = [
        "ip", "port", "product", "dbss_type", "version", "dbss_version", "charset", "os", "os_detail",
        "os_confidence", "os_source", "tls", "first_seen", "last_seen", "registration_status", "registration_id",
        "registration_error", "registration_attempts", "registration_origin", "registration_next_attempt",
        "registration_claim_owner", "registration_claim_until", "evidence",
    ]

    /// The records as CSV, written as they are read; lines end with CRLF, and an unknown value is an empty field.
    public static func write(
        _ records: some AsyncSequence<InventoryRecord, any Error>,
        to output: inout some TextOutputStream
    ) async throws {
        output.write(line(header))
        for try await record in records { output.write(line(row(record))) }
    }

    private static func line(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }

    private static func row(_ record: InventoryRecord) -> [String] {
        let finding = record.finding
        let state = record.registration
        let timestamp = InventoryReport.timestamp
        let columns: [String?] = [
            finding.endpoint.address.description, "\(finding.endpoint.port)", finding.product.rawValue,
            finding.dbssType?.rawValue, finding.version, finding.dbssVersion, finding.charset?.rawValue,
            finding.os?.rawValue, finding.osDetail, finding.osConfidence.map { "\($0)" }, finding.osSource?.rawValue,
            finding.tls.rawValue, timestamp(record.firstSeen), timestamp(record.lastSeen), state.status.rawValue,
            state.id, state.lastError, "\(state.attempts)", state.origin?.rawValue, state.nextAttempt.map(timestamp),
            state.claim?.owner, state.claim.map { timestamp($0.until) },
            // One line per fact, as `fact=value`.
            finding.evidence.map { "\($0.fact)=\($0.value)" }.joined(separator: "\n"),
        ]
        return columns.map { $0 ?? "" }
    }

    /// A field as RFC 4180 writes it: quoted, with quotes doubled, when it holds a comma, a quote or a line break.
    private static func field(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
