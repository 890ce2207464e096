import NIOCore

/// One v3 backend message frame: a type byte, an Int32 length that counts itself, and the body.
public struct PostgresBackendFrame: Sendable, Hashable {
    public let type: UInt8
    public let body: ByteBuffer

    /// The largest frame a probe accepts; pre-authentication messages are a few hundred bytes.
    public static let maxLength = 8 * 1024

    var typeDescription: String {
        (32...126).contains(type) ? "'\(Character(Unicode.Scalar(type)))'" : "0x\(String(type, radix: 16))"
    }

    /// Decodes one frame from the front of `bytes`.
    public static func decode(_ bytes: ByteBuffer) -> Decoded<PostgresBackendFrame> {
        var bytes = bytes
        guard let type: UInt8 = bytes.readInteger(), let length: UInt32 = bytes.readInteger() else {
            return .needMoreData
        }
        guard length >= 4, length <= maxLength else {
            return .invalid("message length \(length) is outside 4...\(maxLength)")
        }
        guard let body = bytes.readSlice(length: Int(length) - 4) else { return .needMoreData }
        return .message(PostgresBackendFrame(type: type, body: body), consumed: Int(length) + 1)
    }
}
