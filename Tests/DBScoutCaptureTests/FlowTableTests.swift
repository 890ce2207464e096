import DBScoutCapture
import DBScoutCore
import DBScoutProtocols
import DBScoutTestSupport
import Testing

/// The flow table on crafted segment sequences: roles, reassembly, bounds and eviction.
@Suite("Flow table")
struct FlowTableTests {
    static let clientEnd = Endpoint(address: .v4(0x0a00_0001), port: 40_000)
    static let serverEnd = Endpoint(address: .v4(0x0a00_0002), port: 5432)
    static let clientISN: UInt32 = 0xffff_fff0  // wraps within the first bytes
    static let serverISN: UInt32 = 7000

    /// A segment from the client (or the server) at `offset` bytes into its stream.
    static func segment(
        fromClient: Bool = true,
        offset: UInt32 = 0,
        flags: TCPFlags = [.ack, .psh],
        payload: [UInt8] = [],
        client: Endpoint = clientEnd,
        server: Endpoint = serverEnd
    ) -> TCPSegment {
        let isn = fromClient ? clientISN : serverISN
        let sequence = flags.contains(.syn) ? isn : isn &+ 1 &+ offset
        return TCPSegment(
            source: fromClient ? client : server,
            destination: fromClient ? server : client,
            sequence: sequence,
            acknowledgment: 0,
            flags: flags,
            headers: ArraySlice(fromClient ? [0x45, 1] : [0x45, 2]),
            payload: ArraySlice(payload)
        )
    }

    static func handshake(_ table: inout FlowTable, at time: Duration = .zero) {
        #expect(table.ingest(segment(flags: .syn), at: time).isEmpty)
        #expect(table.ingest(segment(fromClient: false, flags: [.syn, .ack]), at: time).isEmpty)
        #expect(table.ingest(segment(flags: .ack), at: time).isEmpty)
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func aClosedConnectionGivesBothDirectionsAndTheHandshake() throws {
        var table = FlowTable()
        FlowTableTests.handshake(&table)
        _ = table.ingest(FlowTableTests.segment(payload: FlowTableTests.bytes("hello ")), at: .seconds(1))
        _ = table.ingest(FlowTableTests.segment(offset: 6, payload: FlowTableTests.bytes("world")), at: .seconds(1))
        _ = table.ingest(FlowTableTests.segment(fromClient: false, payload: [1, 2, 3]), at: .seconds(2))
        #expect(table.ingest(FlowTableTests.segment(offset: 11, flags: [.fin, .ack]), at: .seconds(3)).isEmpty)
        let closing = FlowTableTests.segment(fromClient: false, offset: 3, flags: [.fin, .ack])
        let snapshot = try #require(table.ingest(closing, at: .seconds(3)).first)
        #expect(snapshot.reason == .closed)
        #expect(snapshot.client == FlowTableTests.clientEnd && snapshot.server == FlowTableTests.serverEnd)
        #expect(snapshot.clientBytes == FlowTableTests.bytes("hello world"))
        #expect(snapshot.serverBytes == [1, 2, 3])
        #expect(snapshot.syn == [0x45, 1] && snapshot.synAck == [0x45, 2] && snapshot.seenFromStart)
        // The last ACK joins the emitted flow instead of starting a new one.
        #expect(table.ingest(FlowTableTests.segment(offset: 12, flags: .ack), at: .seconds(3)).isEmpty)
        #expect(table.flowCount == 1 && table.storedBytes == 0)
        #expect(table.drain().isEmpty, "emitted once")
    }

    @Test func outOfOrderSegmentsAreReassembled() throws {
        var table = FlowTable()
        FlowTableTests.handshake(&table)
        for (offset, text) in [(6, "cd"), (8, "ef"), (0, "ab"), (2, "XY")] {
            _ = table.ingest(
                FlowTableTests.segment(offset: UInt32(offset), payload: FlowTableTests.bytes(text)),
                at: .zero
            )
        }
        #expect(table.counters.outOfOrder == 2)
        _ = table.ingest(FlowTableTests.segment(offset: 4, payload: FlowTableTests.bytes("12")), at: .zero)
        let snapshot = try #require(table.drain().first)
        #expect(snapshot.clientBytes == FlowTableTests.bytes("abXY12cdef"))
        #expect(snapshot.reason == .drained)
    }

    @Test func retransmissionsAndOverlapsKeepTheFirstBytes() throws {
        var table = FlowTable()
        FlowTableTests.handshake(&table)
        let send = { (table: inout FlowTable, offset: UInt32, text: String) in
            _ = table.ingest(FlowTableTests.segment(offset: offset, payload: FlowTableTests.bytes(text)), at: .zero)
        }
        send(&table, 0, "abcd")
        send(&table, 0, "abcd")  // retransmission
        send(&table, 2, "CDEF")  // overlap: only EF is new
        send(&table, 9, "jk")  // ahead of a gap
        send(&table, 9, "JK")  // a second copy of the waiting bytes
        send(&table, 5, "fghiX")  // fills the gap; its last byte wins over the waiting segment's first
        #expect(table.counters.retransmissions == 2)
        let snapshot = try #require(table.drain().first)
        #expect(snapshot.clientBytes == FlowTableTests.bytes("abcdEFghiXk"))
    }

    @Test func eachDirectionIsCappedAndFullFlowsAreEmitted() throws {
        var table = FlowTable(limits: FlowTableLimits(bytesPerDirection: 10))
        FlowTableTests.handshake(&table)
        _ = table.ingest(FlowTableTests.segment(offset: 4, payload: Array(repeating: 2, count: 20)), at: .zero)
        _ = table.ingest(FlowTableTests.segment(payload: [1, 1, 1, 1]), at: .zero)
        #expect(table.ingest(FlowTableTests.segment(offset: 10, payload: [9]), at: .zero).isEmpty)
        let full = table.ingest(
            FlowTableTests.segment(fromClient: false, payload: Array(repeating: 3, count: 12)),
            at: .zero
        )
        let snapshot = try #require(full.first)
        #expect(snapshot.reason == .full)
        #expect(snapshot.clientBytes == [1, 1, 1, 1] + Array(repeating: 2, count: 6))
        #expect(snapshot.serverBytes == Array(repeating: 3, count: 10))
        #expect(table.storedBytes == 0, "an emitted flow gives its bytes back")
    }

    @Test func outOfOrderBufferStaysWithinTheCap() throws {
        var table = FlowTable(limits: FlowTableLimits(bytesPerDirection: 8))
        FlowTableTests.handshake(&table)
        _ = table.ingest(FlowTableTests.segment(offset: 2, payload: Array(repeating: 5, count: 20)), at: .zero)
        #expect(table.storedBytes == 6, "what lies beyond the cap is never kept")
        _ = table.ingest(FlowTableTests.segment(offset: 4, payload: [6, 6]), at: .zero)
        #expect(table.counters.retransmissions == 1, "already waiting")
        _ = table.ingest(FlowTableTests.segment(offset: 1, payload: [7, 7, 7, 7]), at: .zero)
        #expect(table.counters.beyondCapacity == 1, "6 waiting and 4 more would pass the cap of 8")
        #expect(table.storedBytes == 6)
        _ = table.ingest(FlowTableTests.segment(payload: [4, 4]), at: .zero)
        let snapshot = try #require(table.drain().first)
        #expect(snapshot.clientBytes == [4, 4] + Array(repeating: 5, count: 6))
    }

    @Test func resetEmitsAtOnce() throws {
        var table = FlowTable()
        FlowTableTests.handshake(&table)
        _ = table.ingest(FlowTableTests.segment(payload: [1]), at: .zero)
        let snapshot = try #require(
            table.ingest(FlowTableTests.segment(fromClient: false, flags: .rst), at: .zero).first
        )
        #expect(snapshot.reason == .reset && snapshot.clientBytes == [1])
    }

    @Test func midStreamFlowsTakeTheDatabasePortAsTheServer() throws {
        var table = FlowTable()
        // The client's port is lower than the server's, so only the known database port can tell.
        let client = Endpoint(address: .v4(0x0a00_0001), port: 80)
        let server = Endpoint(address: .v4(0x0a00_0002), port: 3306)
        let greeting = FlowTableTests.segment(fromClient: false, payload: [9, 9], client: client, server: server)
        _ = table.ingest(greeting, at: .zero)
        _ = table.ingest(FlowTableTests.segment(offset: 5, payload: [7], client: client, server: server), at: .zero)
        let snapshot = try #require(table.drain().first)
        #expect(snapshot.server == server && snapshot.client == client && !snapshot.seenFromStart)
        #expect(snapshot.serverBytes == [9, 9] && snapshot.clientBytes == [7])
        #expect(snapshot.syn == nil && table.counters.midStreamFlows == 1)
    }

    @Test func midStreamWithoutAKnownPortTakesTheLowerPort() throws {
        var table = FlowTable()
        let high = Endpoint(address: .v4(0x0a00_0001), port: 50_000)
        let low = Endpoint(address: .v4(0x0a00_0002), port: 60_102)
        _ = table.ingest(FlowTableTests.segment(payload: [1], client: low, server: high), at: .zero)
        #expect(table.drain().first?.server == high)
    }

    @Test func bareAcksOfUnknownFlowsStartNothing() {
        var table = FlowTable()
        #expect(table.ingest(FlowTableTests.segment(flags: .ack), at: .zero).isEmpty)
        #expect(table.ingest(FlowTableTests.segment(flags: [.rst, .ack]), at: .zero).isEmpty)
        #expect(table.flowCount == 0 && table.counters.segmentsIgnored == 2)
    }

    @Test func aSYNAckWithoutItsSYNStillGivesRolesAndStreams() throws {
        var table = FlowTable()
        var synAck = FlowTableTests.segment(fromClient: false, flags: [.syn, .ack])
        synAck = TCPSegment(
            source: synAck.source,
            destination: synAck.destination,
            sequence: synAck.sequence,
            acknowledgment: FlowTableTests.clientISN &+ 1,
            flags: synAck.flags,
            headers: synAck.headers
        )
        _ = table.ingest(synAck, at: .zero)
        _ = table.ingest(FlowTableTests.segment(offset: 3, payload: [4]), at: .zero)
        _ = table.ingest(FlowTableTests.segment(payload: [1, 2, 3]), at: .zero)
        let snapshot = try #require(table.drain().first)
        #expect(snapshot.client == FlowTableTests.clientEnd && snapshot.seenFromStart && snapshot.syn == nil)
        #expect(snapshot.clientBytes == [1, 2, 3, 4])
    }

    @Test func idleFlowsExpireWithTheCallersClock() throws {
        var table = FlowTable(limits: FlowTableLimits(idleTimeout: .seconds(30)))
        FlowTableTests.handshake(&table, at: .seconds(0))
        let other = Endpoint(address: .v4(0x0a00_0003), port: 40_001)
        _ = table.ingest(FlowTableTests.segment(flags: .syn, client: other), at: .seconds(20))
        #expect(table.expire(now: .seconds(29)).isEmpty)
        let expired = table.expire(now: .seconds(30))
        #expect(expired.map(\.client) == [FlowTableTests.clientEnd] && expired.first?.reason == .idle)
        #expect(table.flowCount == 1 && table.counters.expired == 1)
        #expect(table.expire(now: .seconds(50)).map(\.client) == [other])
    }

    @Test func theFlowBoundEvictsTheLeastRecentlyActive() throws {
        var table = FlowTable(limits: FlowTableLimits(maxFlows: 2))
        let clients = (1...3).map { Endpoint(address: .v4(0x0a00_0100 + UInt32($0)), port: 40_000) }
        _ = table.ingest(FlowTableTests.segment(flags: .syn, client: clients[0]), at: .seconds(1))
        _ = table.ingest(FlowTableTests.segment(flags: .syn, client: clients[1]), at: .seconds(2))
        // Activity on the first flow makes the second the oldest.
        _ = table.ingest(FlowTableTests.segment(payload: [1], client: clients[0]), at: .seconds(3))
        let evicted = table.ingest(FlowTableTests.segment(flags: .syn, client: clients[2]), at: .seconds(4))
        #expect(evicted.map(\.client) == [clients[1]] && evicted.first?.reason == .evicted)
        #expect(table.flowCount == 2 && table.counters.evicted == 1)
    }

    @Test func theByteBoundEvictsTheLeastRecentlyActive() throws {
        var table = FlowTable(limits: FlowTableLimits(bytesPerDirection: 100, maxBytes: 150))
        let clients = (1...2).map { Endpoint(address: .v4(0x0a00_0100 + UInt32($0)), port: 40_000) }
        _ = table.ingest(
            FlowTableTests.segment(payload: Array(repeating: 1, count: 100), client: clients[0]),
            at: .zero
        )
        let evicted = table.ingest(
            FlowTableTests.segment(payload: Array(repeating: 2, count: 60), client: clients[1]),
            at: .seconds(1)
        )
        #expect(evicted.map(\.clientBytes.count) == [100])
        #expect(table.storedBytes == 60 && table.storedBytes <= table.limits.maxBytes)
    }

    @Test func aNewSYNOnAUsedTupleEndsTheOldFlow() throws {
        var table = FlowTable()
        FlowTableTests.handshake(&table)
        _ = table.ingest(FlowTableTests.segment(payload: [1]), at: .zero)
        #expect(table.ingest(FlowTableTests.segment(flags: .syn), at: .zero).isEmpty, "a retransmitted SYN")
        var fresh = FlowTableTests.segment(flags: .syn)
        fresh = TCPSegment(
            source: fresh.source,
            destination: fresh.destination,
            sequence: 5,
            acknowledgment: 0,
            flags: .syn,
            headers: [0x45, 9]
        )
        let old = try #require(table.ingest(fresh, at: .seconds(1)).first)
        #expect(old.clientBytes == [1] && old.reason == .evicted)
        #expect(table.drain().first?.syn == [0x45, 9])
    }

    /// Many flows, segments in random order, random duplicates: the table stays within its bounds and every
    /// emitted byte is where the sender put it.
    @Test func randomTrafficStaysBoundedAndCorrect() {
        let limits = FlowTableLimits(bytesPerDirection: 64, maxFlows: 20, maxBytes: 600, idleTimeout: .seconds(5))
        var table = FlowTable(limits: limits)
        var random = SplitMix64(seed: 42)
        var snapshots: [FlowSnapshot] = []
        for step in 0..<20_000 {
            let client = Endpoint(address: .v4(0x0a00_0000 + UInt32(random.next() % 50)), port: 40_000)
            let fromClient = random.next() % 2 == 0
            let offset = UInt32(random.next() % 80)
            // Byte i of a stream is i, so reassembly mistakes show up as out-of-place values.
            let payload = (offset..<(offset + UInt32(1 + random.next() % 12))).map { UInt8(truncatingIfNeeded: $0) }
            let segment = FlowTableTests.segment(
                fromClient: fromClient,
                offset: offset,
                payload: payload,
                client: client
            )
            snapshots += table.ingest(segment, at: .milliseconds(step))
            snapshots += table.expire(now: .milliseconds(step))
            #expect(table.flowCount <= limits.maxFlows && table.storedBytes <= limits.maxBytes)
        }
        snapshots += table.drain()
        #expect(snapshots.count > 50)
        for snapshot in snapshots {
            for stream in [snapshot.clientBytes, snapshot.serverBytes] where !stream.isEmpty {
                #expect(stream.count <= 64)
                let start = Int(stream[0])
                #expect(stream.enumerated().allSatisfy { Int($0.element) == (start + $0.offset) & 0xff })
            }
        }
    }
}
