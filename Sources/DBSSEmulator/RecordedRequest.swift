/// One entry of the emulator's request log, for assertions such as "the client added exactly once".
public struct RecordedRequest: Sendable, Hashable, Codable {
    /// What a request was for, independent of the API generation used.
    public enum Operation: String, Sendable, Hashable, Codable {
        /// `POST` add self-built database (v1 or v2).
        case addDatabase = "add_database"
        /// `GET` list databases of the instance (v1 or v2).
        case listDatabases = "list_databases"
        /// `GET` list audit instances.
        case listInstances = "list_instances"
        /// `POST /v3/auth/tokens`.
        case issueToken = "issue_token"
        /// Any `/_emulator/...` admin route.
        case admin
        /// A path or method that matched no route (answered 404 or 405).
        case unknown
    }

    /// The credentials a request presented.
    public enum Authentication: String, Sendable, Hashable, Codable {
        /// An `X-Auth-Token` header.
        case token
        /// An `Authorization: SDK-HMAC-SHA256 …` signature (and no token).
        case accessKey = "aksk"
    }

    /// HTTP method, e.g. `POST`.
    public var method: String
    /// Request path without the query string.
    public var path: String
    /// What the request was for.
    public var operation: Operation
    /// API generation of a DBSS route, `nil` for IAM, admin and unknown routes.
    public var apiVersion: DBSSAPIVersion?
    /// HTTP status answered; `nil` when a fault closed the connection without a response.
    public var status: Int?
    /// Whether an injected fault decided the outcome (failure, delay, closed connection, …).
    public var faultInjected: Bool
    /// The credentials presented, whether or not they were accepted; `nil` when there were none.
    public var authentication: Authentication?

    /// Creates a log entry.
    public init(
        method: String,
        path: String,
        operation: Operation,
        apiVersion: DBSSAPIVersion?,
        status: Int?,
        faultInjected: Bool,
        authentication: Authentication? = nil
    ) {
        self.method = method
        self.path = path
        self.operation = operation
        self.apiVersion = apiVersion
        self.status = status
        self.faultInjected = faultInjected
        self.authentication = authentication
    }

    private enum CodingKeys: String, CodingKey {
        case method
        case path
        case operation
        case apiVersion = "api_version"
        case status
        case faultInjected = "fault_injected"
        case authentication
    }
}
