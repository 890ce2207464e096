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
        if progress.unprobed > 0 {
            text +=
                "Warning: \(progress.unprobed) endpoints were not probed (\(unprobedReason ?? "no reason given")): "
                + "raise the open-file limit (ulimit -n) or lower --concurrency.\n"
        }
        if !unidentified.isEmpty {
            text += "Open but not identified: " + unidentified.map(\.description).joined(separator: ", ") + "\n"
        }
        return text + registration.renderText() + RegistrationReport.rejections(in: records)
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
