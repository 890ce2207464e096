import DBScoutCore
import DBScoutProtocols

/// Sends `INFO server` and reads the first reply.
struct RedisProbe: Probe {
    let wire = WireProtocol.redis

    func identify(_ endpoint: Endpoint, context: ProbeContext) async throws -> Finding? {
        let reply = try await context.connector.withConnection(to: endpoint) { connection in
            try await connection.send(RedisInfoRequest.encode())
            return try await connection.read(timeout: context.readTimeout, decode: RedisReply.decode).0.value
        }
        return reply.flatMap { RedisClassifier.classify($0, at: endpoint) }
    }
}
