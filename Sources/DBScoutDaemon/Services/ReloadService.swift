import DBScoutAgent
import Logging
import ServiceLifecycle
import UnixSignals

/// SIGHUP reloads the configuration. A new configuration that does not load is refused, with the reason, and the
/// running one stays.
public struct ReloadService: Service {
    let settings: SettingsStore
    let metrics: DaemonMetrics
    let logger: Logger

    public init(settings: SettingsStore, metrics: DaemonMetrics, logger: Logger) {
        self.settings = settings
        self.metrics = metrics
        self.logger = logger
    }

    public func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            for await _ in signals {
                do {
                    let fresh = try await settings.reload()
                    metrics.reloaded("ok")
                    logger.notice(
                        "configuration reloaded",
                        metadata: [
                            "targets": "\(fresh.targets.joined(separator: ","))", "ports": "\(fresh.ports)",
                            "interval": "\(fresh.daemon.interval)",
                        ]
                    )
                } catch {
                    metrics.reloaded("refused")
                    logger.error(
                        "configuration reload refused; the running configuration stays",
                        metadata: ["error": "\(error)"]
                    )
                }
            }
        }
    }
}
