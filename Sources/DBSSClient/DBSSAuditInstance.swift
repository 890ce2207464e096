/// An audit instance as the instance list shows it (`AuditInstanceListBean`), reduced to what a capacity
/// pre-check needs.
public struct DBSSAuditInstance: Sendable, Hashable, Decodable {
    /// The instance id used in the per-instance paths.
    public let id: String
    public let name: String?
    /// `ACTIVE` when databases can be added; also `SHUTOFF`, `BUILD`, `ERROR`, `FROZEN`, `UPGRADING`, ….
    public let status: String
    /// How many databases the instance accepts (`database_limit`).
    public let databaseLimit: Int
    /// How many databases it holds (`config_num`).
    public let configNum: Int

    public init(id: String, name: String?, status: String, databaseLimit: Int, configNum: Int) {
        self.id = id
        self.name = name
        self.status = status
        self.databaseLimit = databaseLimit
        self.configNum = configNum
    }

    /// Databases that can still be added.
    public var remainingCapacity: Int { max(0, databaseLimit - configNum) }

    /// Whether the instance is running; DBSS accepts databases only then.
    public var isActive: Bool { status == "ACTIVE" }

    private enum CodingKeys: String, CodingKey {
        case id, name, status
        case databaseLimit = "database_limit"
        case configNum = "config_num"
    }
}

/// One page of the instance list: `{"servers": [...], "total": N}`.
public struct DBSSAuditInstancePage: Sendable, Hashable, Decodable {
    public let servers: [DBSSAuditInstance]
    public let total: Int
}
