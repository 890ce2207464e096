import DBScoutCore
import DBScoutProtocols
import DBScoutTestSupport
import Testing

/// Builds flow snapshots from a trace the way the capture's flow table will: TCP packets grouped by 4-tuple,
/// each direction reassembled in sequence order (retransmissions dropped, early segments held back) and capped,
/// the client being the SYN sender, else the side that did not send the SYN-ACK, else the side not on a database
/// port (the higher port when neither or both are).
enum PassiveTraceFlows {
    /// The bytes kept per direction, as the flow table keeps the first few KB.
    static let capPerDirection = 8 * 1024

    struct Packet {
        let source: Endpoint
        let destination: Endpoint
        let sequence: UInt32
        let flags: UInt8
        let headers: [UInt8]
        let payload: [UInt8]

        var isSYN: Bool { flags & 0x12 == 0x02 }
        var isSYNACK: Bool { flags & 0x12 == 0x12 }

        init?(ipv4 bytes: [UInt8]) {
            guard bytes.count >= 20 else { return nil }
            let ipLength = Int(bytes[0] & 0x0f) * 4
            guard ipLength >= 20, bytes.count >= ipLength + 20 else { return nil }
            let tcpLength = Int(bytes[ipLength + 12] >> 4) * 4
            guard tcpLength >= 20, bytes.count >= ipLength + tcpLength else { return nil }
            let address = { (at: Int) in
                IPAddress((0..<4).map { String(bytes[at + $0]) }.joined(separator: "."))
            }
            let port = { (at: Int) in UInt16(bytes[ipLength + at]) << 8 | UInt16(bytes[ipLength + at + 1]) }
            guard let from = address(12), let to = address(16) else { return nil }
            source = Endpoint(address: from, port: port(0))
            destination = Endpoint(address: to, port: port(2))
            sequence = (4..<8).reduce(UInt32(0)) { $0 << 8 | UInt32(bytes[ipLength + $1]) }
            flags = bytes[ipLength + 13]
            headers = Array(bytes[..<(ipLength + tcpLength)])
            payload = Array(bytes[(ipLength + tcpLength)...])
        }
    }

    /// One direction of a flow, reassembled.
    struct Direction {
        var next: UInt32?
        var bytes: [UInt8] = []
        var pending: [UInt32: [UInt8]] = [:]

        mutating func add(_ sequence: UInt32, _ payload: [UInt8]) {
            guard !payload.isEmpty, bytes.count < PassiveTraceFlows.capPerDirection else { return }
            let expected = next ?? sequence
            let offset = Int32(bitPattern: sequence &- expected)
            if offset > 0 {
                pending[sequence] = payload
                return
            }
            let overlap = Int(-offset)
            guard overlap < payload.count else { return }
            append(Array(payload[overlap...]), from: expected)
            while let next, let held = pending.removeValue(forKey: next) { append(held, from: next) }
        }

        private mutating func append(_ payload: [UInt8], from sequence: UInt32) {
            bytes += payload.prefix(PassiveTraceFlows.capPerDirection - bytes.count)
            next = sequence &+ UInt32(payload.count)
        }
    }

    struct Flow {
        var first: Packet
        var syn: Packet?
        var synAck: Packet?
        var directions: [Endpoint: Direction] = [:]

        var snapshot: TCPFlowSnapshot {
            let (client, server) = roles
            return TCPFlowSnapshot(
                client: client,
                server: server,
                clientBytes: directions[client]?.bytes ?? [],
                serverBytes: directions[server]?.bytes ?? [],
                syn: syn?.headers,
                synAck: synAck?.headers,
                seenFromStart: syn != nil
            )
        }

        var roles: (client: Endpoint, server: Endpoint) {
            if let syn { return (syn.source, syn.destination) }
            if let synAck { return (synAck.destination, synAck.source) }
            let (a, b) = (first.source, first.destination)
            let aIsDatabase = KnownPort.wire(for: a.port) != nil
            let bIsDatabase = KnownPort.wire(for: b.port) != nil
            if aIsDatabase != bIsDatabase { return aIsDatabase ? (b, a) : (a, b) }
            return a.port > b.port ? (a, b) : (b, a)
        }
    }

    /// The flows of a trace, in the order they began.
    static func flows(_ trace: PcapTrace) -> [Flow] {
        var flows: [Flow] = []
        var open: [Set<Endpoint>: Int] = [:]
        for packet in trace.tcpPackets.compactMap({ Packet(ipv4: $0.ipv4) }) {
            let key: Set<Endpoint> = [packet.source, packet.destination]
            // A SYN on a 4-tuple that already carried data starts a new connection.
            if open[key] == nil
                || (packet.isSYN && flows[open[key] ?? 0].directions.values.contains { !$0.bytes.isEmpty })
            {
                open[key] = flows.count
                flows.append(Flow(first: packet))
            }
            guard let index = open[key] else { continue }
            if packet.isSYN {
                flows[index].syn = packet
                flows[index].directions[packet.source, default: Direction()].next = packet.sequence &+ 1
            } else if packet.isSYNACK {
                flows[index].synAck = packet
                flows[index].directions[packet.source, default: Direction()].next = packet.sequence &+ 1
            } else {
                flows[index].directions[packet.source, default: Direction()].add(packet.sequence, packet.payload)
            }
        }
        return flows
    }

    static func snapshots(_ path: String) throws -> [TCPFlowSnapshot] {
        flows(try PcapTrace.shared(path)).map(\.snapshot)
    }
}

@Suite("Flow snapshots built from traces")
struct PassiveTraceFlowsTests {
    @Test(.enabled(if: PcapTrace.sharedTestData != nil, "needs ../shared/testdata"))
    func aGreetingTraceGivesOneFlowFromItsStart() throws {
        let snapshots = try PassiveTraceFlows.snapshots("captures/mariadb10.11-greeting-only.pcap")
        #expect(snapshots.count == 1)
        let flow = try #require(snapshots.first)
        #expect(flow.server.port == 3306)
        #expect(flow.seenFromStart)
        #expect(flow.syn != nil && flow.synAck != nil)
        #expect(flow.serverBytes.count > 50)
    }

    @Test func reassemblyDropsRetransmissionsAndWaitsForGaps() {
        var direction = PassiveTraceFlows.Direction(next: 100)
        direction.add(104, [5, 6])
        direction.add(100, [1, 2, 3, 4])
        direction.add(102, [3, 4, 5])
        direction.add(106, [7])
        #expect(direction.bytes == [1, 2, 3, 4, 5, 6, 7])
    }
}
