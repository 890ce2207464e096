import DBScoutCore
import DBScoutProtocols

/// Follows TCP conversations from decoded segments and emits a ``FlowSnapshot`` of each once it has enough
/// data (both directions at the cap), is closed (FIN both ways, or RST), goes idle or is evicted.
///
/// Bounded in flows and bytes: when either bound is passed, the least recently active flows go first (and are
/// emitted). Time is whatever the caller passes (capture timestamps, or a clock), so it can be tested; it
/// should not go backwards by much, as eviction follows the order of activity.
public struct FlowTable: Sendable {
    public let limits: FlowTableLimits
    public private(set) var counters = FlowCounters()
    /// Payload bytes held across all flows.
    public private(set) var storedBytes = 0

    /// Flows live in slots found through one hash lookup per packet; the recency queue names slots, so that
    /// checking and dropping its stale entries needs no hashing.
    private var slots: [Flow?] = []
    private var slotOfKey: [FlowKey: Int] = [:]
    private var freeSlots: [Int] = []
    /// Slots in the order they were touched; an entry is live while its touch matches its flow's.
    private var recency: [(slot: Int, touch: UInt64)] = []
    private var recencyHead = 0
    private var touches: UInt64 = 0

    public init(limits: FlowTableLimits = FlowTableLimits()) {
        self.limits = limits
    }

    /// Flows tracked, emitted ones waiting out their idle time included.
    public var flowCount: Int { slotOfKey.count }

    /// Adds one segment seen at `now`; returns the snapshots it caused (its own flow's, evicted ones').
    public mutating func ingest(_ segment: TCPSegment, at now: Duration) -> [FlowSnapshot] {
        let source = PackedEndpoint(segment.source)
        let destination = PackedEndpoint(segment.destination)
        let key = FlowKey(source, destination)
        var emitted: [FlowSnapshot] = []
        var slot = slotOfKey[key]
        if let existing = slot, segment.flags.contains(.syn), !segment.flags.contains(.ack), let old = slots[existing],
            old.emitted || !FlowTable.isRetransmission(of: old, segment)
        {
            // A new connection on a 4-tuple in use: the old one is over.
            if !old.emitted { emitted.append(old.snapshot(.evicted)) }
            remove(existing)
            slot = nil
        }
        if slot == nil {
            guard let flow = newFlow(for: segment, source: source, destination: destination, at: now) else {
                counters.segmentsIgnored += 1
                return emitted
            }
            emitted += makeRoom(forFlows: 1)
            slot = insert(flow, key: key)
        }
        if let slot { emitted += update(slot, with: segment, from: source, at: now) }
        emitted += makeRoom(forFlows: 0)
        return emitted
    }

    /// Emits and forgets the flows idle for the timeout at `now`.
    public mutating func expire(now: Duration) -> [FlowSnapshot] {
        var emitted: [FlowSnapshot] = []
        while let slot = oldestSlot(), let flow = slots[slot], flow.lastActivity + limits.idleTimeout <= now {
            counters.expired += 1
            if !flow.emitted { emitted.append(flow.snapshot(.idle)) }
            remove(slot)
        }
        return emitted
    }

    /// Emits every flow not emitted yet and empties the table, oldest first: the end of a capture.
    public mutating func drain() -> [FlowSnapshot] {
        var emitted: [FlowSnapshot] = []
        while let slot = oldestSlot(), let flow = slots[slot] {
            if !flow.emitted { emitted.append(flow.snapshot(.drained)) }
            remove(slot)
        }
        return emitted
    }

    // MARK: - Flows

    /// A flow for a segment of an unknown 4-tuple: a SYN or SYN-ACK gives the roles, data without them is
    /// taken mid-stream; anything else (an ACK, a FIN or RST of a flow we never saw) starts nothing.
    private mutating func newFlow(
        for segment: TCPSegment,
        source: PackedEndpoint,
        destination: PackedEndpoint,
        at now: Duration
    ) -> Flow? {
        let capacity = limits.bytesPerDirection
        if segment.flags.contains(.syn), !segment.flags.contains(.rst) {
            let fromClient = !segment.flags.contains(.ack)
            counters.flowsCreated += 1
            return fromClient
                ? Flow(client: source, server: destination, capacity: capacity, now: now)
                : Flow(client: destination, server: source, capacity: capacity, now: now)
        }
        guard !segment.payload.isEmpty, !segment.flags.contains(.rst) else { return nil }
        counters.flowsCreated += 1
        counters.midStreamFlows += 1
        return FlowTable.serverLooksLike(destination, rather: source)
            ? Flow(client: source, server: destination, capacity: capacity, now: now)
            : Flow(client: destination, server: source, capacity: capacity, now: now)
    }

    /// Mid-stream, the server is the side on a well-known database port, else the side on the lower port.
    static func serverLooksLike(_ candidate: PackedEndpoint, rather other: PackedEndpoint) -> Bool {
        let known = (KnownPort.wire(for: candidate.port) != nil, KnownPort.wire(for: other.port) != nil)
        if known.0 != known.1 { return known.0 }
        return candidate.port < other.port
    }

    /// A SYN that repeats the flow's own: same initial sequence number.
    private static func isRetransmission(of flow: Flow, _ syn: TCPSegment) -> Bool {
        flow.syn != nil && flow.toServer.base == syn.sequence &+ 1
    }

    private mutating func update(
        _ slot: Int,
        with segment: TCPSegment,
        from source: PackedEndpoint,
        at now: Duration
    ) -> [FlowSnapshot] {
        touches += 1
        // Changed in place, so the flow's buffers are not copied on write.
        let (snapshot, byteChange) = FlowTable.advance(
            &slots[slot]!,
            with: segment,
            from: source,
            at: now,
            touch: touches,
            counters: &counters
        )
        storedBytes += byteChange
        recency.append((slot, touches))
        compactRecency()
        return snapshot.map { [$0] } ?? []
    }

    /// Applies one segment to its flow; returns the snapshot it completed, if any, and the change in bytes held.
    private static func advance(
        _ flow: inout Flow,
        with segment: TCPSegment,
        from source: PackedEndpoint,
        at now: Duration,
        touch: UInt64,
        counters: inout FlowCounters
    ) -> (FlowSnapshot?, Int) {
        let before = flow.storedBytes
        flow.lastActivity = now
        flow.touch = touch
        guard !flow.emitted else { return (nil, 0) }
        record(segment, fromClient: source == flow.client, in: &flow, counters: &counters)
        guard let reason = endReason(of: flow, after: segment.flags) else { return (nil, flow.storedBytes - before) }
        let snapshot = flow.snapshot(reason)
        flow.retire()
        return (snapshot, -before)
    }

    /// Why the flow is done after a segment with `flags`, if it is.
    private static func endReason(of flow: Flow, after flags: TCPFlags) -> FlowSnapshot.Reason? {
        if flags.contains(.rst) { return .reset }
        if flow.clientFinished && flow.serverFinished { return .closed }
        if flow.toServer.isFull && flow.toClient.isFull { return .full }
        return nil
    }

    /// Handshake headers, stream starts, payload and FINs of one segment.
    private static func record(
        _ segment: TCPSegment,
        fromClient: Bool,
        in flow: inout Flow,
        counters: inout FlowCounters
    ) {
        let flags = segment.flags
        var dataSequence = segment.sequence
        if flags.contains(.syn) {
            dataSequence &+= 1
            if fromClient, !flags.contains(.ack), flow.syn == nil {
                flow.syn = Array(segment.headers)
                flow.toServer.start(at: dataSequence)
            } else if !fromClient, flags.contains(.ack), flow.synAck == nil {
                flow.synAck = Array(segment.headers)
                flow.toClient.start(at: dataSequence)
                // A SYN-ACK without its SYN still says where the client's bytes start.
                flow.toServer.start(at: segment.acknowledgment)
            }
        }
        if !segment.payload.isEmpty {
            let placement =
                fromClient
                ? flow.toServer.place(segment.payload, at: dataSequence)
                : flow.toClient.place(segment.payload, at: dataSequence)
            count(placement, in: &counters)
        }
        if flags.contains(.fin) {
            if fromClient { flow.clientFinished = true } else { flow.serverFinished = true }
        }
    }

    private static func count(_ placement: StreamBuffer.Placement, in counters: inout FlowCounters) {
        switch placement {
        case .inOrder: break
        case .outOfOrder: counters.outOfOrder += 1
        case .duplicate: counters.retransmissions += 1
        case .beyondCapacity: counters.beyondCapacity += 1
        }
    }

    private mutating func insert(_ flow: Flow, key: FlowKey) -> Int {
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            slots[slot] = flow
        } else {
            slot = slots.count
            slots.append(flow)
        }
        slotOfKey[key] = slot
        return slot
    }

    private mutating func remove(_ slot: Int) {
        guard let flow = slots[slot] else { return }
        storedBytes -= flow.storedBytes
        slotOfKey.removeValue(forKey: FlowKey(flow.client, flow.server))
        slots[slot] = nil
        freeSlots.append(slot)
    }

    // MARK: - Bounds

    /// Evicts the least recently active flows until `extra` more flows fit and the bytes are within bounds.
    private mutating func makeRoom(forFlows extra: Int) -> [FlowSnapshot] {
        var emitted: [FlowSnapshot] = []
        while slotOfKey.count + extra > limits.maxFlows || storedBytes > limits.maxBytes, let slot = oldestSlot(),
            let flow = slots[slot]
        {
            counters.evicted += 1
            if !flow.emitted { emitted.append(flow.snapshot(.evicted)) }
            remove(slot)
        }
        return emitted
    }

    /// The least recently touched flow's slot, skipping stale queue entries.
    private mutating func oldestSlot() -> Int? {
        while recencyHead < recency.count {
            let entry = recency[recencyHead]
            if isLive(entry) { return entry.slot }
            recencyHead += 1
        }
        return nil
    }

    private func isLive(_ entry: (slot: Int, touch: UInt64)) -> Bool {
        slots[entry.slot]?.touch == entry.touch
    }

    /// Every touch adds a queue entry; dropping the stale ones now and then keeps the queue within a small
    /// multiple of the flow count, at amortised constant cost.
    private mutating func compactRecency() {
        guard recency.count - recencyHead > 2 * slotOfKey.count + 1024 else { return }
        recency = recency[recencyHead...].filter(isLive)
        recencyHead = 0
    }
}
