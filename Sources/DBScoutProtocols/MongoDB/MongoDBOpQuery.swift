import NIOCore

/// OP_QUERY (opcode 2004) on `<db>.$cmd`: how commands were sent before OP_MSG, and still the only way to ask a
/// server older than 3.6 anything.
public enum MongoDBOpQuery {
    /// A command as a query on `database.$cmd`. `numberToReturn` -1 asks for one document and no cursor.
    public static func encode(
        _ command: BSONDocument,
        database: String = "admin",
        requestID: Int32,
        numberToReturn: Int32 = -1
    ) -> ByteBuffer {
        var body = ByteBuffer()
        body.writeInteger(Int32(0), endianness: .little)  // flags
        body.writeBytes("\(database).$cmd".utf8.prefix { $0 != 0 })
        body.writeInteger(UInt8(0))
        body.writeInteger(Int32(0), endianness: .little)  // numberToSkip
        body.writeInteger(numberToReturn, endianness: .little)
        BSONWriter.write(command, to: &body)
        return MongoDBMessageHeader.frame(body, requestID: requestID, responseTo: 0, opCode: .query)
    }
}

/// A client's OP_QUERY as a capture shows it: which namespace it asks and the query (for `$cmd`, the command).
public struct MongoDBQueryRequest: Sendable, Hashable {
    public let header: MongoDBMessageHeader
    public let flags: Int32
    /// `<database>.<collection>`, e.g. `admin.$cmd`.
    public let fullCollectionName: String
    public let numberToSkip: Int32
    public let numberToReturn: Int32
    public let query: BSONDocument

    /// MongoDB caps namespaces at 255 bytes.
    static let maxNamespaceBytes = 255

    /// Decodes the OP_QUERY at the front of `bytes`, which may still be arriving; a trailing field selector is
    /// skipped.
    public static func decode(_ bytes: ByteBuffer) -> Decoded<MongoDBQueryRequest> {
        let header: MongoDBMessageHeader
        switch MongoDBMessageHeader.decode(bytes) {
        case .needMoreData: return .needMoreData
        case .invalid(let reason): return .invalid(reason)
        case .message(let value, _): header = value
        }
        guard header.opCode == .query else { return .invalid("\(header.opCode) is not OP_QUERY") }
        let length = Int(header.messageLength)
        guard var payload = bytes.getSlice(at: bytes.readerIndex, length: length) else { return .needMoreData }
        payload.moveReaderIndex(forwardBy: MongoDBMessageHeader.byteCount)
        guard let flags = payload.readInteger(endianness: .little, as: Int32.self),
            let nul = payload.readableBytesView.prefix(maxNamespaceBytes + 1).firstIndex(of: 0),
            let namespace = payload.readString(length: nul - payload.readerIndex)
        else { return .invalid("OP_QUERY namespace is missing or longer than \(maxNamespaceBytes) bytes") }
        payload.moveReaderIndex(forwardBy: 1)
        guard let skip = payload.readInteger(endianness: .little, as: Int32.self),
            let count = payload.readInteger(endianness: .little, as: Int32.self)
        else { return .invalid("OP_QUERY is cut short") }
        do {
            let query = try BSONReader.readDocument(&payload)
            let request = MongoDBQueryRequest(
                header: header,
                flags: flags,
                fullCollectionName: namespace,
                numberToSkip: skip,
                numberToReturn: count,
                query: query
            )
            return .message(request, consumed: length)
        } catch {
            return .invalid("OP_QUERY document: \(error.description)")
        }
    }
}
