import DBScoutCore
import Foundation

/// One row of the inventory: the latest finding at an endpoint, when it was seen, and what became of it.
public struct InventoryRecord: Sendable, Hashable {
    public var finding: Finding
    public var firstSeen: Date
    public var lastSeen: Date
    public var registration: RegistrationState

    public init(finding: Finding, firstSeen: Date, lastSeen: Date, registration: RegistrationState) {
        self.finding = finding
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.registration = registration
    }

    public var endpoint: Endpoint { finding.endpoint }
}

/// The registration outcome to record after a submission.
public enum SubmissionOutcome: Sendable, Hashable {
    /// DBSS accepted the finding and returned this id.
    case registered(id: String)
    /// DBSS could not be reached or failed transiently; try again next run.
    case retryLater(error: String)
    /// DBSS rejected the finding; do not retry until the finding changes.
    case rejected(error: String)
    /// Not submitted: something the submission needs is unknown (say, the host OS); the record stays pending
    /// with the reason, and no attempt is counted.
    case waiting(reason: String)
}

/// The dedupe store: one record per endpoint, whatever the number of scans and agents.
public protocol Inventory: Sendable {
    /// Records a finding: inserts a new endpoint as pending (or not registrable), or refreshes a known one.
    @discardableResult
    func record(_ finding: Finding) async throws -> InventoryRecord

    /// Every record, ordered by endpoint.
    func all() async throws -> [InventoryRecord]

    /// Records that should be submitted to DBSS now.
    func pending() async throws -> [InventoryRecord]

    /// Stores the outcome of a submission attempt.
    func recordSubmission(_ outcome: SubmissionOutcome, for endpoint: Endpoint) async throws
}
