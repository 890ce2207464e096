import DBScoutCore
import Foundation

/// How `dbscout daemon` runs: its scan cadence, what it watches, and where it reports.
public struct DaemonSettings: Sendable, Hashable {
    /// Log lines as `key=value` pairs (logfmt) or one JSON object each.
    public enum LogFormat: String, Sendable, Hashable, CaseIterable {
        case logfmt, json
    }

    /// Time between the starts of two active scans (and local discoveries).
    public var interval: Duration
    /// Each wait is the interval plus or minus up to this much, so a fleet does not scan in step.
    public var jitter: Duration
    /// Interfaces to watch passively; none by default.
    public var interfaces: [String]
    /// A BPF filter for the passive capture; all TCP when `nil`.
    public var filter: String?
    /// Where the health and metrics endpoint listens; loopback by default.
    public var metricsHost: String
    public var metricsPort: Int
    /// Whether this host's own listening sockets are mapped to processes and probed.
    public var localDiscovery: Bool
    public var logFormat: LogFormat

    public init(
        interval: Duration = .seconds(900),
        jitter: Duration = .seconds(60),
        interfaces: [String] = [],
        filter: String? = nil,
        metricsHost: String = "127.0.0.1",
        metricsPort: Int = 9187,
        localDiscovery: Bool = true,
        logFormat: LogFormat = .logfmt
    ) {
        self.interval = interval
        self.jitter = jitter
        self.interfaces = interfaces
        self.filter = filter
        self.metricsHost = metricsHost
        self.metricsPort = metricsPort
        self.localDiscovery = localDiscovery
        self.logFormat = logFormat
    }

    /// A duration as written in the config or on the command line: `90`, `90s`, `15m`, `2h`, `500ms`.
    public static func duration(_ text: String, name: String) throws -> Duration {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        let (number, scale) =
            units.first { trimmed.hasSuffix($0.0) && Double(trimmed.dropLast($0.0.count)) != nil }
            .map { (String(trimmed.dropLast($0.0.count)), $0.1) } ?? (trimmed, 1)
        guard let value = Double(number), value >= 0, value * scale <= 366 * 86_400 else {
            throw DBScoutError(.invalidConfiguration, "\(name) '\(text)' is not a duration such as 90s, 15m or 2h")
        }
        return .milliseconds(Int64((value * scale * 1000).rounded()))
    }

    /// `HOST:PORT`, `[V6]:PORT` or a bare port (on loopback).
    static func listenAddress(_ text: String) throws -> (host: String, port: Int) {
        let invalid = DBScoutError(.invalidConfiguration, "daemon.metrics_listen '\(text)' is not HOST:PORT")
        guard let colon = text.lastIndex(of: ":") else {
            guard let port = Int(text), (1...65535).contains(port) else { throw invalid }
            return ("127.0.0.1", port)
        }
        let host = text[..<colon].trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        guard let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port), !host.isEmpty else {
            throw invalid
        }
        return (host, port)
    }
}

extension DaemonSettings {
    /// The daemon settings: config file < command line.
    static func load(_ file: ConfigFile.Daemon?, _ flags: SettingsOverrides) throws -> DaemonSettings {
        var settings = DaemonSettings()
        if let text = flags.daemonInterval ?? file?.interval {
            settings.interval = try duration(text, name: "the daemon interval")
            guard settings.interval >= .seconds(1) else {
                throw DBScoutError(.invalidConfiguration, "the daemon interval must be at least 1s, not '\(text)'")
            }
        }
        if let text = file?.jitter { settings.jitter = try duration(text, name: "daemon.jitter") }
        settings.jitter = min(settings.jitter, settings.interval / 2)
        settings.interfaces = flags.daemonInterfaces.isEmpty ? file?.interfaces ?? [] : flags.daemonInterfaces
        settings.filter = file?.filter
        if let text = flags.metricsListen ?? file?.metricsListen {
            (settings.metricsHost, settings.metricsPort) = try listenAddress(text)
        }
        settings.localDiscovery = flags.localDiscovery ?? file?.localDiscovery ?? true
        if let text = file?.logFormat {
            guard let format = LogFormat(rawValue: text.lowercased()) else {
                throw DBScoutError(.invalidConfiguration, "daemon.log_format '\(text)' is not logfmt or json")
            }
            settings.logFormat = format
        }
        if let text = flags.logFormat {
            guard let format = LogFormat(rawValue: text.lowercased()) else {
                throw DBScoutError(.invalidConfiguration, "--log-format '\(text)' is not logfmt or json")
            }
            settings.logFormat = format
        }
        return settings
    }
}
