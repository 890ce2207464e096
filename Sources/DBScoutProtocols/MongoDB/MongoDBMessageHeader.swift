import NIOCore

/// A wire-protocol opcode.
public struct MongoDBOpCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int32

    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// The legacy reply to an OP_QUERY.
    public static let reply = MongoDBOpCode(rawValue: 1)
    /// The legacy query, still accepted for the first `isMaster` of a connection by every server version.
    public static let query = MongoDBOpCode(rawValue: 2004)
    /// A message wrapped in compression; only sent after compression has been negotiated, which a probe never does.
    public static let compressed = MongoDBOpCode(rawValue: 2012)
    /// The extensible message of MongoDB 3.6 and later, for requests and replies alike.
    public static let message = MongoDBOpCode(rawValue: 2013)

    public var description: String {
        switch self {
        case .reply: "OP_REPLY"
        case .query: "OP_QUERY"
        case .compressed: "OP_COMPRESSED"
        case .message: "OP_MSG"
        default: "opcode \(rawValue)"
        }
    }
}

/// Why bytes are not the MongoDB message a probe expects.
public struct MongoDBWireError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Which layer the bytes failed at.
    public enum Code: String, Sendable, Hashable {
        case header, flags, sections, document
    }

    public let code: Code
    public let description: String

    init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}

/// The 16 bytes that start every message, all little-endian.
public struct MongoDBMessageHeader: Sendable, Hashable {
    public static let byteCount = 16
    /// The largest reply a probe reads. Handshake replies are a few kilobytes; the server's own cap is 48 MB.
    public static let maxMessageBytes = ProbeLimits.maxResponseBytes
    /// A header plus the smallest BSON document (5 bytes): nothing shorter carries a reply.
    static let minMessageBytes = byteCount + 5

    /// The whole message's size, this header included.
    public let messageLength: Int32
    public let requestID: Int32
    /// The `requestID` of the request a reply answers.
    public let responseTo: Int32
    public let opCode: MongoDBOpCode

    public init(messageLength: Int32, requestID: Int32, responseTo: Int32, opCode: MongoDBOpCode) {
        self.messageLength = messageLength
        self.requestID = requestID
        self.responseTo = responseTo
        self.opCode = opCode
    }

    /// Frames `body` (everything after the header) as a message.
    static func frame(_ body: ByteBuffer, requestID: Int32, responseTo: Int32, opCode: MongoDBOpCode) -> ByteBuffer {
        var message = ByteBuffer()
        message.writeInteger(Int32(truncatingIfNeeded: byteCount + body.readableBytes), endianness: .little)
        message.writeInteger(requestID, endianness: .little)
        message.writeInteger(responseTo, endianness: .little)
        message.writeInteger(opCode.rawValue, endianness: .little)
        message.writeImmutableBuffer(body)
        return message
    }

    /// Reads the header at the front of `bytes`, rejecting it as soon as its length is out of bounds.
    static func decode(_ bytes: ByteBuffer) -> Decoded<MongoDBMessageHeader> {
        let start = bytes.readerIndex
        guard let length = bytes.getInteger(at: start, endianness: .little, as: Int32.self) else {
            return .needMoreData
        }
        guard (Int32(minMessageBytes)...Int32(maxMessageBytes)).contains(length) else {
            return .invalid("message length \(length) is outside \(minMessageBytes)...\(maxMessageBytes)")
        }
        guard let requestID = bytes.getInteger(at: start + 4, endianness: .little, as: Int32.self),
            let responseTo = bytes.getInteger(at: start + 8, endianness: .little, as: Int32.self),
            let opCode = bytes.getInteger(at: start + 12, endianness: .little, as: Int32.self)
        else { return .needMoreData }
        let header = MongoDBMessageHeader(
            messageLength: length,
            requestID: requestID,
            responseTo: responseTo,
            opCode: MongoDBOpCode(rawValue: opCode)
        )
        return .message(header, consumed: byteCount)
    }
}
