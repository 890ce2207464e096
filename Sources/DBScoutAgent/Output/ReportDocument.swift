import DBSSClient
import DBScoutCore
import DBScoutInventory
import DBScoutScanner
import Foundation

extension ScanReport {
    /// The report for scripts: one JSON document with a `findings` array.
    public func renderJSON() throws -> String {
        try JSONOutput.encode(ScanDocument(self))
    }
}

/// Encodes output documents the same way everywhere: sorted keys, ISO 8601 dates, a final newline.
enum JSONOutput {
    static func encode(_ value: some Encodable) throws -> String {
        String(decoding: try makeEncoder().encode(value), as: UTF8.self) + "\n"
    }

    /// Writes `{"exported_at": ..., "findings": [...]}` (without `exported_at` when `nil`), a record at a time as
    /// `records` yields them, byte for byte as ``encode(_:)`` would write the whole document: an encoder holds a
    /// document's every value at once, several times the size of its text.
    static func writeFindings(
        exportedAt: Date?,
        _ records: some AsyncSequence<InventoryRecord, any Error>,
        to output: inout some TextOutputStream
    ) async throws {
        let encoder = makeEncoder()
        output.write("{\n")
        if let exportedAt {
            // `{`, the member indented as in the document, `}`.
            let member = try encoder.encode(["exported_at": exportedAt]).dropFirst(2).dropLast(2)
            output.write(String(decoding: member, as: UTF8.self) + ",\n")
        }
        output.write(findingsHead)
        var json = JSONBytes()
        var first = true
        for try await record in records {
            if !first { json.raw(",\n") }
            first = false
            try FindingDocument(record).write(to: &json, encoder: encoder)
            if json.bytes.count >= 1 << 16 { flush(&json, to: &output) }
        }
        flush(&json, to: &output)
        // An empty array is written `[`, an empty line, `]`, as the encoder writes it.
        output.write(findingsTail + "\n")
    }

    /// Writes out what `json` holds, in one piece: the records are many and small.
    private static func flush(_ json: inout JSONBytes, to output: inout some TextOutputStream) {
        output.write(String(decoding: json.bytes, as: UTF8.self))
        json.bytes.removeAll(keepingCapacity: true)
    }

    private static let findingsHead = "  \"findings\" : [\n"
    private static let findingsTail = "\n  ]\n}"

    private static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}

private struct ScanDocument: Encodable {
    struct Scan: Encodable {
        let startedAt: Date
        let durationSeconds: Double
        let targets: [String]
        let ports: String
        let endpoints: Int
        let open: Int
        let identified: Int
        /// Endpoints this host could not attempt, and why (`null` when there were none).
        let unprobed: Int
        let unprobedReason: String?

        enum CodingKeys: String, CodingKey {
            case startedAt = "started_at", durationSeconds = "duration_seconds", targets, ports, endpoints, open
            case identified, unprobed, unprobedReason = "unprobed_reason"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(startedAt, forKey: .startedAt)
            try container.encode(durationSeconds, forKey: .durationSeconds)
            try container.encode(targets, forKey: .targets)
            try container.encode(ports, forKey: .ports)
            try container.encode(endpoints, forKey: .endpoints)
            try container.encode(open, forKey: .open)
            try container.encode(identified, forKey: .identified)
            try container.encode(unprobed, forKey: .unprobed)
            try container.encode(unprobedReason, forKey: .unprobedReason)
        }
    }

    /// What a passive run read; absent for scans.
    struct Capture: Encodable {
        let frames: Int
        let bytes: Int
        let skipped: Int
        let flows: Int
        let dropped: Int
        let errors: [String]
    }

    let scan: Scan
    let capture: Capture?
    let findings: [FindingDocument]
    let unidentified: [String]
    let registration: RegistrationDocument

    init(_ report: ScanReport) {
        let duration = report.duration.components
        scan = Scan(
            startedAt: report.startedAt,
            durationSeconds: Double(duration.seconds) + Double(duration.attoseconds) / 1e18,
            targets: report.targets,
            ports: report.ports.description,
            endpoints: report.progress.done,
            open: report.progress.open,
            identified: report.progress.identified,
            unprobed: report.progress.unprobed,
            unprobedReason: report.unprobedReason
        )
        capture = report.passive.map {
            Capture(
                frames: $0.frames,
                bytes: $0.bytes,
                skipped: $0.skipped,
                flows: $0.flows,
                dropped: $0.dropped,
                errors: $0.errors
            )
        }
        findings = report.records.map(FindingDocument.init)
        unidentified = report.unidentified.map(\.description)
        registration = RegistrationDocument(report.registration)
    }
}

/// One finding as scripts see it. Unknown values are explicit `null`s, never missing keys.
struct FindingDocument: Encodable {
    let record: InventoryRecord

    init(_ record: InventoryRecord) { self.record = record }

    enum CodingKeys: String, CodingKey {
        case ip, port, product, dbssType = "dbss_type", version, dbssVersion = "dbss_version", charset, os
        case osDetail = "os_detail", osConfidence = "os_confidence", osSource = "os_source", tls
        case registration, firstSeen = "first_seen", lastSeen = "last_seen", evidence
    }

    enum RegistrationKeys: String, CodingKey {
        case status, id, error, attempts, origin, nextAttempt = "next_attempt", claimOwner = "claim_owner"
        case claimUntil = "claim_until"
    }

    func encode(to encoder: any Encoder) throws {
        let finding = record.finding
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(finding.endpoint.address.description, forKey: .ip)
        try container.encode(Int(finding.endpoint.port), forKey: .port)
        try container.encode(finding.product.rawValue, forKey: .product)
        try container.encode(finding.dbssType?.rawValue, forKey: .dbssType)
        try container.encode(finding.version, forKey: .version)
        try container.encode(finding.dbssVersion, forKey: .dbssVersion)
        try container.encode(finding.charset?.rawValue, forKey: .charset)
        try container.encode(finding.os?.rawValue, forKey: .os)
        try container.encode(finding.osDetail, forKey: .osDetail)
        try container.encode(finding.osConfidence, forKey: .osConfidence)
        try container.encode(finding.osSource?.rawValue, forKey: .osSource)
        try container.encode(finding.tls.rawValue, forKey: .tls)
        try container.encode(record.firstSeen, forKey: .firstSeen)
        try container.encode(record.lastSeen, forKey: .lastSeen)
        try container.encode(finding.evidence, forKey: .evidence)
        var registration = container.nestedContainer(keyedBy: RegistrationKeys.self, forKey: .registration)
        try registration.encode(record.registration.status.rawValue, forKey: .status)
        try registration.encode(record.registration.id, forKey: .id)
        try registration.encode(record.registration.lastError, forKey: .error)
        try registration.encode(record.registration.attempts, forKey: .attempts)
        try registration.encode(record.registration.origin?.rawValue, forKey: .origin)
        try registration.encode(record.registration.nextAttempt, forKey: .nextAttempt)
        try registration.encode(record.registration.claim?.owner, forKey: .claimOwner)
        try registration.encode(record.registration.claim?.until, forKey: .claimUntil)
    }
}
