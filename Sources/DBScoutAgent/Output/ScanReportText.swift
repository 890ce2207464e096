import DBSSClient
import DBScoutCore
import DBScoutInventory
import DBScoutScanner
import Foundation

extension ScanReport {
    /// The report for a person: the findings table, then a summary of the registration step.
    public func renderText() -> String {
        var text = records.isEmpty ? "No databases found.\n" : FindingsTable.render(records)
        let seconds = String(
            format: "%.1f",
            Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        )
        if let passive {
            let megabytes = String(format: "%.1f", Double(passive.bytes) / 1e6)
            text +=
                "\nRead \(passive.frames) frames, \(megabytes) MB (\(passive.skipped) not TCP or malformed), "
                + "\(passive.flows) TCP flows in \(seconds) s: \(progress.identified) database servers.\n"
            for error in passive.errors {
                text += "Warning: stopped reading \(error); what came before it was used.\n"
            }
            if passive.dropped > 0 {
                text += "Warning: \(passive.dropped) packets were dropped before dbscout read them.\n"
            }
        } else {
            text +=
                "\nScanned \(progress.done) endpoints in \(seconds) s: \(progress.open) open, "
                + "\(progress.identified) identified.\n"
        }
        if !unidentified.isEmpty {
            text += "Open but not identified: " + unidentified.map(\.description).joined(separator: ", ") + "\n"
        }
        text += registrationText()
        for record in records where record.registration.status == .rejected {
            text += "  \(record.endpoint): \(record.registration.lastError ?? "rejected")\n"
        }
        return text
    }

    private func registrationText() -> String {
        switch registration {
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
                "Registration: \(summary.registered) registered, \(summary.rejected) rejected, "
                + "\(summary.deferred) deferred, \(summary.waiting) waiting for the host OS.\n"
            if let error = summary.stoppedBy {
                text += "Registration stopped, the rest stay pending for the next run: \(error)\n"
            }
            return text
        }
    }
}

extension PlannedRequest {
    /// The exact JSON body, pretty-printed with sorted keys.
    var prettyBody: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(["database": body])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
