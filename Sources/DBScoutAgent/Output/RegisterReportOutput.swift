import DBSSClient
import DBScoutCore
import DBScoutInventory
import Foundation

extension RegisterReport {
    /// The report for a person: what was requeued, the records that were due, and the pass's summary.
    public func renderText() -> String {
        let dryRun = if case .dryRun = registration { true } else { false }
        var text = ""
        if requeued > 0 {
            text +=
                dryRun
                ? "Dry run: \(requeued) rejected or retrying record(s) would be put back to pending.\n"
                : "Put \(requeued) rejected or retrying record(s) back to pending.\n"
        }
        text += records.isEmpty ? "Nothing was due for registration.\n" : FindingsTable.render(records)
        return text + "\n" + registration.renderText() + RegistrationReport.rejections(in: records)
    }

    /// The report for scripts: `requeued`, the `registration` block as `scan` prints it, and the due records as
    /// `findings`.
    public func renderJSON() throws -> String {
        try JSONOutput.encode(RegisterDocument(self))
    }
}

private struct RegisterDocument: Encodable {
    let requeued: Int
    let registration: RegistrationDocument
    let findings: [FindingDocument]

    init(_ report: RegisterReport) {
        requeued = report.requeued
        registration = RegistrationDocument(report.registration)
        findings = report.records.map(FindingDocument.init)
    }
}

extension RegistrationReport {
    /// One line per rejected record with DBSS's reason.
    static func rejections(in records: [InventoryRecord]) -> String {
        records.filter { $0.registration.status == .rejected }.map {
            "  \($0.endpoint): \($0.registration.lastError ?? "rejected")\n"
        }.joined()
    }

    /// What the registration step did, for a person: the summary, or a dry run's exact requests.
    func renderText() -> String {
        switch self {
        case .notConfigured:
            return "Registration is not configured (no DBSS settings): findings were recorded, nothing was submitted.\n"
        case .dryRun(let requests):
            guard !requests.isEmpty else { return "Dry run: nothing would be submitted to DBSS.\n" }
            var text = "Dry run: \(requests.count) request(s) would be sent to DBSS:\n"
            for request in requests {
                text += "\(request.method) \(request.path)\n\(request.prettyBody)\n"
            }
            return text
        case .submitted(let summary):
            var text =
                "Registration: \(summary.registered) registered, \(summary.imported) already in DBSS, "
                + "\(summary.rejected) rejected, \(summary.deferred) deferred, \(summary.uncertain) uncertain, "
                + "\(summary.waiting) waiting for the host OS.\n"
            if let error = summary.stoppedBy {
                text += "Registration stopped, the rest stay due for the next run: \(error)\n"
            }
            return text
        }
    }
}

/// The registration step as scripts see it: the summary counts (zero when nothing was submitted) and a dry run's
/// requests. Unknown values are explicit `null`s.
struct RegistrationDocument: Encodable {
    struct Request: Encodable {
        let method: String
        let path: String
        let body: [String: DBSSDatabase]
    }

    let status: String
    let summary: RegistrationSummary
    let requests: [Request]

    init(_ report: RegistrationReport) {
        switch report {
        case .notConfigured:
            (status, summary, requests) = ("not_configured", RegistrationSummary(), [])
        case .dryRun(let planned):
            let requests = planned.map { Request(method: $0.method, path: $0.path, body: ["database": $0.body]) }
            (status, summary, self.requests) = ("dry_run", RegistrationSummary(), requests)
        case .submitted(let summary):
            (status, self.summary, requests) = ("submitted", summary, [])
        }
    }

    enum CodingKeys: String, CodingKey {
        case status, registered, imported, rejected, deferred, uncertain, waiting, stoppedBy = "stopped_by"
        case requests
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(status, forKey: .status)
        try container.encode(summary.registered, forKey: .registered)
        try container.encode(summary.imported, forKey: .imported)
        try container.encode(summary.rejected, forKey: .rejected)
        try container.encode(summary.deferred, forKey: .deferred)
        try container.encode(summary.uncertain, forKey: .uncertain)
        try container.encode(summary.waiting, forKey: .waiting)
        try container.encode(summary.stoppedBy, forKey: .stoppedBy)
        try container.encode(requests, forKey: .requests)
    }
}
