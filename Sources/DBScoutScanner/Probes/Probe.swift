import DBScoutCore

/// A conversation in one wire protocol that identifies the service at an endpoint, if it speaks that protocol.
protocol Probe: Sendable {
    var wire: WireProtocol { get }

    /// Runs the conversation. Returns `nil` when the service does not speak this protocol.
    /// - Throws: ``ProbeConnector/Failure`` when no connection could be made at all.
    func identify(_ endpoint: Endpoint, context: ProbeContext) async throws -> Finding?
}

/// What every probe needs: a connector and the read deadlines.
struct ProbeContext: Sendable {
    let connector: ProbeConnector
    /// The deadline for each reply once a request is sent.
    let readTimeout: Duration
    /// How long to wait for a server that speaks first when the port does not suggest it will.
    let bannerWait: Duration
    /// Whether the port is the default of the protocol being tried.
    let portIsHinted: Bool
}
