/// A port that a database product listens on by default, and the wire protocol expected there.
public struct KnownPort: Hashable, Sendable {
    public let port: UInt16
    public let wire: WireProtocol

    /// Default ports of the databases DBSS audits (see docs/coverage.md), and of Redis.
    public static let all: [KnownPort] = [
        KnownPort(port: 5432, wire: .postgres),  // PostgreSQL, openGauss, Greenplum
        KnownPort(port: 54321, wire: .postgres),  // KingbaseES
        KnownPort(port: 5866, wire: .postgres),  // HighGo
        KnownPort(port: 8000, wire: .postgres),  // GaussDB(DWS)
        KnownPort(port: 3306, wire: .mysql),  // MySQL, MariaDB, TaurusDB
        KnownPort(port: 4000, wire: .mysql),  // TiDB
        KnownPort(port: 5258, wire: .mysql),  // GBase 8a
        KnownPort(port: 1433, wire: .tds),  // SQL Server
        KnownPort(port: 1521, wire: .tns),  // Oracle
        KnownPort(port: 1522, wire: .tns),  // Oracle, a second listener
        KnownPort(port: 2484, wire: .tns),  // Oracle over TLS (TCPS)
        KnownPort(port: 27017, wire: .mongodb),  // MongoDB, DDS
        KnownPort(port: 5236, wire: .dameng),  // Dameng
        KnownPort(port: 2003, wire: .shentong),  // ShenTong
        KnownPort(port: 9088, wire: .informix),  // GBase 8s
        KnownPort(port: 6379, wire: .redis),  // Redis (reported, not registrable)
        KnownPort(port: 50000, wire: .drda),  // Db2 (reported, not registrable)
    ]

    /// The protocol expected on `port`, if it is a well-known database port.
    public static func wire(for port: UInt16) -> WireProtocol? {
        all.first { $0.port == port }?.wire
    }
}

/// The wire protocols dbscout knows how to start a conversation in.
public enum WireProtocol: String, Hashable, Sendable, CaseIterable, Codable {
    case postgres, mysql, redis, tds, tns, mongodb, drda, dameng, shentong, informix
}
