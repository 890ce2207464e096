import DBSSClient
import DBScoutCore
import DBScoutScanner
import Foundation
import Logging

extension AgentSettings {
    /// Where the config file is looked for when none is named.
    public static let defaultConfigPath = "/etc/dbscout/dbscout.yaml"

    /// Resolves the settings: config file < environment (`DBSCOUT_*`) < command line.
    /// - Throws: ``DBScoutError`` `invalid-configuration`, `invalid-ports` naming what is wrong and where it came from.
    public static func load(environment: [String: String], overrides: SettingsOverrides) throws -> AgentSettings {
        let file = try configFile(environment: environment, overrides: overrides)
        let env = Environment(values: environment)
        let scanFile = file.scan
        let portsText = overrides.ports ?? env["DBSCOUT_PORTS"] ?? scanFile?.ports
        let options = ScanOptions(
            connectTimeout: .milliseconds(
                try positive("connect timeout", overrides.connectTimeoutMs ?? scanFile?.connectTimeoutMs ?? 1500)
            ),
            readTimeout: .milliseconds(
                try positive("read timeout", overrides.readTimeoutMs ?? scanFile?.readTimeoutMs ?? 3000)
            ),
            concurrency: try positive("concurrency", overrides.concurrency ?? scanFile?.concurrency ?? 256),
            maxPerHost: try positive("max per host", overrides.maxPerHost ?? scanFile?.maxPerHost ?? 4),
            maxRate: try positive("max rate", overrides.maxRate ?? scanFile?.maxRate ?? 1000)
        )
        return AgentSettings(
            targets: overrides.targets.isEmpty ? scanFile?.targets ?? [] : overrides.targets,
            exclude: (scanFile?.exclude ?? []) + overrides.exclude,
            ports: try portsText.map(PortSet.init(parsing:)) ?? .databaseDefaults,
            allowPublic: overrides.allowPublic || scanFile?.allowPublic == true,
            allowLargeScope: overrides.allowLargeScope || scanFile?.allowLargeScope == true,
            scan: options,
            stateDirectory: stateDirectory(overrides.stateDirectory ?? env["DBSCOUT_STATE_DIR"] ?? file.stateDir),
            dbss: try dbss(file.dbss, env, overrides),
            registration: try registration(file.registration),
            logLevel: try logLevel(overrides.logLevel ?? env["DBSCOUT_LOG_LEVEL"] ?? file.logLevel ?? "notice")
        )
    }

    private static func configFile(environment: [String: String], overrides: SettingsOverrides) throws -> ConfigFile {
        if let named = overrides.configPath ?? environment["DBSCOUT_CONFIG"].flatMap({ $0.isEmpty ? nil : $0 }) {
            return try ConfigFile.load(path: named)
        }
        guard FileManager.default.fileExists(atPath: defaultConfigPath) else { return ConfigFile() }
        return try ConfigFile.load(path: defaultConfigPath)
    }

    /// The state directory: as given, else /var/lib/dbscout for root, else the XDG state directory.
    static func stateDirectory(_ given: String?) -> URL {
        if let given, !given.isEmpty { return URL(fileURLWithPath: given) }
        if geteuid() == 0 { return URL(fileURLWithPath: "/var/lib/dbscout") }
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_STATE_HOME"] ?? (NSHomeDirectory() + "/.local/state")
        return URL(fileURLWithPath: base).appendingPathComponent("dbscout")
    }

    private static func dbss(_ file: ConfigFile.DBSS?, _ env: Environment, _ flags: SettingsOverrides) throws
        -> DBSSConfiguration?
    {
        let endpoint = flags.dbssEndpoint ?? env["DBSCOUT_DBSS_ENDPOINT"] ?? file?.endpoint
        let project = flags.dbssProjectID ?? env["DBSCOUT_DBSS_PROJECT_ID"] ?? file?.projectId
        let instance = flags.dbssInstanceID ?? env["DBSCOUT_DBSS_INSTANCE_ID"] ?? file?.instanceId
        let tokenFile = flags.dbssTokenFile ?? env["DBSCOUT_DBSS_TOKEN_FILE"] ?? file?.tokenFile
        let token =
            try flags.dbssTokenFile.map(readToken) ?? env["DBSCOUT_DBSS_TOKEN"].map(Secret.init)
            ?? tokenFile.map(readToken) ?? file?.token.map(Secret.init)
        guard endpoint != nil || project != nil || instance != nil || token != nil else { return nil }
        let missing = [
            endpoint == nil ? "endpoint (DBSCOUT_DBSS_ENDPOINT, --dbss-endpoint or dbss.endpoint)" : nil,
            project == nil ? "project id (DBSCOUT_DBSS_PROJECT_ID, --dbss-project-id or dbss.project_id)" : nil,
            instance == nil ? "instance id (DBSCOUT_DBSS_INSTANCE_ID, --dbss-instance-id or dbss.instance_id)" : nil,
            token == nil ? "token (DBSCOUT_DBSS_TOKEN, --dbss-token-file or dbss.token_file)" : nil,
        ].compactMap { $0 }
        guard missing.isEmpty, let endpoint, let project, let instance, let token else {
            throw DBScoutError(
                .invalidConfiguration,
                "DBSS settings are incomplete: missing " + missing.joined(separator: "; ")
            )
        }
        guard let url = URL(string: endpoint), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw DBScoutError(.invalidConfiguration, "the DBSS endpoint '\(endpoint)' is not an http(s) URL")
        }
        let versionText = flags.dbssAPIVersion ?? env["DBSCOUT_DBSS_API_VERSION"] ?? file?.apiVersion ?? "v1"
        guard let version = DBSSAPIVersion(rawValue: versionText.lowercased()) else {
            throw DBScoutError(.invalidConfiguration, "the DBSS API version '\(versionText)' is not v1 or v2")
        }
        return DBSSConfiguration(
            endpoint: endpoint,
            projectID: project,
            instanceID: instance,
            apiVersion: version,
            token: token
        )
    }

    private static func readToken(_ path: String) throws -> Secret {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw DBScoutError(.invalidConfiguration, "cannot read the DBSS token file \(path)")
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw DBScoutError(.invalidConfiguration, "the DBSS token file \(path) is empty") }
        return Secret(token)
    }

    private static func registration(_ file: ConfigFile.Registration?) throws -> RegistrationPolicy {
        var policy = RegistrationPolicy()
        if let text = file?.defaultOs {
            guard let os = HostOS(rawValue: text.uppercased()) else {
                throw DBScoutError(
                    .invalidConfiguration,
                    "registration.default_os '\(text)' is not LINUX64, WINDOWS64 or UNIX"
                )
            }
            policy.defaultOS = os
        }
        if let text = file?.defaultCharset {
            guard let charset = DBSSCharset(rawValue: text.uppercased()) else {
                throw DBScoutError(.invalidConfiguration, "registration.default_charset '\(text)' is not UTF8 or GBK")
            }
            policy.defaultCharset = charset
        }
        if let text = file?.unknownVersion, !text.isEmpty { policy.unknownVersion = text }
        policy.registerUnknownOS = file?.registerUnknownOs ?? false
        policy.overrides = try (file?.overrides ?? []).enumerated().map(override)
        return policy
    }

    private static func override(_ index: Int, _ entry: ConfigFile.Override) throws -> RegistrationOverride {
        let place = "registration.overrides[\(index)]"
        func invalid(_ what: String) -> DBScoutError { DBScoutError(.invalidConfiguration, "\(place): \(what)") }
        var match = RegistrationOverride.Match()
        if let endpoint = entry.endpoint {
            guard let colon = endpoint.lastIndex(of: ":"),
                let address = IPAddress(endpoint[..<colon].trimmingCharacters(in: CharacterSet(charactersIn: "[]"))),
                let port = UInt16(endpoint[endpoint.index(after: colon)...])
            else { throw invalid("endpoint '\(endpoint)' is not ADDRESS:PORT") }
            match.address = address
            match.port = port
        }
        if let ip = entry.ip {
            guard let address = IPAddress(ip) else { throw invalid("ip '\(ip)' is not an IP address") }
            match.address = address
        }
        if let port = entry.port {
            guard let value = UInt16(exactly: port), value > 0 else { throw invalid("port \(port) is not 1-65535") }
            match.port = value
        }
        if let product = entry.product {
            guard let value = DatabaseProduct(rawValue: product.lowercased()) else {
                throw invalid(
                    "product '\(product)' is not one of \(DatabaseProduct.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            match.product = value
        }
        guard match.address != nil || match.port != nil || match.product != nil else {
            throw invalid("needs at least one of endpoint, ip, port or product to say which findings it applies to")
        }
        return RegistrationOverride(
            match: match,
            type: try entry.type.map { text in
                try DBSSType(rawValue: text.uppercased()).orThrow(invalid("type '\(text)' is not a DBSS type"))
            },
            version: entry.version,
            os: try entry.os.map {
                try HostOS(rawValue: $0.uppercased()).orThrow(invalid("os '\($0)' is not LINUX64, WINDOWS64 or UNIX"))
            },
            charset: try entry.charset.map {
                try DBSSCharset(rawValue: $0.uppercased()).orThrow(invalid("charset '\($0)' is not UTF8 or GBK"))
            },
            name: entry.name,
            instanceName: entry.instanceName,
            skip: entry.skip ?? false
        )
    }

    private static func logLevel(_ text: String) throws -> Logger.Level {
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            let names = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw DBScoutError(.invalidConfiguration, "log level '\(text)' is not one of \(names)")
        }
        return level
    }

    private static func positive(_ name: String, _ value: Int) throws -> Int {
        guard value > 0 else {
            throw DBScoutError(.invalidConfiguration, "\(name) must be a positive number, not \(value)")
        }
        return value
    }
}

/// The process environment, with empty values treated as unset.
private struct Environment {
    let values: [String: String]
    subscript(name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }
}

extension Optional {
    fileprivate func orThrow(_ error: @autoclosure () -> some Error) throws -> Wrapped {
        guard let value = self else { throw error() }
        return value
    }
}
