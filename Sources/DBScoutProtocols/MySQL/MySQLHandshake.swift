import NIOCore

/// The server greeting (Initial Handshake, protocol 10) that a MySQL-family server sends on connect.
public struct MySQLHandshake: Sendable, Hashable {
    public let protocolVersion: UInt8
    public let serverVersion: String
    public let connectionID: UInt32
    /// Capability flags, low and high halves combined.
    public let capabilities: UInt32
    /// The default collation id, when the greeting carries one.
    public let collationID: UInt8?
    public let statusFlags: UInt16?
    /// MariaDB's extended capabilities (in the reserved bytes, when `CLIENT_MYSQL` is cleared).
    public let mariaDBCapabilities: UInt32?
    public let authPluginName: String?

    /// `CLIENT_SSL`: the server can switch to TLS.
    public static let clientSSL: UInt32 = 1 << 11
    static let clientMySQL: UInt32 = 1
    static let clientSecureConnection: UInt32 = 1 << 15
    static let clientPluginAuth: UInt32 = 1 << 19

    /// Whether the server offers TLS.
    public var offersTLS: Bool { capabilities & MySQLHandshake.clientSSL != 0 }

    /// Decodes a greeting packet's payload.
    public static func decode(payload: ByteBuffer) -> MySQLHandshake? {
        var bytes = payload
        guard let protocolVersion: UInt8 = bytes.readInteger(), protocolVersion == 10,
            let version = bytes.readNullTerminatedString(), !version.isEmpty, version.utf8.count <= 128,
            version.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 && $0.value < 0x7f }),
            let connectionID: UInt32 = bytes.readInteger(endianness: .little),
            bytes.readSlice(length: 8) != nil,
            let filler: UInt8 = bytes.readInteger(), filler == 0,
            let capabilityLow: UInt16 = bytes.readInteger(endianness: .little)
        else { return nil }
        return decodeRest(&bytes, protocolVersion, version, connectionID, UInt32(capabilityLow))
    }

    /// The part after the lower capability flags, which servers older than 4.1 leave out.
    private static func decodeRest(
        _ bytes: inout ByteBuffer,
        _ protocolVersion: UInt8,
        _ version: String,
        _ connectionID: UInt32,
        _ capabilityLow: UInt32
    ) -> MySQLHandshake? {
        var capabilities = capabilityLow
        var collation: UInt8?
        var status: UInt16?
        var extended: UInt32?
        var plugin: String?
        if let charset: UInt8 = bytes.readInteger() {
            guard let flags: UInt16 = bytes.readInteger(endianness: .little),
                let high: UInt16 = bytes.readInteger(endianness: .little),
                let authLength: UInt8 = bytes.readInteger(), let reserved = bytes.readSlice(length: 10)
            else { return nil }
            collation = charset
            status = flags
            capabilities |= UInt32(high) << 16
            if capabilities & clientMySQL == 0 {
                extended = reserved.getInteger(at: reserved.readerIndex + 6, endianness: .little)
            }
            if capabilities & clientSecureConnection != 0 {
                guard bytes.readSlice(length: max(13, Int(authLength) - 8)) != nil else { return nil }
            }
            if capabilities & clientPluginAuth != 0, bytes.readableBytes > 0 {
                plugin = bytes.readNullTerminatedString() ?? bytes.readString(length: bytes.readableBytes)
            }
        }
        return MySQLHandshake(
            protocolVersion: protocolVersion,
            serverVersion: version,
            connectionID: connectionID,
            capabilities: capabilities,
            collationID: collation,
            statusFlags: status,
            mariaDBCapabilities: extended,
            authPluginName: plugin
        )
    }
}
