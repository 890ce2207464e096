/// What answered on a port, as precisely as the handshake allows.
public enum DatabaseProduct: String, Hashable, Sendable, Codable, CaseIterable {
    // PostgreSQL wire protocol
    case postgresql, opengauss, greenplum, kingbase, highgo
    /// Connection poolers that speak the PostgreSQL protocol; they front a database but are not one.
    case pgbouncer, pgpool
    // MySQL wire protocol
    case mysql, mariadb, percona, aurora, tidb, oceanbase, gbase8a, taurus
    case sqlserver, oracle, mongodb, db2
    case redis, valkey

    /// The product's name as people write it.
    public var displayName: String {
        switch self {
        case .postgresql: "PostgreSQL"
        case .opengauss: "openGauss/GaussDB"
        case .greenplum: "Greenplum"
        case .kingbase: "KingbaseES"
        case .highgo: "HighGo"
        case .pgbouncer: "PgBouncer (pooler)"
        case .pgpool: "Pgpool-II (pooler)"
        case .mysql: "MySQL"
        case .mariadb: "MariaDB"
        case .percona: "Percona Server"
        case .aurora: "Aurora MySQL"
        case .tidb: "TiDB"
        case .oceanbase: "OceanBase"
        case .gbase8a: "GBase 8a"
        case .taurus: "TaurusDB"
        case .sqlserver: "SQL Server"
        case .oracle: "Oracle"
        case .mongodb: "MongoDB"
        case .db2: "Db2"
        case .redis: "Redis"
        case .valkey: "Valkey"
        }
    }

    /// The wire protocol family, which decides how versions are written.
    public var family: ProductFamily {
        switch self {
        case .postgresql, .opengauss, .greenplum, .kingbase, .highgo, .pgbouncer, .pgpool: .postgres
        case .mysql, .mariadb, .percona, .aurora, .tidb, .oceanbase, .gbase8a, .taurus: .mysql
        case .sqlserver: .sqlserver
        case .oracle: .oracle
        case .mongodb: .mongodb
        case .db2, .redis, .valkey: .other
        }
    }

    /// The DBSS `type` this product registers as, or `nil` when DBSS cannot audit it.
    ///
    /// MariaDB, Percona, Aurora, TiDB and OceanBase have no self-built `type` of their own; they speak the MySQL
    /// protocol, which is what DBSS's agent parses, so they register as `MYSQL` (docs/coverage.md).
    public var dbssType: DBSSType? {
        switch self {
        case .postgresql: .postgresql
        case .opengauss: .gaussdbOpenGauss
        case .greenplum: .greenplum
        case .kingbase: .kingbase
        case .highgo: .highgo
        case .mysql, .mariadb, .percona, .aurora, .tidb, .oceanbase: .mysql
        case .gbase8a: .gbase8a
        case .taurus: .taurus
        case .sqlserver: .sqlserver
        case .oracle: .oracle
        case .mongodb: .mongodb
        case .pgbouncer, .pgpool, .db2, .redis, .valkey: nil
        }
    }
}

/// Products grouped by wire protocol, for rules that hold across a family.
public enum ProductFamily: String, Hashable, Sendable {
    case postgres, mysql, sqlserver, oracle, mongodb, other
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
