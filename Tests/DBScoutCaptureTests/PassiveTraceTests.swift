import DBScoutCapture
import DBScoutCore
import DBScoutProtocols
import DBScoutTestSupport
import Testing

/// The passive classifier on the flows the flow table makes of recorded traces.
@Suite(
    "Passive classification of trace flows",
    .enabled(if: PcapTrace.sharedTestData != nil, "needs ../shared/testdata")
)
struct PassiveTraceTests {
    static func flows(_ path: String) throws -> [TCPFlowSnapshot] {
        try SharedTraces.snapshots(path).map(\.flow)
    }

    @Test func aGreetingTraceGivesOneFlowFromItsStart() throws {
        let snapshots = try Self.flows("captures/mariadb10.11-greeting-only.pcap")
        #expect(snapshots.count == 1)
        let flow = try #require(snapshots.first)
        #expect(flow.server.port == 3306)
        #expect(flow.seenFromStart)
        #expect(flow.syn != nil && flow.synAck != nil)
        #expect(flow.serverBytes.count > 50)
    }

    @Test func aMySQLGreetingNeedsAClientAnswerThatFitsIt() throws {
        let flow = try #require(try Self.flows("captures/mariadb10.11-login-ok-select-version.pcap").first)
        let finding = try #require(PassiveClassifier.classify(flow))
        #expect(finding.product == .mariadb)
        #expect(finding.evidence.contains(Evidence("mysql.client.answer", "HandshakeResponse41")))
        var garbled = flow
        garbled.clientBytes = Array("GET / HTTP/1.1\r\n\r\n".utf8)
        #expect(PassiveClassifier.classify(garbled) == nil)
    }

    @Test func theSYNACKSettlesTheOS() throws {
        let flow = try #require(try Self.flows("captures/mariadb10.11-greeting-only.pcap").first)
        let finding = try #require(PassiveClassifier.classify(flow))
        #expect(finding.os == .linux64)
        #expect(finding.evidence.contains { $0.fact == "os.tcp.verdict" && $0.value.hasPrefix("Linux 4.19 or newer") })
        #expect(finding.evidence.contains { $0.fact == "os.verdict" })
        var withoutHandshake = flow
        withoutHandshake.synAck = nil
        withoutHandshake.syn = nil
        #expect(
            PassiveClassifier.classify(withoutHandshake)?.evidence.contains { $0.fact == "os.tcp.verdict" } == false
        )
    }

    /// Every trace flow cut short on either side, or with bytes flipped, classifies without a crash; a cut never
    /// turns a flow that gave nothing into a finding.
    @Test func truncatedAndMutatedTraceFlowsDoNotCrash() throws {
        var generator = SplitMix64(seed: 0x5eed_0007)
        for path in try PassiveManifestTests.allTraces() {
            for flow in try Self.flows(path).prefix(8) {
                let whole = PassiveClassifier.classify(flow)
                for cut in stride(from: 0, to: min(flow.serverBytes.count, 600), by: 7) {
                    var shorter = flow
                    shorter.serverBytes = Array(flow.serverBytes.prefix(cut))
                    let finding = PassiveClassifier.classify(shorter)
                    if whole == nil { #expect(finding == nil, "\(path) cut at \(cut)") }
                }
                for cut in stride(from: 0, to: min(flow.clientBytes.count, 600), by: 7) {
                    var shorter = flow
                    shorter.clientBytes = Array(flow.clientBytes.prefix(cut))
                    _ = PassiveClassifier.classify(shorter)
                }
                for _ in 0..<20 {
                    var mutated = flow
                    if !mutated.serverBytes.isEmpty {
                        let at = Int.random(in: 0..<mutated.serverBytes.count, using: &generator)
                        mutated.serverBytes[at] = UInt8.random(in: 0...255, using: &generator)
                    }
                    if !mutated.clientBytes.isEmpty {
                        let at = Int.random(in: 0..<mutated.clientBytes.count, using: &generator)
                        mutated.clientBytes[at] = UInt8.random(in: 0...255, using: &generator)
                    }
                    _ = PassiveClassifier.classify(mutated)
                }
            }
        }
    }
}
