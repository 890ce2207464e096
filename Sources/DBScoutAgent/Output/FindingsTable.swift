import DBScoutCore
import DBScoutInventory

/// The terminal view of inventory records: one line per endpoint.
enum FindingsTable {
    static let headers = ["ENDPOINT", "PRODUCT", "VERSION", "CHARSET", "TLS", "OS", "DBSS TYPE", "REGISTRATION"]

    static func render(_ records: [InventoryRecord]) -> String {
        var table = TextTable(headers: headers)
        table.rows = records.map(cells)
        return table.render()
    }

    /// A record's line, cell by cell.
    static func cells(_ record: InventoryRecord) -> [String] {
        let finding = record.finding
        return [
            finding.endpoint.description,
            finding.product.displayName,
            finding.version ?? "?",
            finding.charset?.rawValue ?? "?",
            finding.tls.label,
            finding.os?.rawValue ?? "?",
            finding.dbssType?.rawValue ?? "-",
            record.registration.label,
        ]
    }
}

extension TLSSupport {
    var label: String {
        switch self {
        case .unsupported: "no"
        case .supported: "optional"
        case .required: "REQUIRED"
        case .unknown: "?"
        }
    }
}

extension RegistrationState {
    var label: String {
        switch status {
        case .registered: "registered \(id ?? "")"
        case .pending where lastError?.hasPrefix("waiting") == true: "waiting (host OS unknown)"
        case .pending: lastError == nil ? "pending" : "pending (retry: last attempt failed)"
        case .submitting: "submitting"
        case .retrying: "retrying (last attempt failed)"
        case .rejected: "REJECTED"
        case .notRegistrable: "not a DBSS type"
        }
    }
}
