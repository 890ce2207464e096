import DBScoutAgent
import DBScoutCore
import Foundation
import Synchronization

/// What the daemon has done, for the Prometheus endpoint. Every service updates it; a scrape renders it.
public final class DaemonMetrics: Sendable {
    private struct State {
        var scans = 0
        var scanRunning = false
        var lastScanEndpoints = 0
        var lastScanSeconds = 0.0
        var lastScanFinished = 0.0
        var findings: [Labels: Int] = [:]
        var registration: [String: Int] = [:]
        var registrationPasses = 0
        var inventory: [String: Int] = [:]
        var localListeners = 0
        var localDatabases = 0
        var passiveUp: [String: Bool] = [:]
        var reloads: [String: Int] = [:]
    }

    private struct Labels: Hashable {
        let source: String
        let product: String
    }

    private let state = Mutex(State())
    private let started = ContinuousClock.now

    public init() {}

    func scanStarted() { state.withLock { $0.scanRunning = true } }

    func scanFinished(endpoints: Int, seconds: Double, at now: Double) {
        state.withLock {
            $0.scans += 1
            $0.scanRunning = false
            $0.lastScanEndpoints = endpoints
            $0.lastScanSeconds = seconds
            $0.lastScanFinished = now
        }
    }

    func found(_ finding: Finding, source: String) {
        state.withLock { $0.findings[Labels(source: source, product: finding.product.rawValue), default: 0] += 1 }
    }

    func registered(_ summary: RegistrationSummary) {
        state.withLock {
            $0.registrationPasses += 1
            for (outcome, count) in [
                ("registered", summary.registered), ("imported", summary.imported), ("rejected", summary.rejected),
                ("deferred", summary.deferred), ("uncertain", summary.uncertain), ("waiting", summary.waiting),
            ] {
                $0.registration[outcome, default: 0] += count
            }
        }
    }

    func inventory(_ counts: [String: Int]) { state.withLock { $0.inventory = counts } }

    func localDiscovery(listeners: Int, databases: Int) {
        state.withLock {
            $0.localListeners = listeners
            $0.localDatabases = databases
        }
    }

    func passive(_ interface: String, up: Bool) { state.withLock { $0.passiveUp[interface] = up } }

    func reloaded(_ result: String) { state.withLock { $0.reloads[result, default: 0] += 1 } }

    /// The Prometheus text exposition of every metric.
    public func render() -> String {
        let uptime = ContinuousClock.now - started
        return state.withLock { state in
            var out = PrometheusText()
            out.gauge("dbscout_up", "1 while the daemon runs.", 1)
            out.gauge("dbscout_uptime_seconds", "Seconds since the daemon started.", uptime.secondsValue)
            out.counter("dbscout_scans_total", "Active scans completed.", Double(state.scans))
            out.gauge("dbscout_scan_running", "1 while an active scan runs.", state.scanRunning ? 1 : 0)
            out.gauge("dbscout_last_scan_endpoints", "Endpoints in the last scan.", Double(state.lastScanEndpoints))
            out.gauge("dbscout_last_scan_duration_seconds", "Wall time of the last scan.", state.lastScanSeconds)
            out.gauge("dbscout_last_scan_timestamp_seconds", "When the last scan ended.", state.lastScanFinished)
            out.counter(
                "dbscout_findings_total",
                "Findings by how they were made and product.",
                state.findings.map { (["source": $0.key.source, "product": $0.key.product], Double($0.value)) }
            )
            out.counter(
                "dbscout_registrations_total",
                "Registration outcomes.",
                state.registration.map { (["outcome": $0.key], Double($0.value)) }
            )
            out.counter(
                "dbscout_registration_passes_total",
                "Registration passes run.",
                Double(state.registrationPasses)
            )
            out.gauge(
                "dbscout_inventory_records",
                "Inventory records by registration status.",
                state.inventory.map { (["status": $0.key], Double($0.value)) }
            )
            out.gauge("dbscout_local_listeners", "Listening TCP sockets on this host.", Double(state.localListeners))
            out.gauge("dbscout_local_databases", "Of those, database servers.", Double(state.localDatabases))
            out.gauge(
                "dbscout_passive_capture_up",
                "1 while passive capture runs on an interface.",
                state.passiveUp.map { (["interface": $0.key], $0.value ? 1 : 0) }
            )
            out.counter(
                "dbscout_config_reloads_total",
                "Configuration reloads by result.",
                state.reloads.map { (["result": $0.key], Double($0.value)) }
            )
            return out.text
        }
    }
}

/// The Prometheus text format, one metric family at a time.
struct PrometheusText {
    private(set) var text = ""

    mutating func gauge(_ name: String, _ help: String, _ value: Double) { family(name, "gauge", help, [([:], value)]) }

    mutating func gauge(_ name: String, _ help: String, _ samples: [([String: String], Double)]) {
        family(name, "gauge", help, samples)
    }

    mutating func counter(_ name: String, _ help: String, _ value: Double) {
        family(name, "counter", help, [([:], value)])
    }

    mutating func counter(_ name: String, _ help: String, _ samples: [([String: String], Double)]) {
        family(name, "counter", help, samples)
    }

    private mutating func family(
        _ name: String,
        _ type: String,
        _ help: String,
        _ samples: [([String: String], Double)]
    ) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        for (labels, value) in samples.sorted(by: { $0.0.description < $1.0.description }) {
            let rendered = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\(Self.escape($0.value))\"" }
            text += name + (rendered.isEmpty ? "" : "{\(rendered.joined(separator: ","))}") + " \(Self.number(value))\n"
        }
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

extension Duration {
    /// The duration in seconds.
    var secondsValue: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
