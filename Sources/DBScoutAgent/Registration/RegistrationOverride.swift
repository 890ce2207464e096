import DBSSClient
import DBScoutCore

/// A user's correction to what dbscout would submit for some findings: a DBSS `type` for a product dbscout
/// cannot tell apart, a name the team uses, or "never register this one".
public struct RegistrationOverride: Sendable, Hashable {
    /// Which findings it applies to; every criterion given must hold.
    public struct Match: Sendable, Hashable {
        public var address: IPAddress?
        public var port: UInt16?
        public var product: DatabaseProduct?

        public init(address: IPAddress? = nil, port: UInt16? = nil, product: DatabaseProduct? = nil) {
            self.address = address
            self.port = port
            self.product = product
        }

        func matches(_ finding: Finding) -> Bool {
            (address.map { $0 == finding.endpoint.address } ?? true)
                && (port.map { $0 == finding.endpoint.port } ?? true)
                && (product.map { $0 == finding.product } ?? true)
        }
    }

    public var match: Match
    public var type: DBSSType?
    public var version: String?
    public var os: HostOS?
    public var charset: DBSSCharset?
    public var name: String?
    public var instanceName: String?
    /// Keep the finding in the inventory but never submit it.
    public var skip: Bool

    public init(
        match: Match,
        type: DBSSType? = nil,
        version: String? = nil,
        os: HostOS? = nil,
        charset: DBSSCharset? = nil,
        name: String? = nil,
        instanceName: String? = nil,
        skip: Bool = false
    ) {
        self.match = match
        self.type = type
        self.version = version
        self.os = os
        self.charset = charset
        self.name = name
        self.instanceName = instanceName
        self.skip = skip
    }

    /// Applies the override's fields to a submission body.
    func apply(to database: inout DBSSDatabase) {
        if let type { database.type = type.rawValue }
        if let version { database.version = version }
        if let os { database.os = os.rawValue }
        if let charset { database.charset = charset.rawValue }
        if let name { database.name = name }
        if let instanceName { database.instanceName = instanceName }
    }
}
