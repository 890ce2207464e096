import NIOCore

/// A REDIRECT: the listener names another address to connect to (a dispatcher, another node). The probe records it
/// and never follows it, so a scan never leaves the endpoint it was given.
public struct TNSRedirect: Sendable, Hashable {
    /// The redirect descriptor, e.g. `(ADDRESS=(PROTOCOL=TCP)(HOST=10.0.0.9)(PORT=40012))`.
    public let text: String

    /// Decodes a REDIRECT packet; `rest` holds the bytes after it. The data either follows the 2-byte length inside
    /// the packet or arrives in the DATA packet right after (2 bytes of data flags, then the text), which is how
    /// Oracle's thin drivers expect some listeners to send it.
    static func decode(_ packet: TNSPacket, rest: ByteBuffer) -> Decoded<TNSRedirect> {
        var body = packet.body
        guard let length: UInt16 = body.readInteger(), length > 0 else {
            return .invalid("REDIRECT without a data length")
        }
        if body.readableBytes > 0 {
            guard body.readableBytes == Int(length), let text = TNSText.printable(Array(body.readableBytesView)) else {
                return .invalid("REDIRECT data does not match its length or is not text")
            }
            return .message(TNSRedirect(text: text), consumed: packet.length)
        }
        switch TNSDataPacket.decode(rest) {
        case .needMoreData: return .needMoreData
        case .invalid(let reason): return .invalid("redirect data packet: \(reason)")
        case .message(let data, let consumed):
            guard data.payload.count >= Int(length),
                let text = TNSText.printable(Array(data.payload.prefix(Int(length))))
            else { return .invalid("redirect data packet is shorter than the stated length or not text") }
            return .message(TNSRedirect(text: text), consumed: packet.length + consumed)
        }
    }
}
