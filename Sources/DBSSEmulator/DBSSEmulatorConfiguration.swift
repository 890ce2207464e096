/// Settings of one emulated DBSS audit instance and the IAM endpoint in front of it.
///
/// The emulator models exactly one project holding exactly one audit instance, which is what the
/// agent talks to in production. Every value has a default so `DBSSEmulatorConfiguration()` gives a
/// usable emulator for demos; tests usually set ``validTokens`` and sometimes ``iamUsers``,
/// ``accessKeys`` or ``apiVersions``.
public struct DBSSEmulatorConfiguration: Sendable {
    /// Address to listen on. Defaults to the loopback address `127.0.0.1`.
    public var host: String
    /// TCP port to listen on; `0` (the default) picks a free ephemeral port, read it back from
    /// ``DBSSEmulator/port``.
    public var port: Int
    /// The project ID that must appear in every DBSS path (32 hex characters on the real cloud).
    public var projectID: String
    /// The project name accepted in an IAM project scope; on Huawei Cloud the default project of a
    /// region is named after the region, hence the default `cn-north-4`.
    public var projectName: String
    /// The audit instance ID that must appear in every per-instance DBSS path.
    public var instanceID: String
    /// Display name of the audit instance in the instance list.
    public var instanceName: String
    /// Static tokens accepted in the `X-Auth-Token` header, in addition to tokens issued by the
    /// emulated IAM endpoint.
    public var validTokens: Set<String>
    /// IAM users that may obtain a token from `POST /v3/auth/tokens` with the password method.
    public var iamUsers: [IAMUser]
    /// Access keys accepted in `SDK-HMAC-SHA256` signatures, AK → SK. A DBSS request without
    /// `X-Auth-Token` whose `Authorization` header names this algorithm is verified against them.
    public var accessKeys: [String: String]
    /// The API generations served. The routes of a generation left out answer 404 `APIGW.0101`, as
    /// the gateway answers an API that is not published; `v1` also covers the old
    /// `/v1/{project}/dbss/audit/instances` path, `v2` the current `/v1/{project}/audit/instances`.
    public var apiVersions: Set<DBSSAPIVersion>
    /// How long an IAM-issued token stays valid; the real IAM issues tokens for 24 hours.
    public var tokenLifetime: Duration
    /// Maximum number of databases the audit instance accepts (`database_limit`); adding one more
    /// answers 400 `DBSS.10020118`.
    public var databaseLimit: Int
    /// When `true`, adding a database whose IP and port are already registered answers 400
    /// `DBSS.10020102`. The real API documents no duplicate check, so the default `false` creates a
    /// second record, which lets tests detect a client that registers the same database twice.
    public var rejectDuplicates: Bool
    /// Largest accepted request body in bytes; a larger body answers 413. Defaults to 1 MiB.
    public var maxBodySize: Int
    /// Largest number of entries kept in the request log; the oldest entries are dropped first so
    /// a long-running demo emulator does not grow without bound.
    public var requestLogLimit: Int

    /// Creates a configuration; every parameter has a realistic default.
    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        projectID: String = "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
        projectName: String = "cn-north-4",
        instanceID: String = "5f8d2a1c9b7e4d3fa6c0b1e2d3f4a5b6",
        instanceName: String = "dbss-emulator",
        validTokens: Set<String> = [],
        iamUsers: [IAMUser] = [],
        accessKeys: [String: String] = [:],
        apiVersions: Set<DBSSAPIVersion> = [.v1, .v2],
        tokenLifetime: Duration = .seconds(24 * 60 * 60),
        databaseLimit: Int = 50,
        rejectDuplicates: Bool = false,
        maxBodySize: Int = 1 << 20,
        requestLogLimit: Int = 10_000
    ) {
        self.host = host
        self.port = port
        self.projectID = projectID
        self.projectName = projectName
        self.instanceID = instanceID
        self.instanceName = instanceName
        self.validTokens = validTokens
        self.iamUsers = iamUsers
        self.accessKeys = accessKeys
        self.apiVersions = apiVersions
        self.tokenLifetime = tokenLifetime
        self.databaseLimit = databaseLimit
        self.rejectDuplicates = rejectDuplicates
        self.maxBodySize = maxBodySize
        self.requestLogLimit = requestLogLimit
    }

    /// Checks the values that would make the emulator misbehave rather than fail a request.
    func validate() throws(DBSSEmulatorError) {
        if projectID.isEmpty || projectID.contains("/") {
            throw DBSSEmulatorError(.invalidConfiguration, "projectID must be a non-empty path segment")
        }
        if instanceID.isEmpty || instanceID.contains("/") {
            throw DBSSEmulatorError(.invalidConfiguration, "instanceID must be a non-empty path segment")
        }
        if !(0...65535).contains(port) {
            throw DBSSEmulatorError(.invalidConfiguration, "port must be between 0 and 65535")
        }
        if databaseLimit < 0 || maxBodySize < 1 || requestLogLimit < 0 {
            throw DBSSEmulatorError(
                .invalidConfiguration,
                "databaseLimit and requestLogLimit must not be negative, maxBodySize must be positive"
            )
        }
        if tokenLifetime <= .zero {
            throw DBSSEmulatorError(.invalidConfiguration, "tokenLifetime must be positive")
        }
        if apiVersions.isEmpty {
            throw DBSSEmulatorError(.invalidConfiguration, "apiVersions must name at least one generation")
        }
        if accessKeys.contains(where: { $0.key.isEmpty || $0.value.isEmpty }) {
            throw DBSSEmulatorError(.invalidConfiguration, "access keys and secret keys must not be empty")
        }
    }
}

/// An IAM user that the emulated IAM endpoint issues tokens for.
///
/// `description` hides the password so a configuration can be logged or printed safely.
public struct IAMUser: Sendable, Hashable, CustomStringConvertible {
    /// IAM user name (`auth.identity.password.user.name`).
    public var name: String
    /// The user's password (`auth.identity.password.user.password`).
    public var password: String
    /// Account (domain) name the user belongs to (`auth.identity.password.user.domain.name`).
    public var domain: String

    /// Creates an IAM user.
    public init(name: String, password: String, domain: String) {
        self.name = name
        self.password = password
        self.domain = domain
    }

    /// The user and domain, never the password.
    public var description: String { "IAMUser(\(name)@\(domain))" }
}
