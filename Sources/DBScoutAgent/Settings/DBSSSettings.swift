import DBSSClient
import DBScoutCore
import Foundation

/// Resolves the DBSS part of the settings: where DBSS is and how to authenticate, from the config file, the
/// environment and the command line. Secrets come only from the environment or files, never from a flag value.
struct DBSSSettings {
    let file: ConfigFile.DBSS?
    let env: SettingsEnvironment
    let flags: SettingsOverrides
    /// Notes for the operator (e.g. a secret file others can read), logged once logging is up.
    private(set) var warnings: [String] = []

    init(file: ConfigFile.DBSS?, env: SettingsEnvironment, flags: SettingsOverrides) {
        self.file = file
        self.env = env
        self.flags = flags
    }

    /// The DBSS configuration, or `nil` when no DBSS setting was given at all.
    /// - Throws: ``DBScoutError`` `invalid-configuration` naming what is missing or wrong, and where to set it.
    mutating func configuration() throws -> DBSSConfiguration? {
        let endpoint = flags.dbssEndpoint ?? env["DBSCOUT_DBSS_ENDPOINT"] ?? file?.endpoint
        let project = flags.dbssProjectID ?? env["DBSCOUT_DBSS_PROJECT_ID"] ?? file?.projectId
        let instance = flags.dbssInstanceID ?? env["DBSCOUT_DBSS_INSTANCE_ID"] ?? file?.instanceId
        let mode = try authMode()
        guard endpoint != nil || project != nil || instance != nil || mode != nil else { return nil }
        let missing = [
            endpoint == nil ? "endpoint (DBSCOUT_DBSS_ENDPOINT, --dbss-endpoint or dbss.endpoint)" : nil,
            project == nil ? "project id (DBSCOUT_DBSS_PROJECT_ID, --dbss-project-id or dbss.project_id)" : nil,
            instance == nil ? "instance id (DBSCOUT_DBSS_INSTANCE_ID, --dbss-instance-id or dbss.instance_id)" : nil,
            mode == nil
                ? "credentials (DBSCOUT_DBSS_TOKEN, DBSCOUT_IAM_* or DBSCOUT_DBSS_ACCESS_KEY/SECRET_KEY; see dbss.auth)"
                : nil,
        ].compactMap { $0 }
        guard missing.isEmpty, let endpoint, let project, let instance, let mode else {
            throw invalid("DBSS settings are incomplete: missing " + missing.joined(separator: "; "))
        }
        try Self.checkURL(endpoint, what: "the DBSS endpoint")
        let versionText = flags.dbssAPIVersion ?? env["DBSCOUT_DBSS_API_VERSION"] ?? file?.apiVersion ?? "v1"
        guard let version = DBSSAPIVersion(rawValue: versionText.lowercased()) else {
            throw invalid("the DBSS API version '\(versionText)' is not v1, v2 or auto")
        }
        var configuration = DBSSConfiguration(
            endpoint: endpoint,
            projectID: project,
            instanceID: instance,
            apiVersion: version,
            authentication: try authentication(mode)
        )
        configuration.caBundlePath = env["DBSCOUT_DBSS_CA_BUNDLE"] ?? file?.caBundle
        configuration.proxy = env["DBSCOUT_DBSS_PROXY"] ?? file?.proxy ?? env["HTTPS_PROXY"] ?? env["https_proxy"]
        if let proxy = configuration.proxy, URL(string: proxy)?.scheme != "http" || URL(string: proxy)?.host == nil {
            // Not echoed: a proxy URL may carry a password.
            throw invalid("the proxy setting (DBSCOUT_DBSS_PROXY, dbss.proxy or HTTPS_PROXY) is not an http:// URL")
        }
        if let rate = file?.requestsPerSecond {
            guard rate >= 0 else { throw invalid("dbss.requests_per_second must be 0 (no limit) or more") }
            configuration.rateLimit = rate == 0 ? nil : DBSSRateLimit(requestsPerSecond: rate, burst: max(1, Int(rate)))
        }
        return configuration
    }

    /// The authentication kind named by `DBSCOUT_DBSS_AUTH`, `--dbss-auth` or `dbss.auth`, else the one whose
    /// credentials are present; `nil` when none are.
    private func authMode() throws -> AuthMode? {
        if let text = flags.dbssAuth ?? env["DBSCOUT_DBSS_AUTH"] ?? file?.auth {
            guard let mode = AuthMode(rawValue: text.lowercased()) else {
                throw invalid("the DBSS authentication '\(text)' is not token, iam or aksk")
            }
            return mode
        }
        if flags.dbssTokenFile != nil || env["DBSCOUT_DBSS_TOKEN"] != nil || env["DBSCOUT_DBSS_TOKEN_FILE"] != nil
            || file?.tokenFile != nil || file?.token != nil
        {
            return .token
        }
        if env["DBSCOUT_DBSS_ACCESS_KEY"] != nil || file?.accessKey != nil { return .aksk }
        if env["DBSCOUT_IAM_USER"] != nil || file?.iam?.user != nil { return .iam }
        return nil
    }

    private mutating func authentication(_ mode: AuthMode) throws -> DBSSAuthentication {
        switch mode {
        case .token:
            let path = flags.dbssTokenFile ?? env["DBSCOUT_DBSS_TOKEN_FILE"] ?? file?.tokenFile
            let token =
                try flags.dbssTokenFile.map { try secret(fromFile: $0, what: "DBSS token") }
                ?? env["DBSCOUT_DBSS_TOKEN"].map(Secret.init)
                ?? path.map { try secret(fromFile: $0, what: "DBSS token") } ?? file?.token.map(Secret.init)
            guard let token else {
                throw invalid("token authentication needs DBSCOUT_DBSS_TOKEN, --dbss-token-file or dbss.token_file")
            }
            return .token(token)
        case .iam:
            return .iam(try iamCredentials())
        case .aksk:
            let accessKey = env["DBSCOUT_DBSS_ACCESS_KEY"] ?? file?.accessKey
            let secretKey =
                try env["DBSCOUT_DBSS_SECRET_KEY"].map(Secret.init)
                ?? file?.secretKeyFile.map { try secret(fromFile: $0, what: "DBSS secret key") }
            guard let accessKey, let secretKey else {
                throw invalid(
                    "AK/SK authentication needs DBSCOUT_DBSS_ACCESS_KEY (or dbss.access_key) and "
                        + "DBSCOUT_DBSS_SECRET_KEY (or dbss.secret_key_file)"
                )
            }
            return .accessKey(
                ak: accessKey,
                sk: secretKey,
                securityToken: env["DBSCOUT_DBSS_SECURITY_TOKEN"].map(Secret.init)
            )
        }
    }

    private mutating func iamCredentials() throws -> IAMPasswordCredentials {
        let iam = file?.iam
        let endpoint = env["DBSCOUT_IAM_ENDPOINT"] ?? iam?.endpoint
        let user = env["DBSCOUT_IAM_USER"] ?? iam?.user
        let domain = env["DBSCOUT_IAM_DOMAIN"] ?? iam?.domain
        let password =
            try env["DBSCOUT_IAM_PASSWORD"].map(Secret.init)
            ?? iam?.passwordFile.map { try secret(fromFile: $0, what: "IAM password") }
        let missing = [
            endpoint == nil ? "DBSCOUT_IAM_ENDPOINT (or dbss.iam.endpoint)" : nil,
            user == nil ? "DBSCOUT_IAM_USER (or dbss.iam.user)" : nil,
            domain == nil ? "DBSCOUT_IAM_DOMAIN (or dbss.iam.domain)" : nil,
            password == nil ? "DBSCOUT_IAM_PASSWORD (or dbss.iam.password_file)" : nil,
        ].compactMap { $0 }
        guard missing.isEmpty, let endpoint, let user, let domain, let password else {
            throw invalid("IAM authentication needs " + missing.joined(separator: ", "))
        }
        try Self.checkURL(endpoint, what: "the IAM endpoint")
        return IAMPasswordCredentials(
            endpoint: endpoint,
            user: user,
            password: password,
            domain: domain,
            projectName: env["DBSCOUT_IAM_PROJECT_NAME"] ?? iam?.projectName
        )
    }

    /// A secret read from a file; a file others may read is used, with a warning.
    private mutating func secret(fromFile path: String, what: String) throws -> Secret {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw invalid("cannot read the \(what) file \(path)")
        }
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !value.isEmpty else { throw invalid("the \(what) file \(path) is empty") }
        if let mode = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int,
            mode & 0o004 != 0
        {
            warnings.append("the \(what) file \(path) is readable by every user; chmod o-r it")
        }
        return Secret(value)
    }

    private static func checkURL(_ text: String, what: String) throws {
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw DBScoutError(.invalidConfiguration, "\(what) '\(text)' is not an http(s) URL")
        }
    }

    private func invalid(_ message: String) -> DBScoutError { DBScoutError(.invalidConfiguration, message) }

    enum AuthMode: String {
        case token, iam, aksk
    }
}
