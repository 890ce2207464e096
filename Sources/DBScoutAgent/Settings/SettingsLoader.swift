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
        let env = SettingsEnvironment(values: environment)
        var dbss = DBSSSettings(file: file.dbss, env: env, flags: overrides)
        let dbssConfiguration = try dbss.configuration()
        let stateDirectory = stateDirectory(overrides.stateDirectory ?? env["DBSCOUT_STATE_DIR"] ?? file.stateDir)
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
        let targets = overrides.targets.isEmpty ? scanFile?.targets ?? [] : overrides.targets
        let exclude = (scanFile?.exclude ?? []) + overrides.exclude
        // Checked now, so that a daemon's reload refuses a bad target instead of failing every scan after it.
        for spec in targets + exclude { _ = try TargetSpec(parsing: spec) }
        return AgentSettings(
            targets: targets,
            exclude: exclude,
            ports: try portsText.map(PortSet.init(parsing:)) ?? .databaseDefaults,
            allowPublic: overrides.allowPublic || scanFile?.allowPublic == true,
            allowLargeScope: overrides.allowLargeScope || scanFile?.allowLargeScope == true,
            scan: options,
            stateDirectory: stateDirectory,
            store: try store(overrides.store ?? env["DBSCOUT_STORE"] ?? file.store, env: env, stateDirectory),
            dbss: dbssConfiguration,
            registration: try registration(file.registration),
            logLevel: try logLevel(overrides.logLevel ?? env["DBSCOUT_LOG_LEVEL"] ?? file.logLevel ?? "notice"),
            daemon: try DaemonSettings.load(file.daemon, overrides),
            warnings: dbss.warnings
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

    /// The inventory store: the SQLite file in the state directory, or a shared PostgreSQL named by URL. The
    /// PostgreSQL password comes from DBSCOUT_STORE_PASSWORD (or PGPASSWORD), never from the URL of a flag.
    private static func store(_ url: String?, env: SettingsEnvironment, _ stateDirectory: URL) throws -> StoreSettings {
        guard let url else { return .sqlite(directory: stateDirectory) }
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
            throw DBScoutError(.invalidConfiguration, "the store must be a postgres:// URL (or unset for SQLite)")
        }
        if let components = URLComponents(string: url), components.password != nil {
            throw DBScoutError(
                .invalidConfiguration,
                "the store URL carries a password, which would show in process listings and logs; "
                    + "set DBSCOUT_STORE_PASSWORD instead"
            )
        }
        let password = (env["DBSCOUT_STORE_PASSWORD"] ?? env["PGPASSWORD"]).map(Secret.init)
        return .postgres(url: url, password: password)
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
struct SettingsEnvironment {
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
