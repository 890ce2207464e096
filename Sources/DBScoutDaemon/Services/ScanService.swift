import DBScoutAgent
import DBScoutCore
import DBScoutInventory
import DBScoutScanner
import Foundation
import Logging
import ServiceLifecycle

/// Scans the configured scope every interval, plus or minus the jitter; a scan never overlaps the next. Findings
/// are recorded as they come and registered by the ``RegistrationService``.
public struct ScanService: Service {
    let settings: SettingsStore
    let inventory: any Inventory
    let metrics: DaemonMetrics
    let trigger: RegistrationTrigger
    let logger: Logger

    public init(
        settings: SettingsStore,
        inventory: any Inventory,
        metrics: DaemonMetrics,
        trigger: RegistrationTrigger,
        logger: Logger
    ) {
        self.settings = settings
        self.inventory = inventory
        self.metrics = metrics
        self.trigger = trigger
        self.logger = logger
    }

    public func run() async throws {
        // Shutdown cancels the scan in progress (its findings are already recorded) or the wait for the next.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let current = await settings.current
                await scan(current)
                try await Task.sleep(for: Self.wait(current.daemon))
            }
        }
    }

    private func scan(_ current: AgentSettings) async {
        guard !current.targets.isEmpty else {
            logger.debug("no scan targets configured; only passive and local discovery run")
            return
        }
        // Registration belongs to the registration service alone, so the scan job gets no DBSS settings.
        var scanning = current
        scanning.dbss = nil
        metrics.scanStarted()
        let started = ContinuousClock.now
        do {
            let report = try await ScanJob(settings: scanning, dryRun: false, logger: logger)
                .run(recordingInto: inventory)
            metrics.scanFinished(
                endpoints: report.progress.done,
                seconds: (ContinuousClock.now - started).secondsValue,
                at: Date().timeIntervalSince1970
            )
            for record in report.records { metrics.found(record.finding, source: "scan") }
            logger.notice(
                "scan finished",
                metadata: [
                    "endpoints": "\(report.progress.done)", "identified": "\(report.progress.identified)",
                    "seconds": "\(String(format: "%.1f", (ContinuousClock.now - started).secondsValue))",
                ]
            )
            if !report.records.isEmpty { trigger.poke() }
        } catch {
            metrics.scanFinished(endpoints: 0, seconds: 0, at: Date().timeIntervalSince1970)
            logger.error("scan failed", metadata: ["error": "\(error)"])
        }
    }

    /// The interval, moved by a random amount within the jitter.
    static func wait(_ daemon: DaemonSettings) -> Duration {
        let jitter = daemon.jitter.secondsValue
        let offset = jitter > 0 ? Double.random(in: -jitter...jitter) : 0
        return .milliseconds(Int64(max(0.001, daemon.interval.secondsValue + offset) * 1000))
    }
}
