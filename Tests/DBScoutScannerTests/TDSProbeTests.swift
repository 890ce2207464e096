import DBScoutCore
import DBScoutTestSupport
import NIOCore
import Testing

@testable import DBScoutScanner

@Suite("TDS probe")
struct TDSProbeTests {
    private static let tracesAvailable = PcapTrace.sharedTestData != nil

    private func context(hinted: Bool = true, readTimeout: Duration = .seconds(2)) -> ProbeContext {
        ProbeContext(
            connector: ProbeConnector(connectTimeout: .seconds(1)),
            readTimeout: readTimeout,
            bannerWait: .milliseconds(300),
            portIsHinted: hinted
        )
    }

    /// - Parameter readTimeout: long enough, where a decoy must react, for its reaction to arrive on a loaded machine.
    private func observe(
        _ behaviour: DecoyServer.Behaviour,
        hinted: Bool = true,
        readTimeout: Duration = .seconds(1)
    ) async throws -> TDSProbeOutcome {
        let decoy = try await DecoyServer.start(behaviour)
        defer { Task { await decoy.stop() } }
        return try await TDSProbe().observe(decoy.endpoint, context: context(hinted: hinted, readTimeout: readTimeout))
    }

    private func replay(_ path: String, serverPort: UInt16) async throws -> Finding? {
        let turns = try PcapTrace.shared(path).replayTurns(serverPort: serverPort)
        #expect(!turns.isEmpty)
        let decoy = try await DecoyServer.start(.replay(turns))
        defer { Task { await decoy.stop() } }
        return try await TDSProbe().identify(decoy.endpoint, context: context())
    }

    @Test(.enabled(if: tracesAvailable, "needs ../shared/testdata"))
    func recordedSQLServer2000IsIdentified() async throws {
        let finding = try #require(try await replay("public-traces/arkime/tds7.pcap", serverPort: 1433))
        #expect(finding.product == .sqlserver)
        #expect(finding.version == "8.0.2039")
        #expect(finding.dbssVersion == "2000")
        #expect(finding.dbssType == .sqlserver)
        #expect(finding.tls == .unsupported)
        #expect(finding.os == .windows64)
        #expect(finding.evidence.contains(Evidence("tds.prelogin.encryption", "ENCRYPT_NOT_SUP")))
    }

    @Test(.enabled(if: tracesAvailable, "needs ../shared/testdata"))
    func recordedSybaseIsNotSQLServer() async throws {
        #expect(try await replay("public-traces/arkime/tds5.pcap", serverPort: 3106) == nil)
    }

    @Test(.enabled(if: tracesAvailable, "needs ../shared/testdata"))
    func recordedMidSessionServerIsNotSQLServer() async throws {
        #expect(try await replay("public-traces/nDPI/mssql_tds.pcap", serverPort: 1433) == nil)
    }

    @Test func serverThatForcesEncryptionIsRequired() async throws {
        // SQL Server 2019 (15.0.2000) answering ENCRYPT_REQ, laid out as the 2000 trace's answer is.
        let answer: [UInt8] = [
            0x04, 0x01, 0x00, 0x25, 0x00, 0x00, 0x01, 0x00,
            0x00, 0x00, 0x15, 0x00, 0x06, 0x01, 0x00, 0x1b, 0x00, 0x01, 0x02, 0x00, 0x1c, 0x00, 0x01,
            0x03, 0x00, 0x1d, 0x00, 0x00, 0xff,
            0x0f, 0x00, 0x07, 0xd0, 0x00, 0x00, 0x03, 0x00,
        ]
        guard case .identified(let finding) = try await observe(.reply(answer)) else {
            Issue.record("a well-formed PRELOGIN answer must identify SQL Server")
            return
        }
        #expect(finding.version == "15.0.2000")
        #expect(finding.dbssVersion == "2019")
        #expect(finding.tls == .required)
        #expect(finding.os == nil)
    }

    @Test(arguments: [
        ("tarpit", DecoyServer.Behaviour.silent),
        ("echo", .echo),
        ("http", .reply(Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8))),
        ("random bytes", .reply((0..<64).map { UInt8(truncatingIfNeeded: $0 &* 73 &+ 11) })),
        ("ssh banner", .greet(Array("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n".utf8))),
        (
            "tabular packet of garbage",
            .reply([0x04, 0x01, 0x00, 0x0c, 0x00, 0x00, 0x01, 0x00, 0xfd, 0x01, 0x00, 0xf9])
        ),
    ])
    func decoyIsNotSQLServer(name: String, behaviour: DecoyServer.Behaviour) async throws {
        guard case .notTDS = try await observe(behaviour) else {
            Issue.record("\(name): expected no TDS and no TLS-first suspicion")
            return
        }
    }

    @Test func resetAfterPreloginOnTheHintedPortPointsAtTLSFirst() async throws {
        guard case .tlsFirstSuspected(let evidence) = try await observe(.resetOnData, readTimeout: .seconds(5)) else {
            Issue.record("a reset right after PRELOGIN on the TDS port must raise the TLS-first suspicion")
            return
        }
        let noReply = try #require(evidence.first { $0.fact == "tds.prelogin.no_reply" })
        #expect(noReply.value.hasPrefix("connection closed or reset"))
        #expect(evidence.contains { $0.fact == "tds.strict_tls_suspected" && $0.value.contains("tds/8.0") })

        // The probe itself still reports nothing: a hang-up alone identifies no database.
        let decoy = try await DecoyServer.start(.resetOnData)
        defer { Task { await decoy.stop() } }
        #expect(try await TDSProbe().identify(decoy.endpoint, context: context()) == nil)
    }

    @Test func tlsAlertAfterPreloginOnTheHintedPortPointsAtTLSFirst() async throws {
        guard
            case .tlsFirstSuspected(let evidence) = try await observe(
                .reply([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]),
                readTimeout: .seconds(5)
            )
        else {
            Issue.record("a TLS alert in reply to PRELOGIN on the TDS port must raise the TLS-first suspicion")
            return
        }
        #expect(evidence.contains { $0.fact == "tds.prelogin.no_reply" && $0.value.hasPrefix("TLS alert") })
    }

    @Test func resetOnAnotherPortIsNotEvidence() async throws {
        guard case .notTDS = try await observe(.resetOnData, hinted: false) else {
            Issue.record("off the TDS port a hang-up says nothing")
            return
        }
    }
}
