/// What answered on a port, as precisely as the handshake allows.
public enum DatabaseProduct: String, Hashable, Sendable, Codable, CaseIterable {
    case postgresql, mysql, mariadb, redis

    /// The product's name as people write it.
    public var displayName: String {
        switch self {
        case .postgresql: "PostgreSQL"
        case .mysql: "MySQL"
        case .mariadb: "MariaDB"
        case .redis: "Redis"
        }
    }

    /// The DBSS `type` this product registers as, or `nil` when DBSS cannot audit it.
    ///
    /// MariaDB has no `type` of its own in the add-database API (the enum lists `MARIADB` only for RDS);
    /// it speaks the MySQL protocol, which is what DBSS's agent parses, so it registers as `MYSQL`.
    public var dbssType: DBSSType? {
        switch self {
        case .postgresql: .postgresql
        case .mysql, .mariadb: .mysql
        case .redis: nil
        }
    }
}

/// The `type` values of DBSS's add-database API, spelled exactly as the API wants them.
public enum DBSSType: String, Hashable, Sendable, Codable, CaseIterable {
    case mysql = "MYSQL"
    case oracle = "ORACLE"
    case postgresql = "POSTGRESQL"
    case sqlserver = "SQLSERVER"
    case dameng = "DAMENG"
    case taurus = "TAURUS"
    case dws = "DWS"
    case kingbase = "KINGBASE"
    case gaussdbOpenGauss = "GAUSSDBOPENGAUSS"
    case greenplum = "GREENPLUM"
    case highgo = "HIGHGO"
    case shentong = "SHENTONG"
    case gbase8a = "GBASE8A"
    case gbase8s = "GBASE8S"
    case gbaseXDM = "GBASEXDM"
    case mongodb = "MONGODB"
    case dds = "DDS"
}

/// The `os` values DBSS accepts.
public enum HostOS: String, Hashable, Sendable, Codable, CaseIterable {
    case linux64 = "LINUX64"
    case windows64 = "WINDOWS64"
    case unix = "UNIX"
}

/// The `charset` values DBSS accepts.
public enum DBSSCharset: String, Hashable, Sendable, Codable, CaseIterable {
    case utf8 = "UTF8"
    case gbk = "GBK"
}

/// What a server said about TLS before authentication.
public enum TLSSupport: String, Hashable, Sendable, Codable {
    /// The server refuses TLS.
    case unsupported
    /// The server offers TLS but also accepts plain connections.
    case supported
    /// The server accepts only TLS connections; DBSS cannot audit such traffic.
    case required
    /// The handshake does not say.
    case unknown
}
