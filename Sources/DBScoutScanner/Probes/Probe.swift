import DBScoutCore

/// A conversation in one wire protocol that identifies the service at an endpoint, if it speaks that protocol.
protocol Probe: Sendable {
    var wire: WireProtocol { get }

    /// Whether the protocol can run inside a TLS session opened before its first byte (PostgreSQL 17 direct
    /// TLS, TDS 8 strict, MongoDB and Redis TLS ports). Server-first protocols cannot.
    var runsTLSFirst: Bool { get }

    /// Runs the conversation. Returns `nil` when the service does not speak this protocol.
    /// - Throws: ``ProbeConnector/Failure`` when no connection could be made at all.
    func identify(_ endpoint: Endpoint, context: ProbeContext) async throws -> Finding?
}

extension Probe {
    var runsTLSFirst: Bool { true }
}

/// What every probe needs: a way to connect, the read deadlines, and where TLS sessions are noted.
struct ProbeContext: Sendable {
    let connector: ProbeConnector
    /// The deadline for each reply once a request is sent.
    let readTimeout: Duration
    /// How long to wait for a server that speaks first when the port does not suggest it will.
    let bannerWait: Duration
    /// Whether the port is the default of the protocol being tried.
    let portIsHinted: Bool
    /// `nil` for plain connections; the ALPN protocols to offer when every connection starts with TLS.
    var tlsFirst: [String]? = nil
    /// TLS sessions and local ports seen during the probe, for the finding's evidence.
    var log = ProbeLog()

    /// Connects (with TLS first when the context says so), runs `body`, and closes the connection.
    func withConnection<Result: Sendable>(
        to endpoint: Endpoint,
        _ body: (ProbeConnection) async throws -> Result
    ) async throws -> Result {
        try await connector.withConnection(to: endpoint) { connection in
            if let port = await connection.localPort() { log.recordLocalPort(port) }
            if let alpn = tlsFirst {
                do {
                    log.record(try await connection.startTLS(alpn: alpn, timeout: readTimeout))
                } catch {
                    throw TLSHandshakeFailed()
                }
            }
            return try await body(connection)
        }
    }
}

/// The peer did not complete a TLS handshake on a TLS-first connection.
struct TLSHandshakeFailed: Error {}
