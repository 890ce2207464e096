/// The bounds of a ``FlowTable``.
public struct FlowTableLimits: Sendable, Hashable {
    /// Bytes kept of each direction of a flow: enough for every handshake the classifiers read.
    public var bytesPerDirection: Int
    /// Flows tracked at once, closed ones waiting out their idle time included.
    public var maxFlows: Int
    /// Payload bytes held across all flows, in order and out of order.
    public var maxBytes: Int
    /// A flow with no segment for this long is emitted and forgotten.
    public var idleTimeout: Duration

    public init(
        bytesPerDirection: Int = 8 * 1024,
        maxFlows: Int = 65_536,
        maxBytes: Int = 64 * 1024 * 1024,
        idleTimeout: Duration = .seconds(120)
    ) {
        self.bytesPerDirection = max(0, bytesPerDirection)
        self.maxFlows = max(1, maxFlows)
        self.maxBytes = max(0, maxBytes)
        self.idleTimeout = idleTimeout
    }
}

/// What a ``FlowTable`` did with the segments it was given.
public struct FlowCounters: Sendable, Hashable {
    /// Flows started, from a SYN, a SYN-ACK or mid-stream data.
    public var flowsCreated = 0
    /// Flows started from data, without a handshake seen.
    public var midStreamFlows = 0
    /// Segments with no flow to join and nothing to start one (bare ACKs, FINs and RSTs of unknown flows).
    public var segmentsIgnored = 0
    /// Segments whose bytes were all held already.
    public var retransmissions = 0
    /// Segments kept aside until the gap before them filled.
    public var outOfOrder = 0
    /// Segments dropped because the direction was full or its out-of-order buffer had no room.
    public var beyondCapacity = 0
    /// Flows pushed out by the flow or byte bound.
    public var evicted = 0
    /// Flows forgotten after the idle timeout.
    public var expired = 0

    public init() {}
}
