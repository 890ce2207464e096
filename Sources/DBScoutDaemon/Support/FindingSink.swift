import DBScoutCore
import DBScoutInventory
import Logging
import Synchronization

/// Where every service's findings go: into the inventory at once, counted, and the registrar told.
public struct FindingSink: Sendable {
    let inventory: any Inventory
    let metrics: DaemonMetrics
    let registration: RegistrationTrigger
    let logger: Logger

    public init(inventory: any Inventory, metrics: DaemonMetrics, registration: RegistrationTrigger, logger: Logger) {
        self.inventory = inventory
        self.metrics = metrics
        self.registration = registration
        self.logger = logger
    }

    /// Records one finding made by `source` (`scan`, `passive` or `local`).
    func record(_ finding: Finding, source: String) async {
        do {
            let record = try await inventory.record(finding)
            metrics.found(finding, source: source)
            logger.info(
                "found",
                metadata: [
                    "endpoint": "\(finding.endpoint)", "product": "\(finding.product.rawValue)",
                    "version": "\(finding.version ?? "unknown")", "source": "\(source)",
                    "status": "\(record.registration.status.rawValue)",
                ]
            )
            if record.registration.status == .pending { registration.poke() }
        } catch {
            logger.error("cannot record a finding", metadata: ["endpoint": "\(finding.endpoint)", "error": "\(error)"])
        }
    }
}

/// Wakes the registration service; pokes made while it is busy fold into one.
public final class RegistrationTrigger: Sendable {
    private let pending = Atomic<Bool>(false)

    public init() {}

    public func poke() { pending.store(true, ordering: .releasing) }

    /// Whether a poke came since the last call, which clears it.
    func take() -> Bool { pending.exchange(false, ordering: .acquiringAndReleasing) }
}
