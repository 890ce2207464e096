import DBScoutCapture
import DBScoutCore
import DBScoutProtocols
import DBScoutTestSupport
import Testing

/// Whole traces through decoder and flow table: each flow's snapshot holds what the conversation carried.
@Suite("Flows of the shared traces", .enabled(if: PcapTrace.sharedTestData != nil, "needs ../shared/testdata"))
struct FlowTraceTests {
    /// The payloads of one direction of one flow, concatenated in capture order.
    static func payloads(_ file: CaptureFile, from source: Endpoint, to destination: Endpoint) -> [UInt8] {
        file.segments.map(\.segment).filter { $0.source == source && $0.destination == destination }
            .flatMap(\.payload)
    }

    @Test(arguments: [
        "public-traces/arkime/mysql-tls.pcap",
        "public-traces/arkime/postgres-good.pcap",
        "public-traces/zeek/postgresql/psql-aws-ssl-disable.pcap",
        "public-traces/suricata-verify/pgsql-ssl-rejected-md5-auth-simple-query.pcap",
        "captures/pg15-login-ok-md5-select-version.pcap",
        "captures/redis7.0-info-resp2.pcap",
    ])
    func snapshotBytesEqualTheConcatenatedPayloads(_ path: String) throws {
        let file = try SharedTraces.file(path)
        let snapshots = try SharedTraces.snapshots(path)
        #expect(!snapshots.isEmpty)
        var compared = 0
        for snapshot in snapshots {
            let cap = FlowTableLimits().bytesPerDirection
            let sent = FlowTraceTests.payloads(file, from: snapshot.client, to: snapshot.server)
            let answered = FlowTraceTests.payloads(file, from: snapshot.server, to: snapshot.client)
            #expect(snapshot.clientBytes == Array(sent.prefix(cap)), "\(snapshot.client) → \(snapshot.server)")
            #expect(snapshot.serverBytes == Array(answered.prefix(cap)), "\(snapshot.server) → \(snapshot.client)")
            compared += snapshot.clientBytes.count + snapshot.serverBytes.count
            #expect(snapshot.seenFromStart && snapshot.syn != nil && snapshot.synAck != nil)
        }
        #expect(compared > 0)
    }

    @Test func pgsql2GivesTheServerOn60102WithItsHandshake() throws {
        let snapshots = try SharedTraces.snapshots("public-traces/nDPI/pgsql2.pcapng")
        let flow = try #require(snapshots.first { $0.server.port == 60102 })
        #expect(flow.client.port == 58574 && flow.seenFromStart)
        #expect(flow.clientBytes.starts(with: [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]), "SSLRequest first")
        #expect(flow.serverBytes.first == UInt8(ascii: "S"), "the server accepts TLS")
        #expect(flow.synAck?.first == 0x45 && (flow.synAck?.count ?? 0) > 40, "IPv4 and TCP headers with options")
    }

    @Test func aSmallCapEmitsFullFlowsEarly() throws {
        let snapshots = try SharedTraces.snapshots(
            "captures/pg15-login-ok-md5-select-version.pcap",
            limits: FlowTableLimits(bytesPerDirection: 8)
        )
        let flow = try #require(snapshots.first)
        #expect(flow.reason == .full && flow.clientBytes.count == 8 && flow.serverBytes.count == 8)
        #expect(snapshots.count == 1, "the rest of the flow joins the emitted entry")
    }

    @Test func flowsStartedMidStreamStillFindTheServer() throws {
        // Dropping every handshake segment turns each flow into a mid-stream one.
        let file = try SharedTraces.file("public-traces/zeek/postgresql/psql-aws-ssl-disable.pcap")
        var table = FlowTable()
        var snapshots: [FlowSnapshot] = []
        for (frame, segment) in file.segments where !segment.flags.contains(.syn) {
            snapshots += table.ingest(segment, at: frame.timestamp)
        }
        snapshots += table.drain()
        let flow = try #require(snapshots.first)
        #expect(!flow.seenFromStart && flow.server.port == 5432 && flow.syn == nil)
        #expect(flow.clientBytes.count > 8 && flow.serverBytes.first == UInt8(ascii: "R"), "Authentication request")
    }
}
