import NIOCore

/// NegotiateProtocolVersion (`v`): the newest minor protocol version the server supports and the `_pq_.`
/// options it did not recognise. Servers since the late-2017 minor releases send it instead of failing a
/// startup that asks for a newer 3.x minor; 18 and later support minor 2.
public struct PostgresNegotiateProtocolVersion: Sendable, Hashable {
    /// The newest protocol version the server supports for the requested major, as `major << 16 | minor`.
    public let newestVersion: UInt32
    public let unrecognizedOptions: [String]

    /// The minor half of ``newestVersion``: 0 before PostgreSQL 18, 2 from 18 on.
    public var newestMinorVersion: UInt32 { newestVersion & 0xffff }

    /// Decodes the body of a `v` frame.
    static func decode(body: ByteBuffer) -> PostgresNegotiateProtocolVersion? {
        var body = body
        guard let newest: UInt32 = body.readInteger(), let count: UInt32 = body.readInteger(), count <= 64 else {
            return nil
        }
        var options: [String] = []
        for _ in 0..<count {
            guard let option = body.readNullTerminatedString() else { return nil }
            options.append(option)
        }
        return body.readableBytes == 0
            ? PostgresNegotiateProtocolVersion(newestVersion: newest, unrecognizedOptions: options) : nil
    }
}
