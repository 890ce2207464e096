import NIOCore

/// What a listener answers to a CONNECT.
public enum TNSListenerReply: Sendable, Hashable {
    /// Send the CONNECT again (the listener in the public 12c trace asks this of the first CONNECT).
    case resend
    case accept(TNSAccept)
    case refuse(TNSRefuse)
    case redirect(TNSRedirect)

    /// Decodes the reply at the front of `bytes`. Replies to a CONNECT always use the 2-byte length form.
    public static func decode(_ bytes: ByteBuffer) -> Decoded<TNSListenerReply> {
        switch TNSPacket.decode(bytes) {
        case .needMoreData: return .needMoreData
        case .invalid(let reason): return .invalid(reason)
        case .message(let packet, let consumed):
            return reply(
                packet,
                consumed: consumed,
                rest: bytes.getSlice(at: bytes.readerIndex + consumed, length: bytes.readableBytes - consumed)
                    ?? ByteBuffer()
            )
        }
    }

    private static func reply(_ packet: TNSPacket, consumed: Int, rest: ByteBuffer) -> Decoded<TNSListenerReply> {
        switch packet.type {
        case .resend:
            return .message(.resend, consumed: consumed)
        case .accept:
            return layout(TNSAccept.decode(packet), consumed: consumed, as: TNSListenerReply.accept)
        case .refuse:
            return layout(TNSRefuse.decode(packet), consumed: consumed, as: TNSListenerReply.refuse)
        case .redirect:
            switch TNSRedirect.decode(packet, rest: rest) {
            case .message(let redirect, let used): return .message(.redirect(redirect), consumed: used)
            case .needMoreData: return .needMoreData
            case .invalid(let reason): return .invalid(reason)
            }
        default:
            return .invalid("packet type \(packet.type) is not a listener's answer to CONNECT")
        }
    }

    private static func layout<Body>(
        _ result: Result<Body, TNSLayoutProblem>,
        consumed: Int,
        as wrap: (Body) -> TNSListenerReply
    ) -> Decoded<TNSListenerReply> {
        switch result {
        case .success(let body): .message(wrap(body), consumed: consumed)
        case .failure(let problem): .invalid(problem.reason)
        }
    }
}
