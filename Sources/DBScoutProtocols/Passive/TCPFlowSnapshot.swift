import DBScoutCore

/// What passive capture saw of one TCP conversation: who opened it, the first bytes each way (in order), and
/// the handshake packets when they were seen. The flow table produces it; the passive classifier reads it.
public struct TCPFlowSnapshot: Sendable, Hashable {
    /// The side that sent the SYN, or, for a flow seen mid-stream, the side judged to be the client.
    public var client: Endpoint
    /// The side that answered the SYN: the candidate database.
    public var server: Endpoint
    /// The first bytes the client sent, reassembled in sequence order (capped by the flow table).
    public var clientBytes: [UInt8]
    /// The first bytes the server sent, reassembled in sequence order (capped by the flow table).
    public var serverBytes: [UInt8]
    /// The IP and TCP headers of the client's SYN, when seen.
    public var syn: [UInt8]?
    /// The IP and TCP headers of the server's SYN-ACK, when seen.
    public var synAck: [UInt8]?
    /// Whether the flow was seen from its start; without it, roles come from ports and payload.
    public var seenFromStart: Bool

    public init(
        client: Endpoint,
        server: Endpoint,
        clientBytes: [UInt8] = [],
        serverBytes: [UInt8] = [],
        syn: [UInt8]? = nil,
        synAck: [UInt8]? = nil,
        seenFromStart: Bool = false
    ) {
        self.client = client
        self.server = server
        self.clientBytes = clientBytes
        self.serverBytes = serverBytes
        self.syn = syn
        self.synAck = synAck
        self.seenFromStart = seenFromStart
    }
}
