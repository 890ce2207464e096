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
        var bytes: [UInt8] = []
        line(header, to: &bytes)
        for try await record in records {
            line(row(record), to: &bytes)
            // Written in pieces of about 64 KiB: the records are many and small.
            if bytes.count >= 1 << 16 { flush(&bytes, to: &output) }
        }
        flush(&bytes, to: &output)
    }

    private static func flush(_ bytes: inout [UInt8], to output: inout some TextOutputStream) {
        output.write(String(decoding: bytes, as: UTF8.self))
        bytes.removeAll(keepingCapacity: true)
    }

    private static func line(_ fields: [String], to bytes: inout [UInt8]) {
        for (index, value) in fields.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            field(value, to: &bytes)
        }
        bytes.append(contentsOf: [UInt8(ascii: "\r"), UInt8(ascii: "\n")])
    }

    private static func row(_ record: InventoryRecord) -> [String] {
        let finding = record.finding
        let state = record.registration
        let timestamp = InventoryReport.timestamp
        let columns: [String?] = [
            finding.endpoint.address.description, String(finding.endpoint.port), finding.product.rawValue,
            finding.dbssType?.rawValue, finding.version, finding.dbssVersion, finding.charset?.rawValue,
            finding.os?.rawValue, finding.osDetail, finding.osConfidence.map { "\($0)" }, finding.osSource?.rawValue,
            finding.tls.rawValue, timestamp(record.firstSeen), timestamp(record.lastSeen), state.status.rawValue,
            state.id, state.lastError, String(state.attempts), state.origin?.rawValue, state.nextAttempt.map(timestamp),
            state.claim?.owner, state.claim.map { timestamp($0.until) },
            // One line per fact, as `fact=value`.
            finding.evidence.map { "\($0.fact)=\($0.value)" }.joined(separator: "\n"),
        ]
        return columns.map { $0 ?? "" }
    }

    /// A field as RFC 4180 writes it: quoted, with quotes doubled, when it holds a comma, a quote or a line break
    /// (any of Unicode's: LF, VT, FF, CR, NEL, LS and PS).
    private static func field(_ value: String, to bytes: inout [UInt8]) {
        var value = value
        value.withUTF8 { text in
            guard needsQuotes(text) else { return bytes.append(contentsOf: text) }
            bytes.append(UInt8(ascii: "\""))
            for byte in text {
                bytes.append(byte)
                if byte == UInt8(ascii: "\"") { bytes.append(byte) }
            }
            bytes.append(UInt8(ascii: "\""))
        }
    }

    private static func needsQuotes(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        for index in text.indices {
            switch text[index] {
            case UInt8(ascii: ","), UInt8(ascii: "\""), 0x0A...0x0D: return true
            // U+0085 is C2 85; U+2028 and U+2029 are E2 80 A8 and E2 80 A9.
            case 0x85 where index >= 1 && text[index - 1] == 0xC2: return true
            case 0xA8,
                0xA9 where index >= 2 && text[index - 1] == 0x80 && text[index - 2] == 0xE2:
                return true
            default: continue
            }
        }
        return false
    }
}
