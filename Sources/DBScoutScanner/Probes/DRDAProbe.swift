import DBScoutCore
import DBScoutProtocols

/// Sends EXCSAT and reads the EXCSATRD that every Db2 server answers with before authentication: product, release,
/// platform and instance name, on one connection.
struct DRDAProbe: Probe {
    let wire = WireProtocol.drda

    /// The EXCSAT's correlation id, which the reply must repeat.
    static let correlationID: UInt16 = 1

    func identify(_ endpoint: Endpoint, context: ProbeContext) async throws -> Finding? {
        let reply = try await context.withConnection(to: endpoint) { connection in
            await connection.send(DRDAExchangeServerAttributes().encode(correlationID: Self.correlationID))
            let (decoded, _) = try await connection.read(timeout: context.readTimeout) {
                DRDAServerAttributesReply.decode($0, correlationID: Self.correlationID)
            }
            return decoded.value
        }
        return reply.flatMap { DRDAClassifier.classify($0, at: endpoint) }
    }
}
