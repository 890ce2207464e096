import NIOCore

/// OP_REPLY (opcode 1): the answer to an OP_QUERY. A probe wants only its first document.
public enum MongoDBOpReply {
    /// Response flag bit 1: the query failed and the document is `{$err: ..., code: ...}`.
    static let queryFailure: Int32 = 1 << 1
    /// Bits 0–3 are defined (CursorNotFound, QueryFailure, ShardConfigStale, AwaitCapable); the rest are reserved.
    static let definedFlags: Int32 = 0xF

    /// Response flag bit 3 (AwaitCapable), which every server since 1.6 sets.
    public static let awaitCapable: Int32 = 1 << 3

    /// A reply carrying `document`, as a server answers an OP_QUERY (tests play servers with it).
    public static func encode(
        _ document: BSONDocument,
        requestID: Int32,
        responseTo: Int32,
        flags: Int32 = awaitCapable
    ) -> ByteBuffer {
        var body = ByteBuffer()
        body.writeInteger(flags, endianness: .little)
        body.writeInteger(Int64(0), endianness: .little)  // cursorID
        body.writeInteger(Int32(0), endianness: .little)  // startingFrom
        body.writeInteger(Int32(1), endianness: .little)  // numberReturned
        BSONWriter.write(document, to: &body)
        return MongoDBMessageHeader.frame(body, requestID: requestID, responseTo: responseTo, opCode: .reply)
    }

    /// Reads the first document of an OP_REPLY whose header has been read, and whether the query failed.
    static func readFirstDocument(_ payload: inout ByteBuffer) throws(MongoDBWireError) -> (BSONDocument, Bool) {
        guard let flags = payload.readInteger(endianness: .little, as: Int32.self),
            payload.readInteger(endianness: .little, as: Int64.self) != nil,  // cursorID
            payload.readInteger(endianness: .little, as: Int32.self) != nil,  // startingFrom
            let returned = payload.readInteger(endianness: .little, as: Int32.self)
        else { throw MongoDBWireError(.header, "OP_REPLY fields cut short") }
        guard flags & ~definedFlags == 0 else {
            throw MongoDBWireError(.flags, "OP_REPLY sets reserved flags 0x\(String(flags, radix: 16))")
        }
        guard returned >= 1 else { throw MongoDBWireError(.sections, "OP_REPLY returns \(returned) documents") }
        do {
            return (try BSONReader.readDocument(&payload), flags & queryFailure != 0)
        } catch {
            throw MongoDBWireError(.document, "OP_REPLY document: \(error.description)")
        }
    }
}
