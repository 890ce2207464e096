import DBSSClient
import DBScoutAgent
import DBScoutCore
import DBScoutInventory
import Foundation
import Logging
import ServiceLifecycle

/// Registers what the other services record: a pass when poked (debounced), and at least every `period` for
/// records whose retry is due. One pass at a time, so the daemon never races itself for a claim. On shutdown the
/// add in flight finishes and the rest stay due.
public struct RegistrationService: Service {
    let settings: SettingsStore
    let inventory: any Inventory
    let trigger: RegistrationTrigger
    let metrics: DaemonMetrics
    let logger: Logger
    let period: Duration
    let debounce: Duration

    public init(
        settings: SettingsStore,
        inventory: any Inventory,
        trigger: RegistrationTrigger,
        metrics: DaemonMetrics,
        logger: Logger,
        period: Duration = .seconds(60),
        debounce: Duration = .milliseconds(500)
    ) {
        self.settings = settings
        self.inventory = inventory
        self.trigger = trigger
        self.metrics = metrics
        self.logger = logger
        self.period = period
        self.debounce = debounce
    }

    public func run() async throws {
        await countInventory()
        while !Task.isShuttingDownGracefully {
            let (current, generation) = await (settings.current, settings.generation)
            guard let dbss = current.dbss else {
                logger.notice("registration is not configured (no DBSS settings): findings are only recorded")
                while !Task.isShuttingDownGracefully, await settings.generation == generation {
                    await waitForWork()
                    await countInventory()
                }
                continue
            }
            try await DBSSClient.withClient(configuration: dbss, logger: logger) { client in
                // One client while the settings stand, so an IAM token is cached between passes.
                while !Task.isShuttingDownGracefully, await settings.generation == generation {
                    await pass(
                        Registrar(client: client, inventory: inventory, policy: current.registration, logger: logger)
                    )
                    await waitForWork()
                }
            }
        }
    }

    private func pass(_ registrar: Registrar) async {
        do {
            let summary = try await registrar.registerDue(shouldStop: { Task.isShuttingDownGracefully })
            metrics.registered(summary)
            if let stopped = summary.stoppedBy {
                logger.warning("registration pass stopped", metadata: ["reason": "\(stopped)"])
            }
        } catch {
            logger.error("registration pass failed", metadata: ["error": "\(error)"])
        }
        await countInventory()
    }

    /// Until poked, the period ends or shutdown begins, looking every `debounce`: a burst of findings makes one
    /// pass.
    private func waitForWork() async {
        let end = ContinuousClock.now + period
        while ContinuousClock.now < end, !Task.isShuttingDownGracefully, !Task.isCancelled {
            try? await Task.sleep(for: debounce)
            if trigger.take() { return }
        }
    }

    private func countInventory() async {
        guard let counts = try? await inventory.statusCounts() else { return }
        metrics.inventory(Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) }))
    }
}
