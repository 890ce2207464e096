import DBScoutProtocols

/// The state of one TCP conversation in the flow table.
struct Flow: Sendable {
    var client: PackedEndpoint
    var server: PackedEndpoint
    var syn: [UInt8]?
    var synAck: [UInt8]?
    /// What the client sent, and what the server sent.
    var toServer: StreamBuffer
    var toClient: StreamBuffer
    var lastActivity: Duration
    /// The table's touch counter when this flow was last touched, to find stale entries in its recency queue.
    var touch: UInt64 = 0
    var clientFinished = false
    var serverFinished = false
    /// Emitted already: the flow stays, without its bytes, so its last packets do not start a mid-stream flow.
    var emitted = false

    init(client: PackedEndpoint, server: PackedEndpoint, capacity: Int, now: Duration) {
        self.client = client
        self.server = server
        toServer = StreamBuffer(capacity: capacity)
        toClient = StreamBuffer(capacity: capacity)
        lastActivity = now
    }

    var storedBytes: Int { toServer.storedBytes + toClient.storedBytes }

    func snapshot(_ reason: FlowSnapshot.Reason) -> FlowSnapshot {
        let flow = TCPFlowSnapshot(
            client: client.endpoint,
            server: server.endpoint,
            clientBytes: toServer.bytes,
            serverBytes: toClient.bytes,
            syn: syn,
            synAck: synAck,
            seenFromStart: syn != nil || synAck != nil
        )
        return FlowSnapshot(flow, reason: reason)
    }

    /// Frees the bytes once the flow has been emitted.
    mutating func retire() {
        emitted = true
        toServer = StreamBuffer(capacity: 0)
        toClient = StreamBuffer(capacity: 0)
    }
}
