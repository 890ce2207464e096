import DBScoutProtocols
import NIOCore

/// One fuzz input, read front to back: length-prefixed parts for targets that take several byte strings (a
/// flow's two directions, a SYN and its SYN-ACK), and whole messages for decoders that read a server's stream.
///
/// A part is a 2-byte big-endian length and then that many bytes, or fewer when the input ends first, so a
/// mutated prefix still yields parts instead of nothing.
public struct FuzzInput {
    private var buffer: ByteBuffer

    public init(_ bytes: [UInt8]) {
        buffer = ByteBuffer(bytes: bytes)
    }

    /// What is left, not consumed.
    public var rest: ByteBuffer { buffer }

    /// The input that `parts` reads back with one ``part()`` each, followed by `stream` for ``message(_:)``.
    public static func encode(parts: [[UInt8]], stream: [UInt8] = []) -> [UInt8] {
        parts.flatMap { part in
            let part = part.prefix(Int(UInt16.max))
            return [UInt8(part.count >> 8), UInt8(part.count & 0xff)] + part
        } + stream
    }

    /// The next byte, or 0 once the input is used up.
    public mutating func byte() -> UInt8 {
        buffer.readInteger() ?? 0
    }

    /// The next length-prefixed part; empty once the input is used up.
    public mutating func part() -> [UInt8] {
        let length = Int(buffer.readInteger(as: UInt16.self) ?? 0)
        return buffer.readBytes(length: min(length, buffer.readableBytes)) ?? []
    }

    /// Decodes one message from the front and moves past it, as a probe does with what a server sent; `nil`, with
    /// nothing consumed, when the front is not a whole message.
    ///
    /// Traps when the decoder claims no bytes or more bytes than it was given: a probe moves on by that count.
    public mutating func message<Value>(_ decode: (ByteBuffer) -> Decoded<Value>) -> Value? {
        guard case .message(let value, let consumed) = decode(buffer) else { return nil }
        precondition(
            consumed >= 1 && consumed <= buffer.readableBytes,
            "a decoder consumed \(consumed) of \(buffer.readableBytes) bytes"
        )
        buffer.moveReaderIndex(forwardBy: consumed)
        return value
    }
}
