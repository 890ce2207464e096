import DBSSClient
import DBScoutCore
import DBScoutInventory
import DBScoutScanner
import Foundation

/// What a scan found and what became of it.
public struct ScanReport: Sendable {
    /// This run's findings, with their inventory and registration state, ordered by endpoint.
    public var records: [InventoryRecord]
    /// Open ports where no probe recognised a database, for the operator to look at.
    public var unidentified: [Endpoint]
    public var progress: ScanProgress
    public var startedAt: Date
    public var duration: Duration
    /// The scope as scanned, for the record.
    public var targets: [String]
    public var ports: PortSet
    public var registration: RegistrationReport
    /// For a passive run: what was read.
    public var passive: PassiveSummary? = nil
    /// Why endpoints went unprobed (`progress.unprobed` of them), when any did.
    public var unprobedReason: String? = nil

    /// 0 when everything due was done, 1 when endpoints went unprobed or registrations failed or were deferred.
    public var exitCode: Int32 {
        if progress.unprobed > 0 { return 1 }
        if case .submitted(let summary) = registration, !summary.isClean { return 1 }
        if passive?.errors.isEmpty == false { return 1 }
        return 0
    }
}

/// What the registration step did.
public enum RegistrationReport: Sendable {
    /// No DBSS settings: findings are reported and kept, nothing is submitted.
    case notConfigured
    /// `--dry-run`: the requests that would have been sent, in order.
    case dryRun([PlannedRequest])
    case submitted(RegistrationSummary)
}

/// A request a dry run would have sent.
public struct PlannedRequest: Sendable, Hashable {
    public var method: String
    public var path: String
    public var body: DBSSDatabase
}
