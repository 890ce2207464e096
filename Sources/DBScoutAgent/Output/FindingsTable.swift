import DBScoutCore
import DBScoutInventory

/// The terminal view of inventory records: one line per endpoint.
enum FindingsTable {
    static func render(_ records: [InventoryRecord]) -> String {
        var table = TextTable(headers: [
            "ENDPOINT", "PRODUCT", "VERSION", "CHARSET", "TLS", "OS", "DBSS TYPE", "REGISTRATION",
        ])
        for record in records {
            let finding = record.finding
            table.rows.append([
                finding.endpoint.description,
                finding.product.displayName,
                finding.version ?? "?",
                finding.charset?.rawValue ?? "?",
                finding.tls.label,
                finding.os?.rawValue ?? "?",
                finding.dbssType?.rawValue ?? "-",
                record.registration.label,
            ])
        }
        return table.render()
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
