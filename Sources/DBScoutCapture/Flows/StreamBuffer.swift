/// The first `capacity` bytes of one direction of a TCP connection, put in sequence order.
///
/// Offsets count from the stream's first byte (the byte after the SYN, or the first byte seen mid-stream).
/// Bytes already in the stream win over later copies, so retransmissions and overlaps change nothing; segments
/// that arrive ahead of a gap wait in `pending`, which is bounded by the room left under the capacity, and
/// fill in only what the stream does not hold yet when the gap closes.
struct StreamBuffer: Sendable {
    /// What became of one segment's payload.
    enum Placement: Sendable, Hashable {
        /// New bytes were added to the stream (perhaps releasing buffered ones).
        case inOrder
        /// Kept aside until the gap before it fills.
        case outOfOrder
        /// Every byte was already held: a retransmission.
        case duplicate
        /// Nothing of it fits under the capacity, or the out-of-order buffer is full.
        case beyondCapacity
    }

    let capacity: Int
    private(set) var bytes: [UInt8] = []
    /// Out-of-order data by stream offset, sorted, each already trimmed to the capacity.
    private var pending: [(offset: Int, data: [UInt8])] = []
    private(set) var pendingBytes = 0
    /// The sequence number of the stream's first byte, once known.
    private(set) var base: UInt32?

    init(capacity: Int) { self.capacity = max(0, capacity) }

    var isFull: Bool { bytes.count >= capacity }
    /// The bytes held, in order and aside: what the flow table accounts for.
    var storedBytes: Int { bytes.count + pendingBytes }

    /// Fixes where the stream starts, unless it already is.
    mutating func start(at sequence: UInt32) {
        if base == nil { base = sequence }
    }

    /// Places `payload`, whose first byte has sequence number `sequence`.
    mutating func place(_ payload: ArraySlice<UInt8>, at sequence: UInt32) -> Placement {
        guard !payload.isEmpty else { return .duplicate }
        start(at: sequence)
        guard let base, !isFull else { return .beyondCapacity }
        // Signed distance, so a segment from just before the base reads as an overlap, not as 4 GB ahead.
        var offset = Int(Int32(bitPattern: sequence &- base))
        var data = payload
        if offset < bytes.count {
            let known = bytes.count - offset
            guard known < data.count else { return .duplicate }
            data = data.dropFirst(known)
            offset = bytes.count
        }
        guard offset < capacity else { return .beyondCapacity }
        data = data.prefix(capacity - offset)
        if offset == bytes.count {
            bytes.append(contentsOf: data)
            releasePending()
            return .inOrder
        }
        return keepAside(Array(data), at: offset)
    }

    private mutating func keepAside(_ data: [UInt8], at offset: Int) -> Placement {
        let covered = pending.contains { $0.offset <= offset && offset + data.count <= $0.offset + $0.data.count }
        guard !covered else { return .duplicate }
        guard pendingBytes + data.count <= capacity - bytes.count else { return .beyondCapacity }
        let index = pending.firstIndex { $0.offset > offset } ?? pending.endIndex
        pending.insert((offset, data), at: index)
        pendingBytes += data.count
        return .outOfOrder
    }

    /// Moves the waiting segments that now touch the end of the stream into it, dropping what they repeat.
    private mutating func releasePending() {
        while let first = pending.first, first.offset <= bytes.count {
            pending.removeFirst()
            pendingBytes -= first.data.count
            let known = bytes.count - first.offset
            if known < first.data.count {
                bytes.append(contentsOf: first.data.dropFirst(known).prefix(capacity - bytes.count))
            }
        }
        if isFull {
            pending.removeAll()
            pendingBytes = 0
        }
    }
}
