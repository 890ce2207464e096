/// The `database` object of DBSS's add-database request. Every field is a JSON string, the port included,
/// exactly as the API reference and every Huawei Cloud SDK send it.
public struct DBSSDatabase: Sendable, Hashable, Codable {
    /// `ECS` for a self-built database.
    public var dbClassification: String
    public var name: String
    /// One of the `type` enum values, e.g. `POSTGRESQL`.
    public var type: String
    public var version: String
    /// `UTF8` or `GBK`.
    public var charset: String
    public var ip: String
    /// The port as a decimal string.
    public var port: String
    /// `LINUX64`, `WINDOWS64` or `UNIX`.
    public var os: String
    public var instanceName: String?
    /// DBSS's id; only present in list responses.
    public var id: String?

    public init(
        dbClassification: String = "ECS",
        name: String,
        type: String,
        version: String,
        charset: String,
        ip: String,
        port: String,
        os: String,
        instanceName: String? = nil,
        id: String? = nil
    ) {
        self.dbClassification = dbClassification
        self.name = name
        self.type = type
        self.version = version
        self.charset = charset
        self.ip = ip
        self.port = port
        self.os = os
        self.instanceName = instanceName
        self.id = id
    }

    enum CodingKeys: String, CodingKey {
        case dbClassification = "db_classification"
        case name, type, version, charset, ip, port, os, id
        case instanceName = "instance_name"
    }
}

/// The add-database request body: `{"database": {...}}`.
struct DBSSAddDatabaseRequest: Encodable {
    let database: DBSSDatabase
}

/// The add-database success body: `{"id": "..."}`.
struct DBSSAddDatabaseResponse: Decodable {
    let id: String
}

/// One page of the list API: `{"databases": [{"database": {...}}], "total": N}`.
public struct DBSSDatabasePage: Sendable, Hashable, Decodable {
    public let databases: [DBSSDatabase]
    public let total: Int

    private struct Wrapper: Decodable { let database: DBSSDatabase }
    private enum CodingKeys: String, CodingKey { case databases, total }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        databases = try container.decode([Wrapper].self, forKey: .databases).map(\.database)
        total = try container.decode(Int.self, forKey: .total)
    }
}
