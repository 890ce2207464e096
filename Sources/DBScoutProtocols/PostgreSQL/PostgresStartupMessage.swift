import NIOCore

/// The frontend's StartupMessage: protocol version and `name=value` parameters.
public struct PostgresStartupMessage: Sendable {
    public var majorVersion: UInt16
    public var minorVersion: UInt16
    public var parameters: [(String, String)]

    /// A startup whose protocol major no server supports (4.0): every PostgreSQL release answers it,
    /// before authentication, with an error naming the protocol range it supports.
    public static let unsupportedProtocolProbe = PostgresStartupMessage(majorVersion: 4, minorVersion: 0)

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
