import NIOCore

extension MySQLObservation {
    /// Decodes the first packet a MySQL-family server sends: a protocol-10 greeting or an ERR packet.
    public static func decode(_ bytes: ByteBuffer) -> Decoded<MySQLObservation> {
        switch MySQLPacket.decode(bytes) {
        case .needMoreData: return .needMoreData
        case .invalid(let reason): return .invalid(reason)
        case .message(let packet, let consumed):
            if let greeting = MySQLHandshake.decode(payload: packet.payload) {
                return .message(.greeting(greeting), consumed: consumed)
            }
            if let error = MySQLErrorPacket.decode(payload: packet.payload) {
                return .message(.refusal(error), consumed: consumed)
            }
            return .invalid("first packet is neither a protocol-10 greeting nor an ERR packet")
        }
    }
}
