import DBScoutCore
import DBScoutTestSupport
import NIOCore
import Testing

@testable import DBScoutScanner

/// The TNS probe against a recorded 12c listener and against services that are not Oracle.
@Suite("TNS probe")
struct TNSProbeTests {
    private let context = ProbeContext(
        connector: ProbeConnector(connectTimeout: .seconds(1)),
        readTimeout: .seconds(2),
        bannerWait: .milliseconds(300),
        portIsHinted: true
    )

    private func identify(_ behaviour: DecoyServer.Behaviour) async throws -> Finding? {
        let decoy = try await DecoyServer.start(behaviour)
        defer { Task { await decoy.stop() } }
        return try await TNSProbe().identify(decoy.endpoint, context: context)
    }

    /// The recorded listener answers the first CONNECT with RESEND and sends its ACCEPT only after a second CONNECT,
    /// so a finding here proves the probe resent.
    @Test(.enabled(if: PcapTrace.sharedTestData != nil, "needs ../shared/testdata"))
    func recordedListenerAsksForAResendThenAccepts() async throws {
        let trace = try PcapTrace.shared("public-traces/nDPI/oracle12.pcapng")
        let finding = try #require(try await identify(.replay(trace.replayTurns(serverPort: 1521))))
        #expect(finding.product == .oracle)
        #expect(finding.dbssType == .oracle)
        #expect(finding.version == nil)
        #expect(finding.evidence.contains(Evidence("tns.resends", "1")))
        #expect(finding.evidence.contains(Evidence("tns.accept.version", "315")))
        #expect(finding.evidence.contains(Evidence("tns.release_bracket", "12.1 or later (protocol 315)")))
    }

    @Test func refusingListenerGivesItsRelease() async throws {
        let refuse = refusePacket(
            "(DESCRIPTION=(TMP=)(VSNNUM=318767104)(ERR=1194)(ERROR_STACK=(ERROR=(CODE=1194)(EMFI=4))))"
        )
        let finding = try #require(try await identify(.replay([ReplayTurn(waitsForClient: true, bytes: refuse)])))
        #expect(finding.product == .oracle)
        #expect(finding.version == "19.0.0.0.0")
        #expect(finding.dbssVersion == "19c")
    }

    @Test func listenerThatKeepsAskingForResendsIsDroppedAfterTwo() async throws {
        let resend: [UInt8] = [0, 8, 0, 0, 11, 0, 0, 0]
        let turns = Array(repeating: ReplayTurn(waitsForClient: true, bytes: resend), count: 5)
        #expect(try await identify(.replay(turns)) == nil)
    }

    private static let http = Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8)

    @Test(arguments: [
        ("silent", DecoyServer.Behaviour.silent),
        ("echo", .echo),
        ("http", .reply(http)),
        ("random bytes", .reply((0..<64).map { UInt8(truncatingIfNeeded: $0 &* 73 &+ 11) })),
        ("type byte 4 with junk", .reply([0, 16, 0, 0, 4, 0, 0, 0, 0x22, 0, 0, 4, 0x6a, 0x75, 0x6e, 0x6b])),
        ("ssh banner", .greet(Array("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n".utf8))),
    ])
    func decoyIsNotOracle(name: String, behaviour: DecoyServer.Behaviour) async throws {
        #expect(try await identify(behaviour) == nil, "\(name)")
    }

    private func refusePacket(_ text: String) -> [UInt8] {
        let data = Array(text.utf8)
        let length = data.count + 12
        return [UInt8(length >> 8), UInt8(length & 0xff), 0, 0, 4, 0, 0, 0, 0x22, 0, UInt8(data.count >> 8)]
            + [UInt8(data.count & 0xff)] + data
    }
}
