import NIOCore

/// What a server says to a startup packet before authentication: an optional NegotiateProtocolVersion, then an
/// ErrorResponse or an authentication request.
public struct PostgresStartupReply: Sendable, Hashable {
    public var negotiation: PostgresNegotiateProtocolVersion?
    public var error: PostgresErrorResponse?
    /// The authentication request code (`R`), e.g. 5 for MD5, 10 for SASL: the server would let us log in.
    public var authenticationRequest: UInt32?

    public init(
        negotiation: PostgresNegotiateProtocolVersion? = nil,
        error: PostgresErrorResponse? = nil,
        authenticationRequest: UInt32? = nil
    ) {
        self.negotiation = negotiation
        self.error = error
        self.authenticationRequest = authenticationRequest
    }

    /// Decodes frames until an error or an authentication request ends the reply.
    public static func decode(_ bytes: ByteBuffer) -> Decoded<PostgresStartupReply> {
        var reply = PostgresStartupReply()
        var rest = bytes
        var consumed = 0
        while true {
            switch PostgresBackendFrame.decode(rest) {
            case .needMoreData: return .needMoreData
            case .invalid(let reason): return .invalid(reason)
            case .message(let frame, let size):
                rest.moveReaderIndex(forwardBy: size)
                consumed += size
                switch frame.type {
                case UInt8(ascii: "v") where reply.negotiation == nil:
                    guard let negotiation = PostgresNegotiateProtocolVersion.decode(body: frame.body) else {
                        return .invalid("malformed NegotiateProtocolVersion")
                    }
                    reply.negotiation = negotiation
                case UInt8(ascii: "E"):
                    guard let error = PostgresErrorResponse.parseFields(frame.body) else {
                        return .invalid("ErrorResponse fields are malformed or lack S, C and M")
                    }
                    reply.error = error
                    return .message(reply, consumed: consumed)
                case UInt8(ascii: "R"):
                    guard frame.body.readableBytes >= 4,
                        let code: UInt32 = frame.body.getInteger(at: frame.body.readerIndex)
                    else { return .invalid("malformed authentication request") }
                    reply.authenticationRequest = code
                    return .message(reply, consumed: consumed)
                default:
                    return .invalid("unexpected message type \(frame.typeDescription) in a startup reply")
                }
            }
        }
    }
}
