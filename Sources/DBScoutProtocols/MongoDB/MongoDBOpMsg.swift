import NIOCore

/// OP_MSG (opcode 2013): flag bits, then sections; kind 0 carries the one command or reply document.
public enum MongoDBOpMsg {
    /// Flag bit 0: a CRC-32C of the message follows the sections.
    static let checksumPresent: UInt32 = 1 << 0
    /// Flag bit 1: the sender will send another message without waiting.
    static let moreToCome: UInt32 = 1 << 1
    /// Bits 0–15 must be understood by the receiver; these are the ones we do.
    static let requiredBits: UInt32 = 0xFFFF

    /// A message carrying `document` as its body section. Replies (in tests) set `responseTo`.
    public static func encode(_ document: BSONDocument, requestID: Int32, responseTo: Int32 = 0) -> ByteBuffer {
        var body = ByteBuffer()
        body.writeInteger(UInt32(0), endianness: .little)
        body.writeInteger(UInt8(0))
        BSONWriter.write(document, to: &body)
        return MongoDBMessageHeader.frame(body, requestID: requestID, responseTo: responseTo, opCode: .message)
    }

    /// Reads the body section of an OP_MSG whose header has been read; document-sequence sections are skipped.
    static func readBody(_ payload: inout ByteBuffer) throws(MongoDBWireError) -> BSONDocument {
        guard let flags = payload.readInteger(endianness: .little, as: UInt32.self) else {
            throw MongoDBWireError(.flags, "OP_MSG has no flag bits")
        }
        let unknown = flags & requiredBits & ~(checksumPresent | moreToCome)
        guard unknown == 0 else {
            throw MongoDBWireError(.flags, "OP_MSG sets required flag bits 0x\(String(unknown, radix: 16))")
        }
        if flags & checksumPresent != 0 {
            guard payload.readableBytes >= 4 else { throw MongoDBWireError(.flags, "OP_MSG checksum missing") }
            payload.moveWriterIndex(to: payload.writerIndex - 4)
        }
        var body: BSONDocument?
        while let kind: UInt8 = payload.readInteger() {
            switch kind {
            case 0:
                guard body == nil else { throw MongoDBWireError(.sections, "OP_MSG has two body sections") }
                do { body = try BSONReader.readDocument(&payload) } catch {
                    throw MongoDBWireError(.document, "OP_MSG body: \(error.description)")
                }
            case 1: try skipDocumentSequence(&payload)
            default: throw MongoDBWireError(.sections, "OP_MSG section kind \(kind) is not 0 or 1")
            }
        }
        guard let body else { throw MongoDBWireError(.sections, "OP_MSG has no body section") }
        return body
    }

    private static func skipDocumentSequence(_ payload: inout ByteBuffer) throws(MongoDBWireError) {
        guard let size = payload.getInteger(at: payload.readerIndex, endianness: .little, as: Int32.self),
            size >= 4, payload.readSlice(length: Int(size)) != nil
        else { throw MongoDBWireError(.sections, "OP_MSG document sequence does not fit") }
    }
}
