import NIOCore

/// One MySQL protocol packet: a 3-byte little-endian payload length, a sequence id, and the payload.
public struct MySQLPacket: Sendable, Hashable {
    public let sequenceID: UInt8
    public let payload: ByteBuffer

    /// The largest pre-authentication packet a probe accepts; real greetings are about 100 bytes.
    public static let maxPayload = 16 * 1024

    /// Decodes one packet from the front of `bytes`.
    public static func decode(_ bytes: ByteBuffer) -> Decoded<MySQLPacket> {
        var bytes = bytes
        guard let low: UInt16 = bytes.readInteger(endianness: .little), let high: UInt8 = bytes.readInteger(),
            let sequence: UInt8 = bytes.readInteger()
        else { return .needMoreData }
        let length = Int(high) << 16 | Int(low)
        guard length > 0, length <= maxPayload else {
            return .invalid("packet length \(length) is outside 1...\(maxPayload)")
        }
        guard let payload = bytes.readSlice(length: length) else { return .needMoreData }
        return .message(MySQLPacket(sequenceID: sequence, payload: payload), consumed: length + 4)
    }
}
