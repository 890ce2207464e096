/// An error from local discovery, identified by a stable ``Code``.
///
/// Errors compare by code only, so callers can match on the kind of failure while the message names the path.
public struct LocalDiscoveryError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure; stable across releases and suitable for scripts.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's short name, e.g. `proc-unavailable`.
        public let name: String

        private init(_ name: String) { self.name = name }

        public var description: String { name }

        /// The proc file system is not mounted at the given root, or has no TCP table (not Linux, or a container
        /// without /proc).
        public static let procUnavailable = Code("proc-unavailable")
        /// A TCP table exists but could not be read.
        public static let unreadableTable = Code("unreadable-table")
    }

    /// The kind of failure.
    public let code: Code
    /// What went wrong, naming the path at fault.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    public static func == (lhs: LocalDiscoveryError, rhs: LocalDiscoveryError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
