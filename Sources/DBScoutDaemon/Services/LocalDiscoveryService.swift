import DBScoutAgent
import DBScoutCore
import DBScoutLocal
import DBScoutScanner
import Logging
import ServiceLifecycle
import Synchronization

/// Every interval, this host's listening sockets are mapped to their processes; each database server among them is
/// probed on its socket for the exact version. A server the probes cannot identify is still recorded, from its
/// process.
public struct LocalDiscoveryService: Service {
    let settings: SettingsStore
    let sink: FindingSink
    let metrics: DaemonMetrics
    let logger: Logger
    let procRoot: String
    private let warnedAboutUnmapped = SendableFlag()

    public init(
        settings: SettingsStore,
        sink: FindingSink,
        metrics: DaemonMetrics,
        logger: Logger,
        procRoot: String = "/proc"
    ) {
        self.settings = settings
        self.sink = sink
        self.metrics = metrics
        self.logger = logger
        self.procRoot = procRoot
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let current = await settings.current
                if current.daemon.localDiscovery { await discover(current) }
                try await Task.sleep(for: ScanService.wait(current.daemon))
            }
        }
    }

    private func discover(_ current: AgentSettings) async {
        let listeners: [LocalListener]
        do {
            listeners = try LocalListeners.scan(procRoot: procRoot)
        } catch {
            logger.error("local discovery failed", metadata: ["error": "\(error)"])
            return
        }
        let databases = listeners.filter { $0.product != nil }
        metrics.localDiscovery(listeners: listeners.count, databases: databases.count)
        let unmapped = listeners.filter { $0.pid == nil }.count
        if unmapped > 0, !warnedAboutUnmapped.setOnce() {
            logger.warning(
                """
                some listening sockets could not be mapped to their processes; local discovery needs root, or \
                CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH, to see other users' processes
                """,
                metadata: ["unmapped": "\(unmapped)", "listeners": "\(listeners.count)"]
            )
        }
        let byEndpoint = Dictionary(databases.map { ($0.probeEndpoint, $0) }) { first, _ in first }
        let scanner = Scanner(options: current.scan, logger: logger)
        await scanner.scan(Array(byEndpoint.keys), total: byEndpoint.count) { endpoint, outcome, _ in
            guard let listener = byEndpoint[endpoint], let product = listener.product else { return }
            await sink.record(Self.finding(listener, product, outcome), source: "local")
        }
    }

    /// The probe's finding with the process as evidence; the process alone when the probe found nothing.
    static func finding(_ listener: LocalListener, _ product: DatabaseProduct, _ outcome: EndpointOutcome) -> Finding {
        var finding: Finding
        if case .identified(let probed) = outcome {
            finding = probed
        } else {
            finding = Finding(endpoint: listener.probeEndpoint, product: product)
            finding.evidence.append(Evidence("local.probe", "the socket did not answer a database handshake"))
        }
        finding.evidence.append(
            Evidence(
                "local.process",
                "pid \(listener.pid.map(String.init) ?? "?") \(listener.command ?? "?")"
                    + (listener.executable.map { " (\($0))" } ?? "")
            )
        )
        if let reason = listener.reason { finding.evidence.append(Evidence("local.process.reason", reason)) }
        return finding
    }
}

/// A flag services share across their copies, set once.
final class SendableFlag: Sendable {
    private let value = Atomic<Bool>(false)

    /// Sets the flag; returns whether it was set already.
    func setOnce() -> Bool { value.exchange(true, ordering: .relaxed) }
}
