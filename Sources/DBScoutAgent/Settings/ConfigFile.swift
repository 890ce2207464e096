import DBScoutCore
import Foundation
import Yams

/// The YAML configuration file, as written. Every key is optional; unknown keys are an error, so a typo
/// never silently falls back to a default.
struct ConfigFile: Decodable, Sendable {
    struct Scan: Decodable, Sendable {
        var targets: [String]?
        var exclude: [String]?
        var ports: String?
        var allowPublic: Bool?
        var allowLargeScope: Bool?
        var concurrency: Int?
        var maxPerHost: Int?
        var maxRate: Int?
        var connectTimeoutMs: Int?
        var readTimeoutMs: Int?
    }

    struct DBSS: Decodable, Sendable {
        var endpoint: String?
        var projectId: String?
        var instanceId: String?
        var apiVersion: String?
        var token: String?
        var tokenFile: String?
        var auth: String?
        var iam: IAM?
        var accessKey: String?
        var secretKeyFile: String?
        var caBundle: String?
        var proxy: String?
        var requestsPerSecond: Double?
    }

    /// `dbss.iam`: the IAM user whose password gets a token.
    struct IAM: Decodable, Sendable {
        var endpoint: String?
        var user: String?
        var domain: String?
        var projectName: String?
        var passwordFile: String?
    }

    struct Registration: Decodable, Sendable {
        var defaultOs: String?
        var defaultCharset: String?
        var unknownVersion: String?
        var registerUnknownOs: Bool?
        var overrides: [Override]?
    }

    /// One entry of `registration.overrides`.
    struct Override: Decodable, Sendable {
        var endpoint: String?
        var ip: String?
        var port: Int?
        var product: String?
        var type: String?
        var version: String?
        var os: String?
        var charset: String?
        var name: String?
        var instanceName: String?
        var skip: Bool?
    }

    /// `daemon`: how `dbscout daemon` runs.
    struct Daemon: Decodable, Sendable {
        var interval: String?
        var jitter: String?
        var interfaces: [String]?
        var filter: String?
        var metricsListen: String?
        var localDiscovery: Bool?
        var logFormat: String?
    }

    var stateDir: String?
    var store: String?
    var daemon: Daemon?
    var logLevel: String?
    var scan: Scan?
    var dbss: DBSS?
    var registration: Registration?

    static let allowedKeys: [String: Set<String>] = [
        "": ["state_dir", "store", "log_level", "scan", "dbss", "registration", "daemon"],
        "daemon": ["interval", "jitter", "interfaces", "filter", "metrics_listen", "local_discovery", "log_format"],
        "scan": [
            "targets", "exclude", "ports", "allow_public", "allow_large_scope", "concurrency", "max_per_host",
            "max_rate", "connect_timeout_ms", "read_timeout_ms",
        ],
        "dbss": [
            "endpoint", "project_id", "instance_id", "api_version", "token", "token_file", "auth", "iam", "access_key",
            "secret_key_file", "ca_bundle", "proxy", "requests_per_second",
        ],
        "dbss.iam": ["endpoint", "user", "domain", "project_name", "password_file"],
        "registration": ["default_os", "default_charset", "unknown_version", "register_unknown_os", "overrides"],
        "registration.overrides": [
            "endpoint", "ip", "port", "product", "type", "version", "os", "charset", "name", "instance_name", "skip",
        ],
    ]

    /// Reads and checks the file at `path`.
    /// - Throws: ``DBScoutError`` `invalid-configuration` naming the file and the problem.
    static func load(path: String) throws -> ConfigFile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw DBScoutError(
                .invalidConfiguration,
                "cannot read the config file \(path): \(error.localizedDescription)"
            )
        }
        do {
            if let root = try Yams.compose(yaml: text) { try checkKeys(root, section: "", path: path) }
            // Through JSON so that snake_case keys map onto the properties without hand-written coding keys.
            let object = try Yams.load(yaml: text) ?? [String: Any]()
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            return try decoder.decode(ConfigFile.self, from: JSONSerialization.data(withJSONObject: object))
        } catch let error as DBScoutError {
            throw error
        } catch {
            throw DBScoutError(.invalidConfiguration, "the config file \(path) is not valid: \(error)")
        }
    }

    private static func checkKeys(_ node: Node, section: String, path: String) throws {
        guard let mapping = node.mapping else {
            let place = section.isEmpty ? "the top level" : "'\(section)'"
            throw DBScoutError(.invalidConfiguration, "the config file \(path): \(place) must be a mapping of keys")
        }
        for (key, value) in mapping {
            let name = key.string ?? ""
            guard let allowed = allowedKeys[section], allowed.contains(name) else {
                let place = section.isEmpty ? "at the top level" : "in '\(section)'"
                throw DBScoutError(
                    .invalidConfiguration,
                    "the config file \(path) has an unknown key '\(name)' \(place)"
                )
            }
            let nested = section.isEmpty ? name : "\(section).\(name)"
            guard allowedKeys[nested] != nil else { continue }
            if let items = value.sequence {
                for item in items { try checkKeys(item, section: nested, path: path) }
            } else {
                try checkKeys(value, section: nested, path: path)
            }
        }
    }
}
