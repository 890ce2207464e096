import NIOCore

/// The frontend's GSSENCRequest (length 8, code 1234.5680): "is GSSAPI encryption available?" Servers from 12 on
/// answer one byte; older ones take the code for a protocol version and reject it with an error.
public enum PostgresGSSENCRequest {
    /// The request code, 80877104.
    public static let code: UInt32 = 1234 << 16 | 5680

    /// The eight bytes to send.
    public static func encode() -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(8))
        buffer.writeInteger(code)
        return buffer
    }
}

/// The server's answer to a GSSENCRequest.
public enum PostgresGSSENCResponse: Sendable, Hashable {
    /// `G`: the server will start GSSAPI encryption (12 or later, built with GSSAPI).
    case willingToNegotiate
    /// `N`: no GSSAPI encryption here, but the request is understood (12 or later); a startup may follow.
    case notSupported
    /// An ErrorResponse: a server older than 12 that read the code as an unsupported protocol version.
    case rejected(PostgresErrorResponse)

    /// Whether the server understood the request, which only 12 and later do.
    public var understood: Bool {
        if case .rejected = self { return false }
        return true
    }

    /// Decodes the answer; anything but `G`, `N` or a well-formed ErrorResponse means the peer is not PostgreSQL.
    public static func decode(_ bytes: ByteBuffer) -> Decoded<PostgresGSSENCResponse> {
        guard let first: UInt8 = bytes.getInteger(at: bytes.readerIndex) else { return .needMoreData }
        switch first {
        case UInt8(ascii: "G"): return .message(.willingToNegotiate, consumed: 1)
        case UInt8(ascii: "N"): return .message(.notSupported, consumed: 1)
        case UInt8(ascii: "E"):
            switch PostgresErrorResponse.decode(bytes) {
            case .message(let error, let consumed): return .message(.rejected(error), consumed: consumed)
            case .needMoreData: return .needMoreData
            case .invalid(let reason): return .invalid(reason)
            }
        default: return .invalid("GSSENCRequest answered with byte 0x\(String(first, radix: 16)), not G, N or E")
        }
    }
}
