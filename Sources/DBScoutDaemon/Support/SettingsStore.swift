import DBScoutAgent
import Logging

/// The daemon's current settings. SIGHUP reloads them; a new configuration that does not load is refused and the
/// running one kept.
public actor SettingsStore {
    public private(set) var current: AgentSettings
    /// Bumped by every accepted reload, so services can tell when to rebuild what they derived.
    public private(set) var generation = 0
    private let load: @Sendable () throws -> AgentSettings

    /// - Parameter load: reads the settings again from the same sources (config file, environment, flags).
    public init(initial: AgentSettings, load: @escaping @Sendable () throws -> AgentSettings) {
        current = initial
        self.load = load
    }

    /// Loads the settings again; on failure keeps the current ones and rethrows.
    @discardableResult
    public func reload() throws -> AgentSettings {
        let fresh = try load()
        current = fresh
        generation += 1
        return fresh
    }
}
