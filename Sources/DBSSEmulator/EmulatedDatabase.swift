/// The API generation a request used: the deprecated v1 paths or their v2 replacements.
public enum DBSSAPIVersion: String, Sendable, Hashable, Codable, CaseIterable {
    /// `/v1/{project_id}/{instance_id}/audit/databases` and the other v1 paths.
    case v1
    /// `/v2/{project_id}/audit/{instance_id}/databases` and the other v2 paths.
    case v2
}

/// One database record the emulator holds, as added through the "add a self-built database" API.
///
/// Encodes with the API's snake_case field names; this is what `GET /_emulator/databases` returns.
public struct EmulatedDatabase: Sendable, Hashable, Codable {
    /// The 20-character record ID returned by the add call.
    public var id: String
    /// `ECS` (self-built) or `RDS`.
    public var dbClassification: String
    /// Asset name.
    public var name: String
    /// Database type, one of the 17 documented values such as `MYSQL`.
    public var type: String
    /// Database version string as sent by the client.
    public var version: String
    /// `UTF8` or `GBK`.
    public var charset: String
    /// IP address literal as sent by the client.
    public var ip: String
    /// Port as the decimal string sent by the client.
    public var port: String
    /// `LINUX64`, `WINDOWS64` or `UNIX`.
    public var os: String
    /// Optional database instance name.
    public var instanceName: String?
    /// Audit switch; a newly added database is always `OFF` on the real service.
    public var status: String
    /// Run state of the audited database; the emulator reports `ACTIVE`.
    public var auditStatus: String
    /// Which API generation added the record.
    public var apiVersion: DBSSAPIVersion

    /// Creates a record.
    public init(
        id: String,
        dbClassification: String,
        name: String,
        type: String,
        version: String,
        charset: String,
        ip: String,
        port: String,
        os: String,
        instanceName: String? = nil,
        status: String = "OFF",
        auditStatus: String = "ACTIVE",
        apiVersion: DBSSAPIVersion
    ) {
        self.id = id
        self.dbClassification = dbClassification
        self.name = name
        self.type = type
        self.version = version
        self.charset = charset
        self.ip = ip
        self.port = port
        self.os = os
        self.instanceName = instanceName
        self.status = status
        self.auditStatus = auditStatus
        self.apiVersion = apiVersion
    }

    private enum CodingKeys: String, CodingKey {
        case id
        case dbClassification = "db_classification"
        case name
        case type
        case version
        case charset
        case ip
        case port
        case os
        case instanceName = "instance_name"
        case status
        case auditStatus = "audit_status"
        case apiVersion = "api_version"
    }
}
