import DBSSClient
import DBScoutCore
import DBScoutScanner
import Foundation
import Logging

/// Everything a run needs, resolved from the config file, the environment and the command line
/// (in rising order of precedence).
public struct AgentSettings: Sendable {
    public var targets: [String]
    public var exclude: [String]
    public var ports: PortSet
    public var allowPublic: Bool
    public var allowLargeScope: Bool
    public var scan: ScanOptions
    public var stateDirectory: URL
    /// Where the inventory lives.
    public var store: StoreSettings
    /// `nil` when no DBSS settings were given at all: findings are reported and kept, not submitted.
    public var dbss: DBSSConfiguration?
    public var registration: RegistrationPolicy
    public var logLevel: Logger.Level
    /// How `dbscout daemon` runs (ignored by the one-shot commands).
    public var daemon: DaemonSettings = DaemonSettings()
    /// Things the operator should fix that do not stop the run (say, a secret file others can read).
    public var warnings: [String] = []
}

/// Where the inventory lives.
public enum StoreSettings: Sendable {
    /// The embedded SQLite file in this directory.
    case sqlite(directory: URL)
    /// A PostgreSQL database that a fleet of agents shares; the password is kept apart from the URL.
    case postgres(url: String, password: Secret?)
}

/// How findings become DBSS submissions where the handshake leaves a field unknown.
public struct RegistrationPolicy: Sendable, Hashable {
    /// The `os` sent when no handshake revealed the host OS.
    public var defaultOS: HostOS
    /// The `charset` sent when the server's character set is unknown or has no DBSS equivalent; DBSS's
    /// own default is UTF8.
    public var defaultCharset: DBSSCharset
    /// The `version` sent when the server hid its version (e.g. it refused the scanning host).
    public var unknownVersion: String
    /// Corrections for particular findings, applied in order (a later one wins).
    public var overrides: [RegistrationOverride]
    /// Whether a finding whose host OS is unknown is registered with ``defaultOS``; by default it waits in the
    /// inventory, visibly, until its OS is known or an override gives it.
    public var registerUnknownOS: Bool

    public init(
        defaultOS: HostOS = .linux64,
        defaultCharset: DBSSCharset = .utf8,
        unknownVersion: String = "unknown",
        overrides: [RegistrationOverride] = [],
        registerUnknownOS: Bool = false
    ) {
        self.defaultOS = defaultOS
        self.defaultCharset = defaultCharset
        self.unknownVersion = unknownVersion
        self.overrides = overrides
        self.registerUnknownOS = registerUnknownOS
    }
}

/// Values given on the command line; `nil` means "not given", so lower layers apply.
public struct SettingsOverrides: Sendable {
    public var configPath: String?
    public var targets: [String] = []
    public var exclude: [String] = []
    public var ports: String?
    public var allowPublic = false
    public var allowLargeScope = false
    public var concurrency: Int?
    public var maxPerHost: Int?
    public var maxRate: Int?
    public var connectTimeoutMs: Int?
    public var readTimeoutMs: Int?
    public var stateDirectory: String?
    public var dbssEndpoint: String?
    public var dbssProjectID: String?
    public var dbssInstanceID: String?
    public var dbssAPIVersion: String?
    public var dbssTokenFile: String?
    public var dbssAuth: String?
    public var store: String?
    public var logLevel: String?
    public var daemonInterval: String?
    public var daemonInterfaces: [String] = []
    public var metricsListen: String?
    public var localDiscovery: Bool?
    public var logFormat: String?

    public init() {}
}
