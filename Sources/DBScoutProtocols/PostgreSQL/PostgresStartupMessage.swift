import NIOCore

/// The frontend's StartupMessage: protocol version and `name=value` parameters.
public struct PostgresStartupMessage: Sendable {
    public var majorVersion: UInt16
    public var minorVersion: UInt16
    public var parameters: [(String, String)]

    /// A startup whose protocol major no server supports (4.0): every PostgreSQL release answers it,
    /// before authentication, with an error naming the protocol range it supports.
    public static let unsupportedProtocolProbe = PostgresStartupMessage(majorVersion: 4, minorVersion: 0)

    /// A startup for minor 3.9999 with an unknown `_pq_` option and no user: servers since late 2017 answer with
    /// NegotiateProtocolVersion (naming their newest minor), and every server then rejects the missing user
    /// with an error from a second source line, before authentication.
    public static let noUserProbe = PostgresStartupMessage(
        majorVersion: 3,
        minorVersion: 9999,
        parameters: [("_pq_.dbscout", "1")]
    )

    /// A plain startup as a client would send, to learn whether the server's rules admit clients without TLS.
    /// The server answers with an authentication request (plain is allowed) or an error naming the rule; the
    /// probe hangs up at the password prompt, which servers do not log as a failure.
    public static let plainAdmissionProbe = PostgresStartupMessage(
        majorVersion: 3,
        minorVersion: 0,
        parameters: [("user", "dbscout"), ("database", "dbscout"), ("application_name", "dbscout-probe")]
    )

    public init(majorVersion: UInt16, minorVersion: UInt16, parameters: [(String, String)] = []) {
        self.majorVersion = majorVersion
        self.minorVersion = minorVersion
        self.parameters = parameters
    }

    /// The bytes to send: length, version, NUL-terminated pairs, a final NUL.
    public func encode() -> ByteBuffer {
        var body = ByteBuffer()
        body.writeInteger(majorVersion)
        body.writeInteger(minorVersion)
        for (name, value) in parameters {
            body.writeString(name)
            body.writeInteger(UInt8(0))
            body.writeString(value)
            body.writeInteger(UInt8(0))
        }
        body.writeInteger(UInt8(0))
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(body.readableBytes + 4))
        buffer.writeBuffer(&body)
        return buffer
    }
}
