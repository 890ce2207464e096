import DBScoutCore

/// How the client proves who it is to DBSS.
///
/// Every textual form hides the secrets: passwords, secret keys and tokens print as `<redacted>`.
public enum DBSSAuthentication: Sendable, Hashable, CustomStringConvertible {
    /// A ready IAM token, sent unchanged as `X-Auth-Token`. It cannot be renewed: when it expires every call
    /// fails with ``DBSSError/Action/stop``.
    case token(Secret)
    /// An IAM user's password: the client obtains a project-scoped token from IAM, caches it and renews it
    /// before it expires or when DBSS refuses it.
    case iam(IAMPasswordCredentials)
    /// An access key pair: every request is signed with `SDK-HMAC-SHA256` (see ``AKSKSigner``).
    /// `securityToken` is the STS token that comes with temporary keys, sent as `X-Security-Token`.
    case accessKey(ak: String, sk: Secret, securityToken: Secret?)

    public var description: String {
        switch self {
        case .token: "token(<redacted>)"
        case .iam(let credentials): "iam(\(credentials))"
        case .accessKey(let ak, _, let securityToken):
            "accessKey(\(ak), sk: <redacted>\(securityToken == nil ? "" : ", securityToken: <redacted>"))"
        }
    }
}

/// An IAM user's password credentials and how the token obtained with them is scoped and renewed.
public struct IAMPasswordCredentials: Sendable, Hashable, CustomStringConvertible {
    /// IAM base URL, e.g. `https://iam.cn-north-4.myhuaweicloud.com` or the global `https://iam.myhuaweicloud.com`.
    public var endpoint: String
    /// The IAM user name (`auth.identity.password.user.name`).
    public var user: String
    public var password: Secret
    /// The account (domain) the user belongs to.
    public var domain: String
    /// The project to scope the token to by name (on Huawei Cloud the default project is named after the region,
    /// e.g. `cn-north-4`); `nil` scopes it by the configuration's project id.
    public var projectName: String?
    /// A cached token is renewed once less than this much of its lifetime remains. IAM tokens last 24 hours;
    /// the default renews an hour ahead, before anything starts to fail. At most half the token's lifetime is
    /// used, so a short-lived token is still reused.
    public var refreshMargin: Duration

    public init(
        endpoint: String,
        user: String,
        password: Secret,
        domain: String,
        projectName: String? = nil,
        refreshMargin: Duration = .seconds(3600)
    ) {
        self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        self.user = user
        self.password = password
        self.domain = domain
        self.projectName = projectName
        self.refreshMargin = refreshMargin
    }

    public var description: String {
        "\(user)@\(domain) via \(endpoint)" + (projectName.map { " (project \($0))" } ?? "")
    }
}
