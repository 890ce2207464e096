import NIOCore

/// An ERR packet, which a server sends instead of the greeting when it refuses the client outright
/// (1130 host not allowed, 1040 too many connections, 1129 host blocked, ...).
public struct MySQLErrorPacket: Sendable, Hashable {
    public let code: UInt16
    public let sqlState: String?
    public let message: String

    /// Error codes a server sends before any greeting.
    public static let preGreetingCodes: Set<UInt16> = [1040, 1129, 1130, 1203, 1226, 1251, 1045, 1152, 1159]

    /// Decodes an ERR packet payload (`0xFF`, code, optional `#` + SQLSTATE, message).
    public static func decode(payload: ByteBuffer) -> MySQLErrorPacket? {
        var bytes = payload
        guard let marker: UInt8 = bytes.readInteger(), marker == 0xff,
            let code: UInt16 = bytes.readInteger(endianness: .little), (1000...65535).contains(code)
        else { return nil }
        var state: String?
        if bytes.getInteger(at: bytes.readerIndex, as: UInt8.self) == UInt8(ascii: "#") {
            bytes.moveReaderIndex(forwardBy: 1)
            guard let text = bytes.readString(length: 5) else { return nil }
            state = text
        }
        guard let message = bytes.readString(length: bytes.readableBytes), !message.isEmpty,
            message.unicodeScalars.allSatisfy({ $0.value >= 0x20 || $0 == "\n" })
        else { return nil }
        return MySQLErrorPacket(code: code, sqlState: state, message: message)
    }
}
