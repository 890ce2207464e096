/// A credential that must never reach a log line, an error message or a process listing.
///
/// Every textual form of a secret is `<redacted>`; only ``reveal()`` gives the value, at the point where it
/// goes on the wire.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    private let value: String

    public init(_ value: String) { self.value = value }

    /// The secret's value, for the one place that sends it.
    public func reveal() -> String { value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}
