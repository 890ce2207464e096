/// An error raised by the emulator itself (not an HTTP error it answers with).
public struct DBSSEmulatorError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is; a struct over a private enum so new codes can be added later.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidConfiguration
            case bindFailed
            case invalidFile
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// A configuration value is out of range (port, limits, empty IDs, non-loopback host).
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The listening socket could not be opened (address in use, bad host).
        public static let bindFailed = Code(.bindFailed)
        /// A token or IAM user file is missing, unreadable or malformed.
        public static let invalidFile = Code(.invalidFile)

        /// The code's name.
        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// A human-readable explanation; never contains a token or password.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}
