/// One fact a finding rests on, so an operator can see why dbscout concluded what it did.
public struct Evidence: Hashable, Sendable, Codable {
    /// Where the fact comes from, e.g. `mysql.greeting.server_version` or `postgres.error.F`.
    public let fact: String
    /// The value as observed (text, or a number in the notation the protocol uses).
    public let value: String

    public init(_ fact: String, _ value: String) {
        self.fact = fact
        self.value = value
    }
}
