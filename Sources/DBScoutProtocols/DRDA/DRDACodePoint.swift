/// The DDM code points a probe sends or reads (IBM DDM architecture; the same numbers zgrab2 and nmap use).
public enum DRDACodePoint {
    /// EXCSAT: exchange server attributes, the first command of every DRDA conversation.
    public static let exchangeServerAttributes: UInt16 = 0x1041
    /// EXCSATRD: the server's attributes in reply.
    public static let exchangeServerAttributesReply: UInt16 = 0x1443
    /// EXTNAM: the name of the job or process.
    public static let externalName: UInt16 = 0x115E
    /// SRVNAM: the server's (for Db2, the instance's) name.
    public static let serverName: UInt16 = 0x116D
    /// SRVRLSLV: product and release, `PPPvvrrm` (e.g. `SQL11055`).
    public static let serverReleaseLevel: UInt16 = 0x115A
    /// SRVCLSNM: product family and platform (e.g. `QDB2/LINUXX8664`).
    public static let serverClassName: UInt16 = 0x1147
    /// MGRLVLLS: the managers the sender supports, as (code point, level) pairs.
    public static let managerLevels: UInt16 = 0x1404
    /// PRDID: product-specific identifier.
    public static let productID: UInt16 = 0x112E

    /// AGENT manager.
    public static let agent: UInt16 = 0x1403
    /// SQLAM: SQL application manager.
    public static let sqlApplicationManager: UInt16 = 0x2407
    /// RDB: relational database manager.
    public static let relationalDatabase: UInt16 = 0x240F
    /// SECMGR: security manager.
    public static let securityManager: UInt16 = 0x1440
    /// CMNTCPIP: TCP/IP communications manager.
    public static let tcpIPCommunications: UInt16 = 0x1474
}
