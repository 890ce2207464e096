import DBScoutCore
import DBScoutProtocols
import NIOCore

/// SSLRequest, then a startup with an unsupported protocol major, which every PostgreSQL server rejects before
/// authentication with its protocol range and source position. One connection when TLS is off, two when on.
struct PostgresProbe: Probe {
    let wire = WireProtocol.postgres

    func identify(_ endpoint: Endpoint, context: ProbeContext) async throws -> Finding? {
        let (ssl, plainError) = try await context.connector.withConnection(to: endpoint) { connection in
            try await connection.send(PostgresSSLRequest.encode())
            let (answer, _) = try await connection.read(
                timeout: context.readTimeout,
                decode: PostgresSSLResponse.decode
            )
            guard let ssl = answer.value else { return (PostgresSSLResponse?.none, PostgresErrorResponse?.none) }
            // After `S` the server expects a TLS ClientHello; the startup goes on a fresh plain connection.
            guard ssl == .notSupported else { return (ssl, nil) }
            return (ssl, try await startupError(on: connection, context: context))
        }
        guard let ssl else { return nil }
        var error = plainError
        if ssl == .willingToNegotiate {
            error = try await context.connector.withConnection(to: endpoint) { connection in
                try await startupError(on: connection, context: context)
            }
        }
        return PostgresClassifier.classify(PostgresObservation(sslResponse: ssl, startupError: error), at: endpoint)
    }

    private func startupError(on connection: ProbeConnection, context: ProbeContext) async throws
        -> PostgresErrorResponse?
    {
        try await connection.send(PostgresStartupMessage.unsupportedProtocolProbe.encode())
        return try await connection.read(timeout: context.readTimeout, decode: PostgresErrorResponse.decode).0.value
    }
}
