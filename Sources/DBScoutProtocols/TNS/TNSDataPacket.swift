import NIOCore

/// A DATA packet: 2 bytes of data flags, then the payload. A listener that accepts the `version` command sends its
/// banner in one; newer listeners send redirect data in one.
public struct TNSDataPacket: Sendable, Hashable {
    public let dataFlags: UInt16
    public let payload: [UInt8]

    /// The payload's printable runs, one per line.
    public var lines: String { TNSText.lines(payload) }

    /// Decodes one DATA packet from the front of `bytes`, in the length form the connection has settled on.
    public static func decode(_ bytes: ByteBuffer, form: TNSLengthForm = .short) -> Decoded<TNSDataPacket> {
        switch TNSPacket.decode(bytes, form: form) {
        case .needMoreData: return .needMoreData
        case .invalid(let reason): return .invalid(reason)
        case .message(let packet, let consumed):
            guard packet.type == .data else { return .invalid("packet type \(packet.type) is not DATA") }
            var body = packet.body
            guard let flags: UInt16 = body.readInteger() else { return .invalid("DATA without data flags") }
            return .message(TNSDataPacket(dataFlags: flags, payload: Array(body.readableBytesView)), consumed: consumed)
        }
    }
}
