import DBScoutCore
import DBScoutProtocols
import NIOCore

/// Asks `hello` over OP_MSG, then `buildInfo` on the same connection. A server that does not know `hello` (before
/// 4.4.2 and the matching 3.6/4.0/4.2 patches) is asked `isMaster` instead; one that hangs up on OP_MSG (older
/// than 3.6) is asked `isMaster` over OP_QUERY on a second connection, and `buildInfo` the same way.
struct MongoDBProbe: Probe {
    let wire = WireProtocol.mongodb

    /// Fixed request ids: each reply must name the request it answers, which an echo or a stray reply does not.
    enum RequestID {
        static let handshake: Int32 = 1
        static let retry: Int32 = 2
        static let buildInfo: Int32 = 3
    }

    /// The wire version from which a server takes OP_MSG.
    static let opMsgWireVersion = 6

    private enum Outcome: Sendable {
        case observed(MongoDBObservation)
        /// The server closed without a word, as servers older than 3.6 do on an unknown opcode.
        case hungUp
        case notMongoDB
    }

    func identify(_ endpoint: Endpoint, context: ProbeContext) async throws -> Finding? {
        var outcome = try await context.withConnection(to: endpoint) { connection in
            try await converse(over: .opMsg, on: connection, context: context)
        }
        if case .hungUp = outcome {
            outcome = try await context.withConnection(to: endpoint) { connection in
                try await converse(over: .opQuery, on: connection, context: context)
            }
        }
        guard case .observed(let observation) = outcome else { return nil }
        return MongoDBClassifier.classify(observation, at: endpoint)
    }

    private func converse(
        over transport: MongoDBTransport,
        on connection: ProbeConnection,
        context: ProbeContext
    ) async throws -> Outcome {
        // OP_QUERY is only for servers older than 3.6, which know the handshake only as `isMaster`.
        var command: MongoDBCommand = transport == .opMsg ? .hello : .isMaster
        var (reply, ending) = try await ask(command, over: transport, id: RequestID.handshake, on: connection, context)
        if command == .hello, Self.isUnknownCommand(reply) {
            command = .isMaster
            (reply, ending) = try await ask(command, over: transport, id: RequestID.retry, on: connection, context)
        }
        guard let handshake = reply.value?.document else {
            if case .needMoreData = reply, ending.peerGone, transport == .opMsg { return .hungUp }
            return .notMongoDB
        }
        var observation = MongoDBObservation(handshakeCommand: command, transport: transport, handshake: handshake)
        if MongoDBClassifier.isHandshakeReply(handshake) {
            observation.buildInfo = try await buildInfo(after: handshake, on: connection, context)
        }
        return .observed(observation)
    }

    private static func isUnknownCommand(_ reply: Decoded<MongoDBReply>) -> Bool {
        reply.value.flatMap { MongoDBCommandError($0.document) }?.code == MongoDBCommandError.commandNotFound
    }

    /// `buildInfo` over the transport the server's wire version says it takes.
    private func buildInfo(
        after handshake: BSONDocument,
        on connection: ProbeConnection,
        _ context: ProbeContext
    ) async throws -> BSONDocument? {
        let wire = MongoDBClassifier.maxWireVersion(handshake) ?? 0
        let transport: MongoDBTransport = wire >= Self.opMsgWireVersion ? .opMsg : .opQuery
        let (reply, _) = try await ask(.buildInfo, over: transport, id: RequestID.buildInfo, on: connection, context)
        return reply.value?.document
    }

    private func ask(
        _ command: MongoDBCommand,
        over transport: MongoDBTransport,
        id: Int32,
        on connection: ProbeConnection,
        _ context: ProbeContext
    ) async throws -> (Decoded<MongoDBReply>, ProbeRead.Ending) {
        await connection.send(command.encode(over: transport, requestID: id))
        return try await connection.read(timeout: context.readTimeout) { MongoDBReply.decode($0, replyingTo: id) }
    }
}
