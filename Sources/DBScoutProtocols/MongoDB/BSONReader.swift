import NIOCore

/// Why bytes are not a BSON document we accept.
public struct BSONError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, for tests and logs.
    public enum Code: String, Sendable, Hashable {
        case truncated, badLength, tooLarge, tooDeep, badTerminator, badKey, badString, badBoolean, unsupportedType
    }

    public let code: Code
    public let description: String

    init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}

/// Reads BSON documents with every length checked against the bytes present and a cap on size and nesting.
public enum BSONReader {
    /// The largest document a probe reads; handshake replies are a few kilobytes.
    public static let maxDocumentBytes = ProbeLimits.maxResponseBytes
    /// How deeply documents and arrays may nest; `$clusterTime.signature.keyId` is the deepest reply field (3).
    public static let maxDepth = 16

    /// Decodes one document from the front of `bytes`, which may still be arriving.
    public static func decode(_ bytes: ByteBuffer) -> Decoded<BSONDocument> {
        guard let length = bytes.getInteger(at: bytes.readerIndex, endianness: .little, as: Int32.self) else {
            return .needMoreData
        }
        guard (5...Int32(maxDocumentBytes)).contains(length) else {
            return .invalid("BSON document length \(length) is outside 5...\(maxDocumentBytes)")
        }
        guard bytes.readableBytes >= Int(length) else { return .needMoreData }
        var input = bytes
        do {
            return .message(try readDocument(&input), consumed: Int(length))
        } catch {
            return .invalid(error.description)
        }
    }

    /// Reads one document from the front of `buffer`, which must hold it whole, and moves past it.
    public static func readDocument(_ buffer: inout ByteBuffer) throws(BSONError) -> BSONDocument {
        try readDocument(&buffer, depth: 0)
    }

    private static func readDocument(_ buffer: inout ByteBuffer, depth: Int) throws(BSONError) -> BSONDocument {
        var body = try documentBody(&buffer, depth: depth)
        var elements: [BSONElement] = []
        while body.readableBytes > 0 {
            guard let type: UInt8 = body.readInteger() else { throw BSONError(.truncated, "element type missing") }
            let key = try readKey(&body)
            elements.append(BSONElement(key, try readValue(type: type, from: &body, depth: depth)))
        }
        return BSONDocument(elements)
    }

    /// Checks the length prefix and the trailing NUL, and returns the element bytes between them.
    private static func documentBody(_ buffer: inout ByteBuffer, depth: Int) throws(BSONError) -> ByteBuffer {
        guard depth <= maxDepth else { throw BSONError(.tooDeep, "documents nest deeper than \(maxDepth)") }
        guard let length = buffer.getInteger(at: buffer.readerIndex, endianness: .little, as: Int32.self) else {
            throw BSONError(.truncated, "document length missing")
        }
        guard length >= 5 else { throw BSONError(.badLength, "document length \(length) is below 5") }
        guard length <= maxDocumentBytes else { throw BSONError(.tooLarge, "document length \(length) is too large") }
        guard var whole = buffer.readSlice(length: Int(length)) else {
            throw BSONError(.truncated, "document of \(length) bytes overruns its container")
        }
        whole.moveReaderIndex(forwardBy: 4)
        guard whole.getInteger(at: whole.writerIndex - 1, as: UInt8.self) == 0 else {
            throw BSONError(.badTerminator, "document does not end with NUL")
        }
        whole.moveWriterIndex(to: whole.writerIndex - 1)
        return whole
    }

    private static func readKey(_ body: inout ByteBuffer) throws(BSONError) -> String {
        guard let nul = body.readableBytesView.firstIndex(of: 0) else {
            throw BSONError(.badKey, "element name is not NUL-terminated")
        }
        let bytes = body.readBytes(length: nul - body.readerIndex) ?? []
        body.moveReaderIndex(forwardBy: 1)
        guard let key = String(validating: bytes, as: UTF8.self) else {
            throw BSONError(.badKey, "element name is not UTF-8")
        }
        return key
    }

    private static func readValue(type: UInt8, from body: inout ByteBuffer, depth: Int) throws(BSONError) -> BSONValue {
        switch type {
        case 0x01: return .double(Double(bitPattern: try fixed(&body, as: UInt64.self)))
        case 0x02: return .string(try readString(&body))
        case 0x03: return .document(try readDocument(&body, depth: depth + 1))
        case 0x04: return .array(try readDocument(&body, depth: depth + 1).elements.map(\.value))
        case 0x05: return try readBinary(&body)
        case 0x07:
            guard let bytes = body.readBytes(length: 12) else { throw BSONError(.truncated, "object id cut short") }
            return .objectID(bytes)
        case 0x08:
            switch try fixed(&body, as: UInt8.self) {
            case 0: return .bool(false)
            case 1: return .bool(true)
            case let other: throw BSONError(.badBoolean, "boolean byte 0x\(String(other, radix: 16))")
            }
        case 0x09: return .dateTime(try fixed(&body, as: Int64.self))
        case 0x0A: return .null
        case 0x10: return .int32(try fixed(&body, as: Int32.self))
        case 0x11: return .timestamp(try fixed(&body, as: UInt64.self))
        case 0x12: return .int64(try fixed(&body, as: Int64.self))
        default: throw BSONError(.unsupportedType, "BSON type 0x\(String(type, radix: 16)) is not read")
        }
    }

    private static func fixed<Integer: FixedWidthInteger>(
        _ body: inout ByteBuffer,
        as: Integer.Type
    ) throws(BSONError) -> Integer {
        guard let value = body.readInteger(endianness: .little, as: Integer.self) else {
            throw BSONError(.truncated, "\(Integer.self) value cut short")
        }
        return value
    }

    /// A string is an Int32 byte count that includes a trailing NUL, the UTF-8 bytes, then the NUL.
    private static func readString(_ body: inout ByteBuffer) throws(BSONError) -> String {
        let length = try fixed(&body, as: Int32.self)
        guard length >= 1, length <= body.readableBytes, var bytes = body.readBytes(length: Int(length)) else {
            throw BSONError(.badString, "string length \(length) does not fit")
        }
        guard bytes.removeLast() == 0 else { throw BSONError(.badString, "string does not end with NUL") }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw BSONError(.badString, "string is not UTF-8")
        }
        return text
    }

    private static func readBinary(_ body: inout ByteBuffer) throws(BSONError) -> BSONValue {
        let length = try fixed(&body, as: Int32.self)
        let subtype = try fixed(&body, as: UInt8.self)
        guard length >= 0, let bytes = body.readBytes(length: Int(length)) else {
            throw BSONError(.truncated, "binary of \(length) bytes does not fit")
        }
        return .binary(subtype: subtype, bytes: bytes)
    }
}
