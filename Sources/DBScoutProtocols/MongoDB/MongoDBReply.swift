import NIOCore

/// A server's answer to one command: the OP_MSG body or the OP_REPLY's first document.
public struct MongoDBReply: Sendable, Hashable {
    public let header: MongoDBMessageHeader
    /// The reply document, e.g. `{isWritablePrimary: true, maxWireVersion: 21, ..., ok: 1.0}`.
    public let document: BSONDocument
    /// OP_REPLY's QueryFailure flag: the document is a legacy `$err` document.
    public let queryFailed: Bool

    public init(header: MongoDBMessageHeader, document: BSONDocument, queryFailed: Bool = false) {
        self.header = header
        self.document = document
        self.queryFailed = queryFailed
    }

    /// Decodes the reply to request `requestID` from the front of `bytes`, which may still be arriving.
    ///
    /// Rejects as soon as the header disagrees: a length outside the probe's cap, an opcode other than OP_MSG or
    /// OP_REPLY, or a `responseTo` that is not our request (an echo of our own bytes has `responseTo` 0).
    public static func decode(_ bytes: ByteBuffer, replyingTo requestID: Int32) -> Decoded<MongoDBReply> {
        let header: MongoDBMessageHeader
        switch MongoDBMessageHeader.decode(bytes) {
        case .needMoreData: return .needMoreData
        case .invalid(let reason): return .invalid(reason)
        case .message(let value, _): header = value
        }
        guard header.opCode == .message || header.opCode == .reply else {
            return .invalid("\(header.opCode) is not a reply")
        }
        guard header.responseTo == requestID else {
            return .invalid("responseTo \(header.responseTo) does not answer request \(requestID)")
        }
        let length = Int(header.messageLength)
        guard var payload = bytes.getSlice(at: bytes.readerIndex, length: length) else { return .needMoreData }
        payload.moveReaderIndex(forwardBy: MongoDBMessageHeader.byteCount)
        do {
            if header.opCode == .message {
                let document = try MongoDBOpMsg.readBody(&payload)
                return .message(MongoDBReply(header: header, document: document), consumed: length)
            }
            let (document, failed) = try MongoDBOpReply.readFirstDocument(&payload)
            return .message(MongoDBReply(header: header, document: document, queryFailed: failed), consumed: length)
        } catch {
            return .invalid(error.description)
        }
    }
}
