import DBScoutCore
import DBScoutProtocols
import NIOCore

/// Up to three short conversations that every PostgreSQL-family server answers before authentication:
///
/// 1. SSLRequest; after `S` the TLS handshake (the certificate is recorded), then, inside TLS or in the clear
///    after `N`, a startup with an unsupported protocol major, drawing the supported range and a source line.
/// 2. GSSENCRequest (understood from 12 on), then a 3.9999 startup without a user, drawing NegotiateProtocolVersion
///    and a second source line; on a fresh connection when the server answered `G`.
/// 3. Only when the server offers TLS: a plain startup with a user, to learn whether plain clients are refused.
///
/// Each PostgreSQL connection that ends in an error leaves one FATAL line in the server log, so the probe stops
/// as soon as the first answer shows the peer is not PostgreSQL.
struct PostgresProbe: Probe {
    let wire = WireProtocol.postgres

    func identify(_ endpoint: Endpoint, context: ProbeContext) async throws -> Finding? {
        if context.tlsFirst != nil { return try await identifyInsideTLS(endpoint, context: context) }
        var observation = PostgresObservation()
        let first = try await context.withConnection(to: endpoint) { connection in
            try await negotiateAndRejectProtocol(on: connection, context: context)
        }
        guard let ssl = first.ssl else { return nil }
        observation.sslResponse = ssl
        observation.unsupportedProtocolReply = first.reply
        let (gssenc, noUser) = try await context.withConnection(to: endpoint) { connection in
            try await askGSSENCThenNoUser(on: connection, context: context)
        }
        observation.gssencResponse = gssenc
        observation.noUserReply = noUser
        if noUser == nil {
            // After `G` the server expects GSSAPI, and an old server hangs up after rejecting the request.
            observation.noUserReply = try await context.withConnection(to: endpoint) { connection in
                try await startup(.noUserProbe, on: connection, context: context)
            }
        }
        if ssl == .willingToNegotiate {
            observation.plainAdmissionReply = try await context.withConnection(to: endpoint) { connection in
                try await startup(.plainAdmissionProbe, on: connection, context: context)
            }
        }
        return PostgresClassifier.classify(observation, at: endpoint)
    }

    /// On a connection that started with TLS (PostgreSQL 17's direct TLS, or a TLS terminator in front of the
    /// server) the startups go straight in; no SSLRequest, and no plain admission test.
    private func identifyInsideTLS(_ endpoint: Endpoint, context: ProbeContext) async throws -> Finding? {
        var observation = PostgresObservation(sslResponse: .willingToNegotiate)
        observation.unsupportedProtocolReply = try await context.withConnection(to: endpoint) { connection in
            try await startup(.unsupportedProtocolProbe, on: connection, context: context)
        }
        guard observation.unsupportedProtocolReply?.error != nil else { return nil }
        observation.noUserReply = try await context.withConnection(to: endpoint) { connection in
            try await startup(.noUserProbe, on: connection, context: context)
        }
        return PostgresClassifier.classify(observation, at: endpoint)
    }

    /// SSLRequest, TLS when offered, then the unsupported-protocol startup.
    private func negotiateAndRejectProtocol(on connection: ProbeConnection, context: ProbeContext) async throws
        -> (ssl: PostgresSSLResponse?, reply: PostgresStartupReply?)
    {
        await connection.send(PostgresSSLRequest.encode())
        let (answer, _) = try await connection.read(timeout: context.readTimeout, decode: PostgresSSLResponse.decode)
        guard let ssl = answer.value else { return (nil, nil) }
        if ssl == .willingToNegotiate {
            do {
                context.log.record(try await connection.startTLS(alpn: ["postgresql"], timeout: context.readTimeout))
            } catch {
                return (ssl, nil)
            }
        }
        return (ssl, try await startup(.unsupportedProtocolProbe, on: connection, context: context))
    }

    /// GSSENCRequest, then, after `N`, the no-user startup on the same connection.
    private func askGSSENCThenNoUser(on connection: ProbeConnection, context: ProbeContext) async throws
        -> (PostgresGSSENCResponse?, PostgresStartupReply?)
    {
        await connection.send(PostgresGSSENCRequest.encode())
        let answer = try await connection.read(timeout: context.readTimeout, decode: PostgresGSSENCResponse.decode).0
            .value
        guard answer == .notSupported else { return (answer, nil) }
        return (answer, try await startup(.noUserProbe, on: connection, context: context))
    }

    private func startup(_ message: PostgresStartupMessage, on connection: ProbeConnection, context: ProbeContext)
        async throws -> PostgresStartupReply?
    {
        await connection.send(message.encode())
        return try await connection.read(timeout: context.readTimeout, decode: PostgresStartupReply.decode).0.value
    }
}
