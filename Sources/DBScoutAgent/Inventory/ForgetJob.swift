import DBScoutCore
import DBScoutInventory
import Foundation
import Logging

/// Removes records from the inventory, for `dbscout inventory forget`: a database taken down, or one found by
/// mistake. DBSS is not told; should the database be found again, a registration pass finds it in DBSS's list and
/// imports it rather than adding it twice.
public struct ForgetJob: Sendable {
    public let settings: AgentSettings
    public let endpoints: [Endpoint]
    /// Forget `submitting` records too, whose agent may be adding them to DBSS right now.
    public let force: Bool
    private let logger: Logger

    public init(settings: AgentSettings, endpoints: [Endpoint], force: Bool, logger: Logger) {
        self.settings = settings
        self.endpoints = endpoints
        self.force = force
        self.logger = logger
    }

    /// Forgets every endpoint it may.
    /// - Parameter confirm: asked a question showing the records about to be removed; nothing is removed unless it
    ///   returns `true`.
    public func run(confirm: (_ question: String) -> Bool = { _ in true }) async throws -> ForgetReport {
        // An inventory that does not exist holds nothing to forget, and is not created.
        try await InventoryStore.with(settings, readOnly: true, logger: logger) { inventory in
            var report = ForgetReport()
            var doomed: [InventoryRecord] = []
            var seen: Set<Endpoint> = []
            for endpoint in endpoints where seen.insert(endpoint).inserted {
                guard let record = try await inventory.record(at: endpoint) else {
                    report.unknown.append(endpoint)
                    continue
                }
                if record.registration.status == .submitting, !force {
                    report.refused.append(record)
                } else {
                    doomed.append(record)
                }
            }
            let question = FindingsTable.render(doomed) + "Forget \(doomed.count) database(s)? [y/N] "
            guard !doomed.isEmpty, confirm(question) else {
                report.declined = doomed.map(\.endpoint)
                return report
            }
            // A record claimed between the read above and its removal is removed all the same: its agent's outcome
            // is then not stored, and DBSS's list keeps the database from being added twice if it is found again.
            for record in doomed {
                if try await inventory.forget(record.endpoint) {
                    report.removed.append(record)
                    logger.info("forgot", metadata: ["endpoint": "\(record.endpoint)"])
                } else {
                    report.unknown.append(record.endpoint)
                }
            }
            return report
        }
    }
}

/// What `dbscout inventory forget` did.
public struct ForgetReport: Sendable {
    /// The records removed, as they were.
    public var removed: [InventoryRecord] = []
    /// `submitting` records left alone (no `--force`).
    public var refused: [InventoryRecord] = []
    /// Endpoints the inventory does not hold.
    public var unknown: [Endpoint] = []
    /// Endpoints kept because the operator did not confirm.
    public var declined: [Endpoint] = []

    public init() {}

    /// 0 when everything named was forgotten, else 1.
    public var exitCode: Int32 { refused.isEmpty && unknown.isEmpty && declined.isEmpty ? 0 : 1 }

    /// What was removed and what was not, and why.
    public func renderText() -> String {
        var text = ""
        for record in removed {
            text += "Forgot \(record.endpoint) (\(record.finding.product.displayName), \(record.registration.label)).\n"
        }
        for record in refused {
            let claim = record.registration.claim.map { " by \($0.owner) until \(InventoryReport.timestamp($0.until))" }
            text +=
                "Not forgotten: \(record.endpoint) is being submitted to DBSS\(claim ?? ""); "
                + "--force forgets it anyway.\n"
        }
        for endpoint in unknown {
            text += "Not in the inventory: \(endpoint).\n"
        }
        if !declined.isEmpty {
            text += "Nothing was forgotten.\n"
        }
        return text
    }
}
