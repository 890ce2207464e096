import DBScoutCore
import DBScoutTestSupport
import NIOCore
import Testing

@testable import DBScoutScanner

@Suite("DRDA probe")
struct DRDAProbeTests {
    private static let tracesAvailable = PcapTrace.sharedTestData != nil
    /// `identify` does not use the wire name; the plan does (see ``DRDAProbe/wire``).
    private let probe = DRDAProbe()

    private func context(readTimeout: Duration = .seconds(2)) -> ProbeContext {
        ProbeContext(
            connector: ProbeConnector(connectTimeout: .seconds(1)),
            readTimeout: readTimeout,
            bannerWait: .milliseconds(300),
            portIsHinted: true
        )
    }

    @Test(.enabled(if: tracesAvailable, "needs ../shared/testdata"))
    func recordedDb2IsIdentified() async throws {
        let turns = try PcapTrace.shared("public-traces/nDPI/drda_db2.pcap").replayTurns(serverPort: 50000)
        #expect(!turns.isEmpty)
        let decoy = try await DecoyServer.start(.replay(turns))
        defer { Task { await decoy.stop() } }
        let finding = try #require(try await probe.identify(decoy.endpoint, context: context()))
        #expect(finding.product == .db2)
        #expect(finding.version == "8.2.4")
        #expect(finding.os == .linux64)
        #expect(finding.dbssType == nil)
        #expect(finding.evidence.contains(Evidence("drda.excsatrd.srvclsnm", "QDB2/LINUX")))
        #expect(finding.evidence.contains(Evidence("drda.excsatrd.srvnam", "db2")))
    }

    @Test(arguments: DecoyServer.commonDecoys)
    func decoysAreNotDb2(name: String, behaviour: DecoyServer.Behaviour) async throws {
        let decoy = try await DecoyServer.start(behaviour)
        defer { Task { await decoy.stop() } }
        #expect(try await probe.identify(decoy.endpoint, context: context(readTimeout: .seconds(1))) == nil, "\(name)")
    }
}
