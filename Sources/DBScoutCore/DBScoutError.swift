/// An error raised by dbscout's own code, identified by a stable ``Code`` and carrying context for a person.
///
/// Errors compare by code only, so callers can match on the kind of failure while the message stays free to
/// name the offending input.
public struct DBScoutError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure; stable across releases and suitable for scripts.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's short name, e.g. `invalid-target`.
        public let name: String

        private init(_ name: String) { self.name = name }

        public var description: String { name }

        /// A target (address, CIDR, range or hostname) could not be parsed or resolved.
        public static let invalidTarget = Code("invalid-target")
        /// A port list could not be parsed.
        public static let invalidPorts = Code("invalid-ports")
        /// The scan scope breaks a safety rule (too large, public addresses without consent).
        public static let unsafeScope = Code("unsafe-scope")
        /// The settings are incomplete or contradictory.
        public static let invalidConfiguration = Code("invalid-configuration")
        /// The inventory store failed.
        public static let inventory = Code("inventory")
        /// A capture file or interface cannot be read, or a capture filter is invalid.
        public static let invalidCapture = Code("invalid-capture")
        /// This host cannot give the process what it needs to run (open files, say).
        public static let hostResources = Code("host-resources")
    }

    /// The kind of failure.
    public let code: Code
    /// What went wrong, naming the input at fault. Never contains a secret.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    public static func == (lhs: DBScoutError, rhs: DBScoutError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
