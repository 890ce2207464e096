/// What became of a finding in DBSS.
public enum RegistrationStatus: String, Hashable, Sendable, Codable, CaseIterable {
    /// Registrable and not yet registered: the next run (or the registrar) submits it.
    case pending
    /// DBSS accepted it; the record holds DBSS's id.
    case registered
    /// DBSS rejected it for good (e.g. a 400); the record holds the error. Not retried until the finding changes.
    case failed
    /// DBSS has no `type` for this product (e.g. Redis): kept in the inventory, never submitted.
    case notRegistrable = "not_registrable"
}

/// The registration side of an inventory record.
public struct RegistrationState: Hashable, Sendable, Codable {
    public var status: RegistrationStatus
    /// DBSS's database id once registered.
    public var id: String?
    /// The last error, for `failed` and for `pending` records whose last attempt failed.
    public var lastError: String?
    /// How many submissions were attempted.
    public var attempts: Int

    public init(status: RegistrationStatus, id: String? = nil, lastError: String? = nil, attempts: Int = 0) {
        self.status = status
        self.id = id
        self.lastError = lastError
        self.attempts = attempts
    }
}
