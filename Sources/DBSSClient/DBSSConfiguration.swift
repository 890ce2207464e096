import DBScoutCore

/// Which generation of the DBSS paths to call.
public enum DBSSAPIVersion: String, Sendable, Hashable, CaseIterable {
    /// `POST /v1/{project_id}/{instance_id}/audit/databases` — the documented contract, marked "to be taken
    /// offline" by Huawei but still what Terraform uses.
    case v1
    /// `POST /v2/{project_id}/audit/{instance_id}/databases` — the replacement, same body and response.
    case v2
}

/// Where DBSS is and how to authenticate.
public struct DBSSConfiguration: Sendable {
    /// The API generation type, reachable by a qualified name where another module declares one too.
    public typealias APIVersion = DBSSAPIVersion

    /// Base URL, e.g. `https://dbss.cn-north-4.myhuaweicloud.com`.
    public var endpoint: String
    public var projectID: String
    public var instanceID: String
    public var apiVersion: DBSSAPIVersion
    /// The IAM token sent as `X-Auth-Token`.
    public var token: Secret
    /// Deadline for one HTTP exchange.
    public var requestTimeout: Duration
    /// How long to keep trying to connect before DBSS counts as unreachable.
    public var connectTimeout: Duration

    public init(
        endpoint: String,
        projectID: String,
        instanceID: String,
        apiVersion: DBSSAPIVersion = .v1,
        token: Secret,
        requestTimeout: Duration = .seconds(30),
        connectTimeout: Duration = .seconds(5)
    ) {
        self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        self.projectID = projectID
        self.instanceID = instanceID
        self.apiVersion = apiVersion
        self.token = token
        self.requestTimeout = requestTimeout
        self.connectTimeout = connectTimeout
    }

    /// The add-database path for the configured API version.
    public var addDatabasePath: String {
        switch apiVersion {
        case .v1: "/v1/\(projectID)/\(instanceID)/audit/databases"
        case .v2: "/v2/\(projectID)/audit/\(instanceID)/databases"
        }
    }

    /// The list path for the configured API version.
    public var listDatabasesPath: String {
        switch apiVersion {
        case .v1: "/v1/\(projectID)/\(instanceID)/dbss/audit/databases"
        case .v2: "/v2/\(projectID)/audit/\(instanceID)/databases"
        }
    }
}
