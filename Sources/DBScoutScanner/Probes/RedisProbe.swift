import DBScoutCore
import DBScoutProtocols

/// Sends `INFO server` and reads the first reply.
struct RedisProbe: Probe {
    let wire = WireProtocol.redis

    func identify(_ endpoint: Endpoint, context: ProbeContext) async throws -> Finding? {
        let (reply, ending) = try await context.withConnection(to: endpoint) { connection in
            await connection.send(RedisInfoRequest.encode())
            return try await connection.read(timeout: context.readTimeout, decode: RedisReply.decode)
        }
        if let reply = reply.value { return RedisClassifier.classify(reply, at: endpoint) }
        guard ending == .reset else { return nil }
        // A server that refuses the client (protected mode) speaks and hangs up at once; our request then meets a
        // closed socket, and the reset it provokes can discard the refusal before it is read. Listening without
        // sending gets it intact. (An orderly close loses nothing, so it needs no second look.)
        let refusal = try await context.withConnection(to: endpoint) { connection in
            try await connection.read(timeout: context.readTimeout, decode: RedisReply.decode).0.value
        }
        return refusal.flatMap { RedisClassifier.classify($0, at: endpoint) }
    }
}
