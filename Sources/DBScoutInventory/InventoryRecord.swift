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

/// The registration outcome to store for a claimed record.
public enum SubmissionOutcome: Sendable, Hashable {
    /// Our add request created it; DBSS returned this id.
    case registered(id: String)
    /// DBSS's list already holds the endpoint under this id (registered by hand, or an add whose answer was
    /// lost): recorded as registered without adding.
    case imported(id: String)
    /// DBSS could not be reached or failed transiently: `retrying`, due again at `notBefore`.
    case retryLater(error: String, notBefore: Date)
    /// DBSS rejected the finding (a validation 400): `rejected`, not retried until the finding changes.
    case rejected(error: String)
    /// The add request may or may not have taken effect (timeout, connection dropped after sending): the record
    /// stays `submitting` under the same claim, and must be reconciled against DBSS's list before another add.
    case uncertain(error: String)
    /// Not submitted because something the submission needs is unknown (say, the host OS): back to `pending` with
    /// the reason, no attempt counted.
    case waiting(reason: String)
    /// Claimed but not submitted (the pass stopped early): back to what it was (`pending`, or `retrying` when it
    /// had a next attempt), no attempt counted.
    case released
}

/// The dedupe store: one record per endpoint, whatever the number of scans and agents.
///
/// Every agent sharing an inventory goes through ``claim(_:owner:until:now:replacing:)`` before it sends an add
/// request, so that at most one agent submits a given endpoint at a time, and a crash leaves the row in
/// `submitting` for reconciliation rather than losing it or submitting it twice.
public protocol Inventory: Sendable {
    /// Records a finding: inserts a new endpoint as pending (or not registrable), or refreshes a known one by
    /// ``InventoryRecord/merging(_:into:)`` (a `registered` or `submitting` record keeps its registration).
    @discardableResult
    func record(_ finding: Finding) async throws -> InventoryRecord

    /// Every record, ordered by endpoint.
    func all() async throws -> [InventoryRecord]

    /// How many records are in each registration status (a status with none is absent): counted by the store,
    /// so that the daemon's metrics never read the records themselves.
    func statusCounts() async throws -> [RegistrationStatus: Int]

    /// One page of a listing in endpoint order: at most `limit` records after `endpoint` (from the first when
    /// `nil`) whose status is in `statuses` (any status when empty). ``records(statuses:pageSize:)`` reads the
    /// whole inventory this way, so that a listing never holds more than a page.
    func page(after endpoint: Endpoint?, limit: Int, statuses: Set<RegistrationStatus>) async throws
        -> [InventoryRecord]

    /// The record at `endpoint`, if any.
    func record(at endpoint: Endpoint) async throws -> InventoryRecord?

    /// Records due for submission at `now`: `pending`, and `retrying` whose next attempt is not after `now`.
    func due(now: Date) async throws -> [InventoryRecord]

    /// Records in `submitting`, whoever holds them.
    func inFlight() async throws -> [InventoryRecord]

    /// Atomically moves a record to `submitting` under `owner`'s claim until `until`, counting an attempt.
    ///
    /// Succeeds when the record is due at `now`, when it is `submitting` under a claim that expired before `now`
    /// or that `owner` already holds, or when it is `submitting` under `replacing`'s claim (a takeover from an
    /// agent known to be dead). Returns the claimed record, or `nil` when someone else holds it or it is not due.
    func claim(
        _ endpoint: Endpoint,
        owner: String,
        until: Date,
        now: Date,
        replacing: String?
    ) async throws -> InventoryRecord?

    /// Stores the outcome for a record `owner` holds. Returns `false`, changing nothing, when `owner` no longer
    /// holds the claim (another agent took it over).
    @discardableResult
    func complete(_ endpoint: Endpoint, owner: String, outcome: SubmissionOutcome, now: Date) async throws -> Bool

    /// Puts `rejected` and `retrying` records back to `pending`, due at once and keeping their last error (an
    /// operator's retry); returns how many.
    @discardableResult
    func requeue() async throws -> Int

    /// Removes the record at `endpoint`; returns whether there was one.
    @discardableResult
    func forget(_ endpoint: Endpoint) async throws -> Bool
}
