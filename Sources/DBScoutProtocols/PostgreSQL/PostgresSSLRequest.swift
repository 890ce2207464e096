import NIOCore

/// The frontend's SSLRequest: "is TLS available?" (length 8, code 1234.5679).
public enum PostgresSSLRequest {
    /// The request code, 80877103.
    public static let code: UInt32 = 1234 << 16 | 5679

    /// The eight bytes to send.
    public static func encode() -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(8))
        buffer.writeInteger(code)
        return buffer
    }
}

/// The server's one-byte answer to an SSLRequest.
public enum PostgresSSLResponse: Sendable, Hashable {
    /// `S`: the server will start TLS.
    case willingToNegotiate
    /// `N`: the server does not do TLS.
    case notSupported

    /// Decodes the answer; any byte other than `S` or `N` means the peer is not a PostgreSQL server.
    public static func decode(_ bytes: ByteBuffer) -> Decoded<PostgresSSLResponse> {
        guard let first: UInt8 = bytes.getInteger(at: bytes.readerIndex) else { return .needMoreData }
        switch first {
        case UInt8(ascii: "S"): return .message(.willingToNegotiate, consumed: 1)
        case UInt8(ascii: "N"): return .message(.notSupported, consumed: 1)
        default: return .invalid("SSLRequest answered with byte 0x\(String(first, radix: 16)), not S or N")
        }
    }
}
