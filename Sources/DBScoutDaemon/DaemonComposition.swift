import DBScoutAgent
import DBScoutInventory
import Logging
import ServiceLifecycle
import UnixSignals

/// The daemon's services and how the group runs them: which may end on their own (a passive capture that
/// cannot start), and how long a drain may take.
public struct DaemonComposition: Sendable {
    /// The longest a SIGTERM drain takes before what is left is cancelled; below systemd's TimeoutStopSec.
    public static let drainLimit: Duration = .seconds(30)

    let settings: AgentSettings
    let store: SettingsStore
    let inventory: any Inventory
    let logger: Logger
    public let metrics = DaemonMetrics()

    public init(settings: AgentSettings, store: SettingsStore, inventory: any Inventory, logger: Logger) {
        self.settings = settings
        self.store = store
        self.inventory = inventory
        self.logger = logger
    }

    public func configuration() -> ServiceGroupConfiguration {
        let trigger = RegistrationTrigger()
        let sink = FindingSink(inventory: inventory, metrics: metrics, registration: trigger, logger: logger)
        let daemon = settings.daemon
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(
                service: MetricsServer(
                    host: daemon.metricsHost,
                    port: daemon.metricsPort,
                    metrics: metrics,
                    logger: logger
                )
            ),
            .init(service: ReloadService(settings: store, metrics: metrics, logger: logger)),
            .init(
                service: RegistrationService(
                    settings: store,
                    inventory: inventory,
                    trigger: trigger,
                    metrics: metrics,
                    logger: logger
                )
            ),
            .init(
                service: ScanService(
                    settings: store,
                    inventory: inventory,
                    metrics: metrics,
                    trigger: trigger,
                    logger: logger
                )
            ),
        ]
        for interface in daemon.interfaces {
            services.append(
                .init(
                    service: PassiveService(
                        interface: interface,
                        filter: daemon.filter,
                        sink: sink,
                        metrics: metrics,
                        logger: logger
                    ),
                    successTerminationBehavior: .ignore,
                    failureTerminationBehavior: .ignore
                )
            )
        }
        services.append(
            .init(service: LocalDiscoveryService(settings: store, sink: sink, metrics: metrics, logger: logger))
        )
        services.append(.init(service: SystemdService(logger: logger)))
        var configuration = ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        configuration.maximumGracefulShutdownDuration = Self.drainLimit
        configuration.maximumCancellationDuration = .seconds(5)
        return configuration
    }
}
