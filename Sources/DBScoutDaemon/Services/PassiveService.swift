import DBScoutAgent
import DBScoutCapture
import Logging
import ServiceLifecycle

/// Watches one interface for database handshakes for as long as the daemon runs. A capture that cannot start
/// (no CAP_NET_RAW, no such interface) is logged and shown in the metrics; the rest of the daemon goes on.
public struct PassiveService: Service {
    let interface: String
    let filter: String?
    let sink: FindingSink
    let metrics: DaemonMetrics
    let logger: Logger

    public init(interface: String, filter: String?, sink: FindingSink, metrics: DaemonMetrics, logger: Logger) {
        self.interface = interface
        self.filter = filter
        self.sink = sink
        self.metrics = metrics
        self.logger = logger
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                for try await event in PassiveReader.events(.interface(interface), filter: filter, duration: nil) {
                    switch event {
                    case .opened:
                        metrics.passive(interface, up: true)
                        logger.notice("watching", metadata: ["interface": "\(interface)"])
                    case .finding(let finding):
                        await sink.record(finding, source: "passive")
                    case .finished(let stats):
                        if let capture = stats.capture, capture.dropped > 0 {
                            logger.warning(
                                "packets dropped",
                                metadata: ["interface": "\(interface)", "dropped": "\(capture.dropped)"]
                            )
                        }
                    }
                }
            }
        } catch is CancellationError {
        } catch {
            logger.error("passive capture stopped", metadata: ["interface": "\(interface)", "error": "\(error)"])
        }
        metrics.passive(interface, up: false)
    }
}
