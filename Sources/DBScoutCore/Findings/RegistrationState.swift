import Foundation

/// What became of a finding in DBSS.
///
/// The states form the exactly-once machine: `pending` → `submitting` (written, with a claim, before the add
/// request leaves) → `registered` | `rejected` | `retrying`. A row left in `submitting` by an agent that died is
/// reconciled against DBSS's own list before anything is added again.
public enum RegistrationStatus: String, Hashable, Sendable, Codable, CaseIterable {
    /// Registrable and not yet registered: the next registration pass submits it.
    case pending
    /// An agent holds a claim on it and may have sent the add request; the outcome is not stored yet.
    case submitting
    /// DBSS has it; the record holds DBSS's id.
    case registered
    /// The last attempt failed transiently; it is due again at ``RegistrationState/nextAttempt``.
    case retrying
    /// DBSS rejected it (a validation 400); the record holds the error. Not retried until the finding changes
    /// or an operator asks.
    case rejected
    /// DBSS has no `type` for this product (e.g. Redis): kept in the inventory, never submitted.
    case notRegistrable = "not_registrable"
}

/// Who holds a record in `submitting`, and until when the hold counts.
public struct RegistrationClaim: Hashable, Sendable, Codable {
    /// The agent's identity, `host/pid/nonce`.
    public var owner: String
    /// After this instant another agent may take the record over (and must reconcile before adding).
    public var until: Date

    public init(owner: String, until: Date) {
        self.owner = owner
        self.until = until
    }
}

/// How a registered record came to be registered.
public enum RegistrationOrigin: String, Hashable, Sendable, Codable {
    /// This inventory's add request created it.
    case added
    /// DBSS's list already held the endpoint (registered by hand, or an add whose answer was lost).
    case imported
}

/// The registration side of an inventory record.
public struct RegistrationState: Hashable, Sendable, Codable {
    public var status: RegistrationStatus
    /// DBSS's database id once registered.
    public var id: String?
    /// The last error, for `rejected` and `retrying` records, or why a `pending` one waits.
    public var lastError: String?
    /// How many submissions were attempted.
    public var attempts: Int
    /// The claim of the agent submitting it, while `submitting`.
    public var claim: RegistrationClaim?
    /// When a `retrying` record is due again.
    public var nextAttempt: Date?
    /// Whether a `registered` record was added by us or imported from DBSS's list.
    public var origin: RegistrationOrigin?

    public init(
        status: RegistrationStatus,
        id: String? = nil,
        lastError: String? = nil,
        attempts: Int = 0,
        claim: RegistrationClaim? = nil,
        nextAttempt: Date? = nil,
        origin: RegistrationOrigin? = nil
    ) {
        self.status = status
        self.id = id
        self.lastError = lastError
        self.attempts = attempts
        self.claim = claim
        self.nextAttempt = nextAttempt
        self.origin = origin
    }
}
