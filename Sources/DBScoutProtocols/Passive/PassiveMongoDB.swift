import DBScoutCore
import NIOCore

/// MongoDB: a `hello` or `isMaster` command (OP_QUERY or OP_MSG) answered by a reply whose `responseTo` names it.
enum PassiveMongoDB {
    static func identify(_ exchange: PassiveExchange) -> Finding? {
        guard let (command, transport, requestID) = handshakeCommand(exchange.client),
            case .message(let reply, _) = MongoDBReply.decode(exchange.server, replyingTo: requestID)
        else { return nil }
        let observation = MongoDBObservation(handshakeCommand: command, transport: transport, handshake: reply.document)
        var finding = MongoDBClassifier.classify(observation, at: exchange.endpoint)
        finding?.evidence.insert(
            Evidence("mongodb.client.command", "\(command.rawValue) over \(transport.rawValue)"),
            at: 0
        )
        return finding
    }

    /// The handshake command at the front of the client's bytes and its request id.
    private static func handshakeCommand(_ bytes: ByteBuffer) -> (MongoDBCommand, MongoDBTransport, Int32)? {
        let document: BSONDocument
        let transport: MongoDBTransport
        let requestID: Int32
        if case .message(let query, _) = MongoDBQueryRequest.decode(bytes) {
            guard query.fullCollectionName.hasSuffix(".$cmd") else { return nil }
            (document, transport, requestID) = (query.query, .opQuery, query.header.requestID)
        } else {
            guard case .message(let header, _) = MongoDBMessageHeader.decode(bytes), header.opCode == .message,
                var payload = bytes.getSlice(at: bytes.readerIndex, length: Int(header.messageLength))
            else { return nil }
            payload.moveReaderIndex(forwardBy: MongoDBMessageHeader.byteCount)
            guard let body = try? MongoDBOpMsg.readBody(&payload) else { return nil }
            (document, transport, requestID) = (body, .opMsg, header.requestID)
        }
        guard let key = document.elements.first?.key,
            let command = [MongoDBCommand.hello, .isMaster].first(where: {
                $0.rawValue.lowercased() == key.lowercased()
            })
        else { return nil }
        return (command, transport, requestID)
    }
}
