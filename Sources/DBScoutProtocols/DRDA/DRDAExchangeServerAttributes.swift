import NIOCore

/// A manager and the level of it that a side supports, as MGRLVLLS lists them.
public struct DRDAManagerLevel: Sendable, Hashable {
    public let codePoint: UInt16
    public let level: UInt16

    public init(_ codePoint: UInt16, _ level: UInt16) {
        self.codePoint = codePoint
        self.level = level
    }
}

/// EXCSAT, the command that opens a DRDA conversation: the requester's names and the managers it supports.
/// Db2 answers it before any authentication with its own attributes (EXCSATRD).
public struct DRDAExchangeServerAttributes: Sendable, Hashable {
    /// EXTNAM: the requester's process name.
    public var externalName: String
    /// SRVNAM: the requester's host name.
    public var serverName: String
    /// SRVRLSLV: the requester's product and release, `PPPvvrrm`.
    public var releaseLevel: String
    /// SRVCLSNM: the requester's product class.
    public var serverClassName: String
    /// MGRLVLLS: the managers and levels the requester supports.
    public var managerLevels: [DRDAManagerLevel]

    /// The levels IBM's JDBC driver offers (as a recorded driver sends them): agent, SQL application manager,
    /// relational database and security manager at level 7, TCP/IP at 5. Every Db2 since 8.x accepts them.
    public static let defaultManagerLevels = [
        DRDAManagerLevel(DRDACodePoint.agent, 7),
        DRDAManagerLevel(DRDACodePoint.sqlApplicationManager, 7),
        DRDAManagerLevel(DRDACodePoint.relationalDatabase, 7),
        DRDAManagerLevel(DRDACodePoint.securityManager, 7),
        DRDAManagerLevel(DRDACodePoint.tcpIPCommunications, 5),
    ]

    /// The requester dbscout presents: it names itself, so a server's logs show who asked.
    public init(
        externalName: String = "dbscout",
        serverName: String = "dbscout",
        releaseLevel: String = "DBS01000",
        serverClassName: String = "DBSCOUT",
        managerLevels: [DRDAManagerLevel] = Self.defaultManagerLevels
    ) {
        self.externalName = externalName
        self.serverName = serverName
        self.releaseLevel = releaseLevel
        self.serverClassName = serverClassName
        self.managerLevels = managerLevels
    }

    /// The parameters in the order IBM's driver sends them; names in EBCDIC, so the server answers in EBCDIC too.
    public var parameters: [DRDAParameter] {
        var levels: [UInt8] = []
        for manager in managerLevels {
            levels += [UInt8(manager.codePoint >> 8), UInt8(manager.codePoint & 0xFF)]
            levels += [UInt8(manager.level >> 8), UInt8(manager.level & 0xFF)]
        }
        return [
            DRDAParameter(DRDACodePoint.externalName, DRDAText.ebcdic(externalName)),
            DRDAParameter(DRDACodePoint.serverName, DRDAText.ebcdic(serverName)),
            DRDAParameter(DRDACodePoint.serverReleaseLevel, DRDAText.ebcdic(releaseLevel)),
            DRDAParameter(DRDACodePoint.managerLevels, levels),
            DRDAParameter(DRDACodePoint.serverClassName, DRDAText.ebcdic(serverClassName)),
        ]
    }

    /// The request as one unchained DSS.
    public func encode(correlationID: UInt16 = 1) -> ByteBuffer {
        DRDADataStream.encodeRequest(
            codePoint: DRDACodePoint.exchangeServerAttributes,
            parameters: parameters,
            correlationID: correlationID
        )
    }
}
