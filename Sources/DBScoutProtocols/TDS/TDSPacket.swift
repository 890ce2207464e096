import NIOCore

/// One TDS packet (MS-TDS 2.2.3): an eight-byte header, then the payload.
///
/// The header is type, status, a big-endian length that counts the header itself, the server's process id
/// (SPID), a packet number and a window byte that is always unused.
public struct TDSPacket: Sendable, Hashable {
    public let type: UInt8
    public let status: UInt8
    public let spid: UInt16
    public let packetID: UInt8
    public let payload: ByteBuffer

    /// The header's size in bytes.
    public static let headerSize = 8
    /// The largest packet accepted before login. Packet sizes are negotiated in LOGIN7, so until then both sides
    /// are bound by the default size of 4096 bytes.
    public static let maxLengthBeforeLogin = 4096
    /// Status bit: this packet is the last one of its message.
    public static let endOfMessage: UInt8 = 0x01

    /// Packet types this module reads or writes.
    public enum PacketType {
        /// A server response: token stream, or the PRELOGIN answer before login.
        public static let tabularResult: UInt8 = 0x04
        /// The client's PRELOGIN.
        public static let prelogin: UInt8 = 0x12
    }

    public init(
        type: UInt8,
        status: UInt8 = TDSPacket.endOfMessage,
        spid: UInt16 = 0,
        packetID: UInt8,
        payload: ByteBuffer
    ) {
        self.type = type
        self.status = status
        self.spid = spid
        self.packetID = packetID
        self.payload = payload
    }

    /// Decodes one whole message that must fit in a single packet of `type`.
    ///
    /// Checks each header field as soon as its bytes arrive, so that a peer speaking something else is rejected
    /// after its first byte or two rather than after a read timeout.
    public static func decode(_ bytes: ByteBuffer, type expected: UInt8) -> Decoded<TDSPacket> {
        let start = bytes.readerIndex
        guard let type: UInt8 = bytes.getInteger(at: start) else { return .needMoreData }
        guard type == expected else { return .invalid("packet type \(hex(type)), expected \(hex(expected))") }
        guard let status: UInt8 = bytes.getInteger(at: start + 1) else { return .needMoreData }
        // Before login every message is one packet; continuation packets or client-only bits mean another protocol.
        guard status == endOfMessage else { return .invalid("packet status \(hex(status)), expected end of message") }
        guard let length: UInt16 = bytes.getInteger(at: start + 2) else { return .needMoreData }
        guard (headerSize...maxLengthBeforeLogin).contains(Int(length)) else {
            return .invalid("packet length \(length) is outside \(headerSize)...\(maxLengthBeforeLogin)")
        }
        guard bytes.readableBytes >= Int(length),
            let spid: UInt16 = bytes.getInteger(at: start + 4),
            let packetID: UInt8 = bytes.getInteger(at: start + 6),
            let payload = bytes.getSlice(at: start + headerSize, length: Int(length) - headerSize)
        else { return .needMoreData }
        let packet = TDSPacket(type: type, status: status, spid: spid, packetID: packetID, payload: payload)
        return .message(packet, consumed: Int(length))
    }

    /// The packet's bytes: header, then payload.
    ///
    /// - Precondition: the payload fits the 16-bit length field with the header; callers build small messages.
    public func encode() -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(type)
        buffer.writeInteger(status)
        buffer.writeInteger(UInt16(Self.headerSize + payload.readableBytes))
        buffer.writeInteger(spid)
        buffer.writeInteger(packetID)
        buffer.writeInteger(UInt8(0))
        var body = payload
        buffer.writeBuffer(&body)
        return buffer
    }

    static func hex(_ byte: UInt8) -> String {
        "0x" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16)
    }
}
