import NIOCore

/// The first reply of a RESP server, as far as a probe needs it.
public enum RedisReply: Sendable, Hashable {
    case simpleString(String)
    case error(String)
    case bulkString(String)

    /// The longest single line (status or error) a probe accepts; Redis's protected-mode refusal alone is over
    /// a kilobyte.
    static let maxLineLength = 4096

    /// Decodes one reply from the front of `bytes`.
    public static func decode(_ bytes: ByteBuffer) -> Decoded<RedisReply> {
        var bytes = bytes
        guard let marker: UInt8 = bytes.readInteger() else { return .needMoreData }
        switch readLine(&bytes) {
        case .needMoreData: return .needMoreData
        case .invalid(let reason): return .invalid(reason)
        case .message(let line, let lineBytes):
            switch marker {
            case UInt8(ascii: "+"): return .message(.simpleString(line), consumed: 1 + lineBytes)
            case UInt8(ascii: "-"): return .message(.error(line), consumed: 1 + lineBytes)
            case UInt8(ascii: "$"): return decodeBulk(length: line, rest: bytes, headerBytes: 1 + lineBytes)
            default: return .invalid("first byte 0x\(String(marker, radix: 16)) is not a RESP reply type")
            }
        }
    }

    private static func decodeBulk(length text: String, rest: ByteBuffer, headerBytes: Int) -> Decoded<RedisReply> {
        guard let length = Int(text), (0...ProbeLimits.maxResponseBytes).contains(length) else {
            return .invalid("bulk length '\(text.prefix(16))' is not a length up to \(ProbeLimits.maxResponseBytes)")
        }
        var rest = rest
        guard let body = rest.readString(length: length), let terminator = rest.readBytes(length: 2) else {
            return .needMoreData
        }
        guard terminator == [13, 10] else { return .invalid("bulk string is not terminated by CRLF") }
        return .message(.bulkString(body), consumed: headerBytes + length + 2)
    }

    private static func readLine(_ bytes: inout ByteBuffer) -> Decoded<String> {
        let view = bytes.readableBytesView.prefix(maxLineLength + 2)
        guard let cr = view.firstIndex(of: 13) else {
            return view.count > maxLineLength ? .invalid("no CRLF within \(maxLineLength) bytes") : .needMoreData
        }
        guard cr + 1 < view.endIndex else { return .needMoreData }
        guard view[cr + 1] == 10 else { return .invalid("CR not followed by LF") }
        let length = cr - view.startIndex
        guard let line = bytes.readString(length: length) else { return .invalid("line is not text") }
        bytes.moveReaderIndex(forwardBy: 2)
        guard line.unicodeScalars.allSatisfy({ $0.value >= 0x20 || $0 == "\t" }) else {
            return .invalid("line holds control characters")
        }
        return .message(line, consumed: length + 2)
    }
}
