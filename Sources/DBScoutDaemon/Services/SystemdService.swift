import Logging
import ServiceLifecycle

/// Tells systemd the daemon is ready, pets its watchdog while the daemon runs, and says when it is stopping.
public struct SystemdService: Service {
    let notifier: SystemdNotifier
    let logger: Logger

    public init(notifier: SystemdNotifier = SystemdNotifier(), logger: Logger) {
        self.notifier = notifier
        self.logger = logger
    }

    public func run() async throws {
        notifier.notify("READY=1\nSTATUS=watching")
        if let interval = notifier.watchdogInterval {
            // Twice per interval, as sd_watchdog_enabled(3) advises.
            try? await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    try await Task.sleep(for: interval / 2)
                    notifier.notify("WATCHDOG=1")
                }
            }
        } else {
            try? await gracefulShutdown()
        }
        notifier.notify("STOPPING=1\nSTATUS=draining")
        logger.notice("stopping")
    }
}
