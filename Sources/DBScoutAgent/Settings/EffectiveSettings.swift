import DBSSClient
import DBScoutCore
import DBScoutScanner
import Foundation
import Logging

extension AgentSettings {
    /// The settings as they will be used, one `key: value` line each, for `dbscout config check`. Secrets are shown
    /// only as where they came from being set, never their values.
    public func effectiveDescription() -> String {
        var lines: [(String, String)] = [
            ("scan.targets", targets.isEmpty ? "(none)" : targets.joined(separator: ", ")),
            ("scan.exclude", exclude.isEmpty ? "(none)" : exclude.joined(separator: ", ")),
            ("scan.ports", ports.description),
            ("scan.allow_public", "\(allowPublic)"),
            ("scan.allow_large_scope", "\(allowLargeScope)"),
            ("scan.concurrency", "\(scan.concurrency)"),
            ("scan.max_per_host", "\(scan.maxPerHost)"),
            ("scan.max_rate", "\(scan.maxRate)/s"),
            ("scan.connect_timeout", "\(scan.connectTimeout)"),
            ("scan.read_timeout", "\(scan.readTimeout)"),
            ("state_dir", stateDirectory.path),
            ("store", storeDescription),
        ]
        lines += dbssLines
        lines += [
            ("registration.default_os", registration.defaultOS.rawValue),
            ("registration.default_charset", registration.defaultCharset.rawValue),
            ("registration.unknown_version", registration.unknownVersion),
            ("registration.register_unknown_os", "\(registration.registerUnknownOS)"),
            ("registration.overrides", "\(registration.overrides.count)"),
            ("daemon.interval", "\(daemon.interval)"),
            ("daemon.jitter", "\(daemon.jitter)"),
            ("daemon.interfaces", daemon.interfaces.isEmpty ? "(none)" : daemon.interfaces.joined(separator: ", ")),
            ("daemon.filter", daemon.filter ?? "(all TCP)"),
            ("daemon.metrics_listen", "\(daemon.metricsHost):\(daemon.metricsPort)"),
            ("daemon.local_discovery", "\(daemon.localDiscovery)"),
            ("daemon.log_format", daemon.logFormat.rawValue),
            ("log_level", logLevel.rawValue),
        ]
        let width = lines.map(\.0.count).max() ?? 0
        return lines.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }
            .joined(separator: "\n") + "\n"
    }

    private var storeDescription: String {
        switch store {
        case .sqlite(let directory): "SQLite \(directory.appendingPathComponent("inventory.sqlite").path)"
        case .postgres(let url, let password): "PostgreSQL \(url)" + (password == nil ? "" : " (password set)")
        }
    }

    private var dbssLines: [(String, String)] {
        guard let dbss else { return [("dbss", "(not configured: findings are recorded, not registered)")] }
        var lines = [
            ("dbss.endpoint", dbss.endpoint), ("dbss.project_id", dbss.projectID),
            ("dbss.instance_id", dbss.instanceID), ("dbss.api_version", dbss.apiVersion.rawValue),
        ]
        switch dbss.authentication {
        case .token: lines.append(("dbss.auth", "token (set, hidden)"))
        case .iam(let credentials):
            lines.append(("dbss.auth", "iam \(credentials.user)@\(credentials.domain) via \(credentials.endpoint)"))
            lines.append(("dbss.iam.password", "(set, hidden)"))
        case .accessKey(let ak, _, let securityToken):
            lines.append(("dbss.auth", "aksk, access key \(ak)"))
            lines.append(("dbss.secret_key", "(set, hidden)" + (securityToken == nil ? "" : ", with a security token")))
        }
        lines.append(("dbss.ca_bundle", dbss.caBundlePath ?? "(system roots)"))
        lines.append(("dbss.proxy", dbss.proxy == nil ? "(none)" : "(set)"))
        return lines
    }
}
