import DBSSClient
import DBScoutCore
import DBScoutInventory
import Foundation
import Logging

/// Submits due inventory records to DBSS, each exactly once, however many agents share the inventory and
/// whenever one of them dies.
///
/// Each record is claimed in the inventory (`submitting`, written before the request leaves) and checked
/// against DBSS's own list before it is added: an endpoint DBSS already holds (registered by hand, or by an add
/// whose answer was lost) is imported, not added again. A record left `submitting` by an agent that died is taken
/// over once its claim lapses, or at once when its owner was a process on this host that no longer runs.
public struct Registrar: Sendable {
    let client: DBSSClient
    let inventory: any Inventory
    let policy: RegistrationPolicy
    let identity: AgentIdentity
    let logger: Logger
    /// How long a claim holds. Longer than the client's worst case for one add (request timeout times attempts,
    /// plus backoff), so that a live agent's claim never lapses under it.
    let claimLease: Duration
    /// The wait before a record that failed transiently is due again, by attempts made.
    let retrySchedule: RetrySchedule

    public init(
        client: DBSSClient,
        inventory: any Inventory,
        policy: RegistrationPolicy,
        identity: AgentIdentity = .current,
        claimLease: Duration = .seconds(600),
        retrySchedule: RetrySchedule = RetrySchedule(),
        logger: Logger
    ) {
        self.client = client
        self.inventory = inventory
        self.policy = policy
        self.identity = identity
        self.claimLease = claimLease
        self.retrySchedule = retrySchedule
        self.logger = logger
    }

    /// Reconciles orphaned submissions, then submits every due record.
    ///
    /// A 400 marks that record rejected and moves on. A failure that would fail every record alike (DBSS
    /// unreachable after the client's retries, credentials refused, the instance full) stops the pass there;
    /// the rest stay due for the next pass.
    /// - Parameter shouldStop: asked between records (a daemon shutting down): the add in flight finishes, the
    ///   rest stay due.
    public func registerDue(shouldStop: @Sendable () -> Bool = { false }) async throws -> RegistrationSummary {
        var summary = RegistrationSummary()
        let now = Date()
        let orphans = try await inventory.inFlight().filter { identity.mayTakeOver($0.registration.claim, now: now) }
        let due = try await inventory.due(now: now)
        guard !orphans.isEmpty || !due.isEmpty else { return summary }
        // Orphans are claimed before DBSS's list is read, so that an add their dead agent had in flight shows in it.
        var taken: [InventoryRecord] = []
        for orphan in orphans {
            if let claimed = try await claim(orphan.endpoint, replacing: orphan.registration.claim?.owner) {
                taken.append(claimed)
            }
        }
        var pass = RegistrationPass(registrar: self)
        do {
            try await pass.loadRegistered()
        } catch let error as DBSSError {
            for record in taken { try await complete(record.endpoint, .uncertain(error: error.description)) }
            summary.note(stoppedBy: error)
            logger.error("registration stopped before any submission", metadata: ["error": "\(error)"])
            return summary
        }
        // Orphans left unsubmitted by a stop stay `submitting` under this agent's claim, still to be reconciled.
        for record in taken {
            if try await pass.submit(record, into: &summary) == .stop { return summary }
        }
        for record in due {
            if shouldStop() { break }
            guard let claimed = try await claim(record.endpoint, replacing: nil) else { continue }
            if try await pass.submit(claimed, into: &summary) == .stop { break }
        }
        return summary
    }

    private func claim(_ endpoint: Endpoint, replacing: String?) async throws -> InventoryRecord? {
        let now = Date()
        return try await inventory.claim(
            endpoint,
            owner: identity.owner,
            until: now.addingTimeInterval(claimLease.timeInterval),
            now: now,
            replacing: replacing
        )
    }

    @discardableResult
    func complete(_ endpoint: Endpoint, _ outcome: SubmissionOutcome) async throws -> Bool {
        let stored = try await inventory.complete(endpoint, owner: identity.owner, outcome: outcome, now: Date())
        if !stored {
            logger.warning(
                "another agent took this database over; its outcome here was not stored",
                metadata: ["endpoint": "\(endpoint)"]
            )
        }
        return stored
    }
}

/// What one registration pass did.
public struct RegistrationSummary: Sendable, Hashable {
    public var registered = 0
    /// Found already registered in DBSS (by hand, or by an add whose answer was lost) and recorded as such.
    public var imported = 0
    public var rejected = 0
    /// Submissions that failed transiently and are due again later.
    public var deferred = 0
    /// Adds whose outcome is unknown and that DBSS's list does not show yet: held for reconciliation.
    public var uncertain = 0
    /// Findings held back because something the submission needs is unknown.
    public var waiting = 0
    /// The error that stopped the pass early, if any.
    public var stoppedBy: String?

    public init() {}

    /// Whether everything that was due went through.
    public var isClean: Bool { rejected == 0 && deferred == 0 && uncertain == 0 && stoppedBy == nil }

    mutating func note(stoppedBy error: DBSSError) {
        stoppedBy =
            error.action == .stopInstanceFull
            ? "the DBSS audit instance is full: \(error). Add capacity, then run `dbscout register`" : "\(error)"
    }
}
