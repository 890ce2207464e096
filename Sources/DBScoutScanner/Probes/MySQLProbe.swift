import DBScoutCore
import DBScoutProtocols

/// Reads what a MySQL-family server says on connect: its greeting, or the ERR packet it sends instead.
struct MySQLProbe: Probe {
    let wire = WireProtocol.mysql
    /// MySQL-family servers greet in the clear and upgrade on request; none starts with TLS.
    let runsTLSFirst = false

    func identify(_ endpoint: Endpoint, context: ProbeContext) async throws -> Finding? {
        let wait = context.portIsHinted ? context.readTimeout : context.bannerWait
        let observation = try await context.withConnection(to: endpoint) { connection in
            try await connection.read(timeout: wait, decode: MySQLObservation.decode).0.value
        }
        return observation.map { MySQLClassifier.classify($0, at: endpoint) }
    }
}
