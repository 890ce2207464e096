import DBScoutCore
import Foundation

// The exactly-once state machine as pure functions of a record. Every store reads a record inside its own
// transaction (locking it), applies one of these, and writes the result back, so the rules exist once.

extension InventoryRecord {
    /// The record after `finding` is seen: new endpoints start pending (or not registrable); a rejected record is
    /// retried once what would be submitted changes; registered and submitting records are never disturbed.
    public static func merging(_ finding: Finding, into existing: InventoryRecord?) -> InventoryRecord {
        let registrable = finding.dbssType != nil
        guard var record = existing else {
            return InventoryRecord(
                finding: finding,
                firstSeen: finding.observedAt,
                lastSeen: finding.observedAt,
                registration: RegistrationState(status: registrable ? .pending : .notRegistrable)
            )
        }
        let changed = record.finding.submissionKey != finding.submissionKey
        record.finding = finding
        record.lastSeen = finding.observedAt
        switch record.registration.status {
        case .pending where !registrable, .retrying where !registrable, .rejected where !registrable:
            record.registration = RegistrationState(status: .notRegistrable, attempts: record.registration.attempts)
        case .notRegistrable where registrable, .rejected where changed:
            record.registration = RegistrationState(status: .pending, attempts: record.registration.attempts)
        default:
            break
        }
        return record
    }

    /// Whether the record waits for a submission at `now`: `pending`, or `retrying` and no longer held back.
    public func isDue(at now: Date) -> Bool {
        switch registration.status {
        case .pending: true
        case .retrying: (registration.nextAttempt ?? now) <= now
        default: false
        }
    }

    /// The record under `owner`'s claim, one attempt more; `nil` when it cannot be claimed (see
    /// ``Inventory/claim(_:owner:until:now:replacing:)``).
    func claimed(by owner: String, until: Date, now: Date, replacing: String?) -> InventoryRecord? {
        guard isDue(at: now) || isClaimable(by: owner, now: now, replacing: replacing) else { return nil }
        var record = self
        record.registration.status = .submitting
        record.registration.claim = RegistrationClaim(owner: owner, until: until)
        record.registration.attempts += 1
        return record
    }

    /// A `submitting` record may be taken when nobody holds it any more, or when the holder is `owner` itself
    /// or the dead agent `replacing` names.
    private func isClaimable(by owner: String, now: Date, replacing: String?) -> Bool {
        guard registration.status == .submitting else { return false }
        guard let claim = registration.claim else { return true }
        return claim.until < now || claim.owner == owner || claim.owner == replacing
    }

    /// The record once `outcome` is stored; `nil` when `owner` does not hold it.
    func completed(by owner: String, outcome: SubmissionOutcome) -> InventoryRecord? {
        guard registration.status == .submitting, registration.claim?.owner == owner else { return nil }
        var state = registration
        switch outcome {
        case .registered(let id):
            state = RegistrationState(status: .registered, id: id, attempts: state.attempts, origin: .added)
        case .imported(let id):
            state = RegistrationState(status: .registered, id: id, attempts: state.attempts, origin: .imported)
        case .retryLater(let error, let notBefore):
            state = RegistrationState(
                status: .retrying,
                lastError: error,
                attempts: state.attempts,
                nextAttempt: notBefore
            )
        case .rejected(let error):
            state = RegistrationState(status: .rejected, lastError: error, attempts: state.attempts)
        case .uncertain(let error):
            state.lastError = error
        case .waiting(let reason):
            // Nothing was sent, so the claim's attempt is taken back.
            state = RegistrationState(status: .pending, lastError: reason, attempts: state.attempts - 1)
        case .released:
            state.status = state.nextAttempt == nil ? .pending : .retrying
            state.claim = nil
            state.attempts -= 1
        }
        var record = self
        record.registration = state
        return record
    }

    /// The record after an operator's retry: `rejected` and `retrying` are due at once; others are unchanged
    /// (`nil`).
    func requeued() -> InventoryRecord? {
        guard InventoryRecord.requeueable.contains(registration.status) else { return nil }
        var record = self
        record.registration.status = .pending
        record.registration.nextAttempt = nil
        return record
    }

    /// The statuses ``requeued()`` acts on, for stores to select by.
    static let requeueable: [RegistrationStatus] = [.rejected, .retrying]

    /// The statuses ``isDue(at:)`` can hold for, for stores to select by.
    static let dueCandidates: [RegistrationStatus] = [.pending, .retrying]
}

extension Finding {
    /// The fields that go into a DBSS submission; a change in them makes a rejected finding worth another try.
    var submissionKey: [String?] {
        [product.rawValue, dbssType?.rawValue, version, charset?.rawValue, os?.rawValue]
    }
}
