import NIOCore

/// The client's PRELOGIN (packet type 0x12, MS-TDS 2.2.6.5): the first message of every TDS 7.x connection.
///
/// Every SQL Server from 2000 on answers it before authentication with its exact product version and its
/// encryption stance, which is all a probe needs.
public struct TDSPreloginRequest: Sendable, Hashable {
    /// The encryption the client asks for.
    ///
    /// The probe asks ENCRYPT_OFF because the answer to OFF tells the most: a server that forces encryption
    /// answers ENCRYPT_REQ, one with a certificate but no forcing answers ENCRYPT_OFF (TLS for the login packet
    /// only), and one without TLS answers ENCRYPT_NOT_SUP. Asking ENCRYPT_ON would get ENCRYPT_ON from both of the
    /// first two, hiding whether plain sessions are allowed, which is what decides whether DBSS can audit it.
    public var encryption: TDSEncryption
    /// The client's own version. Zero claims no particular driver; servers answer it all the same.
    public var clientVersion: TDSProductVersion
    /// The instance the client means to reach; empty for the default instance, which every server accepts.
    public var instance: String
    /// The client's thread id, for the server's debugging only; little-endian on the wire, unlike the table.
    public var threadID: UInt32
    public var mars: Bool

    /// What the probe sends: ENCRYPT_OFF, default instance, no MARS.
    public static let probe = TDSPreloginRequest()

    public init(
        encryption: TDSEncryption = TDSEncryption(.off),
        clientVersion: TDSProductVersion = TDSProductVersion(major: 0, minor: 0, build: 0),
        instance: String = "",
        threadID: UInt32 = 0,
        mars: Bool = false
    ) {
        self.encryption = encryption
        self.clientVersion = clientVersion
        self.instance = instance
        self.threadID = threadID
        self.mars = mars
    }

    /// The packet to send: VERSION, ENCRYPTION, INSTOPT, THREADID and MARS, in that order (servers insist on
    /// VERSION first), then the terminator and the option data.
    public func encode() -> ByteBuffer {
        var version = ByteBuffer()
        clientVersion.write(to: &version)
        var instanceName = ByteBuffer()
        instanceName.writeString(instance)
        instanceName.writeInteger(UInt8(0))
        let payload = TDSPreloginOptionTable.encode([
            (.version, version),
            (.encryption, ByteBuffer(bytes: [encryption.byte])),
            (.instance, instanceName),
            (.threadID, ByteBuffer(integer: threadID, endianness: .little)),
            (.mars, ByteBuffer(bytes: [mars ? 1 : 0])),
        ])
        return TDSPacket(type: TDSPacket.PacketType.prelogin, packetID: 1, payload: payload).encode()
    }
}
