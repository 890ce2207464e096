import DBScoutCore

/// Which generation of the DBSS paths to call.
public enum DBSSAPIVersion: String, Sendable, Hashable, CaseIterable {
    /// `POST /v1/{project_id}/{instance_id}/audit/databases` — the documented contract, marked "to be taken
    /// offline" by Huawei but still what Terraform uses.
    case v1
    /// `POST /v2/{project_id}/audit/{instance_id}/databases` — the replacement, same body and response.
    case v2
    /// v2 first; if DBSS answers 404 there, v1, and that choice holds for the client's lifetime.
    case auto
}

/// Where DBSS is, how to authenticate, and how patiently and how fast to call it.
public struct DBSSConfiguration: Sendable, CustomStringConvertible {
    /// The API generation type, reachable by a qualified name where another module declares one too.
    public typealias APIVersion = DBSSAPIVersion

    /// Base URL, e.g. `https://dbss.cn-north-4.myhuaweicloud.com`.
    public var endpoint: String
    public var projectID: String
    public var instanceID: String
    public var apiVersion: DBSSAPIVersion
    public var authentication: DBSSAuthentication
    /// Deadline for one HTTP exchange.
    public var requestTimeout: Duration
    /// How long one connection attempt may take before it counts as failed (and is retried by ``retryPolicy``).
    public var connectTimeout: Duration
    public var retryPolicy: DBSSRetryPolicy
    /// The client-side pace; `nil` for none.
    public var rateLimit: DBSSRateLimit?
    /// A PEM file whose certificates are the only trust roots for HTTPS (DBSS and IAM), for a TLS-inspecting
    /// proxy or a private endpoint; `nil` uses the system's roots.
    public var caBundlePath: String?
    /// An HTTP proxy as `http://host:port` (optionally `http://user:password@host:port`), reached with
    /// `CONNECT` for every request. Take it from `HTTPS_PROXY` where the deployment wants that; the client never
    /// reads the environment itself.
    public var proxy: String?

    /// A configuration with a static IAM token, as before other authentication existed.
    public init(
        endpoint: String,
        projectID: String,
        instanceID: String,
        apiVersion: DBSSAPIVersion = .v1,
        token: Secret,
        requestTimeout: Duration = .seconds(30),
        connectTimeout: Duration = .seconds(5)
    ) {
        self.init(
            endpoint: endpoint,
            projectID: projectID,
            instanceID: instanceID,
            apiVersion: apiVersion,
            authentication: .token(token),
            requestTimeout: requestTimeout,
            connectTimeout: connectTimeout
        )
    }

    /// - Parameters:
    ///   - endpoint: DBSS base URL; a trailing `/` is dropped.
    ///   - projectID: The project id in every path (and the IAM token scope unless a project name is given).
    ///   - instanceID: The audit instance.
    ///   - apiVersion: Which path generation to call.
    ///   - authentication: Token, IAM password or access key.
    ///   - requestTimeout: Deadline for one HTTP exchange.
    ///   - connectTimeout: Deadline for one connection attempt.
    ///   - retryPolicy: Retries of calls that may heal.
    ///   - rateLimit: Client-side pace; `nil` for none.
    ///   - caBundlePath: PEM trust roots replacing the system's.
    ///   - proxy: `http://host:port` of an HTTP proxy.
    public init(
        endpoint: String,
        projectID: String,
        instanceID: String,
        apiVersion: DBSSAPIVersion = .v1,
        authentication: DBSSAuthentication,
        requestTimeout: Duration = .seconds(30),
        connectTimeout: Duration = .seconds(5),
        retryPolicy: DBSSRetryPolicy = .default,
        rateLimit: DBSSRateLimit? = .default,
        caBundlePath: String? = nil,
        proxy: String? = nil
    ) {
        self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        self.projectID = projectID
        self.instanceID = instanceID
        self.apiVersion = apiVersion
        self.authentication = authentication
        self.requestTimeout = requestTimeout
        self.connectTimeout = connectTimeout
        self.retryPolicy = retryPolicy
        self.rateLimit = rateLimit
        self.caBundlePath = caBundlePath
        self.proxy = proxy
    }

    /// The static token of ``DBSSAuthentication/token(_:)``; `nil` for the other kinds.
    public var token: Secret? {
        guard case .token(let token) = authentication else { return nil }
        return token
    }

    public var description: String {
        "DBSS \(endpoint) project \(projectID) instance \(instanceID) API \(apiVersion.rawValue), \(authentication)"
            + (proxy == nil ? "" : ", via a proxy") + (caBundlePath.map { ", CA bundle \($0)" } ?? "")
    }

    /// The add-database path; for ``DBSSAPIVersion/auto`` the v2 path, which is tried first.
    public var addDatabasePath: String { addDatabasePath(apiVersion) }

    /// The list path; for ``DBSSAPIVersion/auto`` the v2 path, which is tried first.
    public var listDatabasesPath: String { listDatabasesPath(apiVersion) }

    /// The add-database path of one generation.
    public func addDatabasePath(_ version: DBSSAPIVersion) -> String {
        switch version {
        case .v1: path("v1", projectID, instanceID, "audit", "databases")
        case .v2, .auto: path("v2", projectID, "audit", instanceID, "databases")
        }
    }

    /// The list-databases path of one generation.
    public func listDatabasesPath(_ version: DBSSAPIVersion) -> String {
        switch version {
        case .v1: path("v1", projectID, instanceID, "dbss", "audit", "databases")
        case .v2, .auto: path("v2", projectID, "audit", instanceID, "databases")
        }
    }

    /// The list-audit-instances path that belongs with one generation: the old `/dbss/` form with v1.
    public func listInstancesPath(_ version: DBSSAPIVersion) -> String {
        switch version {
        case .v1: path("v1", projectID, "dbss", "audit", "instances")
        case .v2, .auto: path("v1", projectID, "audit", "instances")
        }
    }

    /// Segments joined with `/`, each percent-encoded, so an odd id cannot change the path's shape.
    private func path(_ segments: String...) -> String {
        "/" + segments.map(AKSKSigner.encode).joined(separator: "/")
    }
}
