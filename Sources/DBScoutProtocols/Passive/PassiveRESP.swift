import NIOCore

/// The parts of RESP that a passive observer needs beyond ``RedisReply``: a client's command (a RESP array of
/// bulk strings, or an inline line) and server replies of any RESP2 or RESP3 type, so that replies can be paired
/// with commands one by one.
enum PassiveRESP {
    /// A server reply: the scalar types the active codec decodes, or one it only needs to step over.
    indirect enum Value: Sendable, Equatable {
        case reply(RedisReply)
        case other(String)
        case aggregate([Value])
    }

    static let maxLine = 4096
    static let maxElements = 256
    static let maxDepth = 4
    static let maxBulk = ProbeLimits.maxResponseBytes

    /// The words of the client command at the front of `bytes`.
    static func command(_ bytes: ByteBuffer) -> Decoded<[String]> {
        var rest = bytes
        guard let marker = rest.getInteger(at: rest.readerIndex, as: UInt8.self) else { return .needMoreData }
        guard marker == UInt8(ascii: "*") else { return inline(bytes) }
        rest.moveReaderIndex(forwardBy: 1)
        guard case .message(let header, let headerBytes) = line(rest) else { return .invalid("no array header") }
        guard let count = Int(header), (1...64).contains(count) else { return .invalid("array length \(header)") }
        rest.moveReaderIndex(forwardBy: headerBytes)
        var words: [String] = []
        for _ in 0..<count {
            switch RedisReply.decode(rest) {
            case .message(.bulkString(let word), let consumed):
                words.append(word)
                rest.moveReaderIndex(forwardBy: consumed)
            case .needMoreData: return .needMoreData
            default: return .invalid("a command word is not a bulk string")
            }
        }
        return .message(words, consumed: rest.readerIndex - bytes.readerIndex)
    }

    /// An inline command: words on one line, as `redis-cli` and telnet users send them.
    private static func inline(_ bytes: ByteBuffer) -> Decoded<[String]> {
        switch line(bytes) {
        case .message(let text, let consumed):
            let words = text.split(separator: " ").map(String.init)
            return words.isEmpty ? .invalid("empty inline command") : .message(words, consumed: consumed)
        case .needMoreData: return .needMoreData
        case .invalid(let reason): return .invalid(reason)
        }
    }

    /// One reply at the front of `bytes`.
    static func value(_ bytes: ByteBuffer, depth: Int = 0) -> Decoded<Value> {
        guard let marker = bytes.getInteger(at: bytes.readerIndex, as: UInt8.self) else { return .needMoreData }
        switch marker {
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            return wrap(RedisReply.decode(bytes))
        case UInt8(ascii: "$") where bytes.getInteger(at: bytes.readerIndex + 1, as: UInt8.self) != UInt8(ascii: "-"):
            return wrap(RedisReply.decode(bytes))
        case UInt8(ascii: "*"), UInt8(ascii: "%"), UInt8(ascii: "~"), UInt8(ascii: ">"):
            return aggregate(bytes, pairs: marker == UInt8(ascii: "%"), depth: depth)
        case UInt8(ascii: "$"), UInt8(ascii: ":"), UInt8(ascii: "_"), UInt8(ascii: ","), UInt8(ascii: "#"),
            UInt8(ascii: "("):
            var rest = bytes
            rest.moveReaderIndex(forwardBy: 1)
            switch line(rest) {
            case .message(let text, let consumed): return .message(.other(text), consumed: consumed + 1)
            case .needMoreData: return .needMoreData
            case .invalid(let reason): return .invalid(reason)
            }
        default:
            return .invalid("0x\(String(marker, radix: 16)) is not a RESP type")
        }
    }

    private static func wrap(_ decoded: Decoded<RedisReply>) -> Decoded<Value> {
        switch decoded {
        case .message(let reply, let consumed): .message(.reply(reply), consumed: consumed)
        case .needMoreData: .needMoreData
        case .invalid(let reason): .invalid(reason)
        }
    }

    private static func aggregate(_ bytes: ByteBuffer, pairs: Bool, depth: Int) -> Decoded<Value> {
        guard depth < maxDepth else { return .invalid("RESP nesting deeper than \(maxDepth)") }
        var rest = bytes
        rest.moveReaderIndex(forwardBy: 1)
        guard case .message(let header, let headerBytes) = line(rest) else { return .invalid("no aggregate header") }
        guard let count = Int(header), (-1...maxElements).contains(count) else {
            return .invalid("aggregate length '\(header.prefix(16))'")
        }
        rest.moveReaderIndex(forwardBy: headerBytes)
        var elements: [Value] = []
        for _ in 0..<(max(count, 0) * (pairs ? 2 : 1)) {
            switch value(rest, depth: depth + 1) {
            case .message(let element, let consumed):
                elements.append(element)
                rest.moveReaderIndex(forwardBy: consumed)
            case .needMoreData: return .needMoreData
            case .invalid(let reason): return .invalid(reason)
            }
        }
        return .message(.aggregate(elements), consumed: rest.readerIndex - bytes.readerIndex)
    }

    /// A printable line ended by CRLF.
    private static func line(_ bytes: ByteBuffer) -> Decoded<String> {
        let view = bytes.readableBytesView.prefix(maxLine + 2)
        guard let cr = view.firstIndex(of: 13) else {
            return view.count > maxLine ? .invalid("no CRLF within \(maxLine) bytes") : .needMoreData
        }
        guard cr + 1 < view.endIndex else { return .needMoreData }
        guard view[cr + 1] == 10 else { return .invalid("CR not followed by LF") }
        let text = view[..<cr]
        guard text.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) else { return .invalid("line is not printable") }
        return .message(String(decoding: text, as: UTF8.self), consumed: text.count + 2)
    }
}
