import DBScoutCore
import DBScoutProtocols
import DBScoutTestSupport
import NIOCore
import Testing

/// Host OS from crafted SYN-ACKs: one per stack, and the middlebox cases that must not be read as the server.
@Suite("TCP/IP OS classifier")
struct OSClassifierTests {
    /// What our own Linux scanner offers in its SYN.
    static let ourOffer = OptionOffer.all

    @Test func linuxAnswersGiveLinuxWithTheFactsShown() throws {
        let packet = try #require(CraftedPacket(ttl: 62, window: 65160, options: "mss,sok,ts,nop,ws").signature)
        let verdict = TCPOSClassifier.classify(packet, offer: Self.ourOffer)
        #expect(verdict.os == .linux64)
        #expect(verdict.label == "Linux 4.19 or newer")
        #expect(verdict.confidence >= 0.9)
        let facts = Dictionary(verdict.evidence.map { ($0.fact, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(facts["os.tcp.ttl"] == "62 (initial 64, 2 hops)")
        #expect(facts["os.tcp.window"] == "65160")
        #expect(facts["os.tcp.options"] == "mss,sok,ts,nop,ws")
        #expect(facts["os.tcp.mss"] == "1460" && facts["os.tcp.wscale"] == "7")
        #expect(facts["os.tcp.syn_offer"] == "ws,sok,ts")
        #expect(facts["os.tcp.signature"]?.hasPrefix("Linux 4.19 or newer: ") == true)
    }

    @Test(arguments: [
        // Without timestamps (net.ipv4.tcp_timestamps=0 on the server): SACK-permitted moves before the scale.
        (CraftedPacket(window: 64240, options: "mss,nop,nop,sok,nop,ws"), "Linux 4.19 or newer"),
        (CraftedPacket(window: 65483, options: "mss,sok,ts,nop,ws", mss: 65495), "Linux 4.19 or newer"),
        (CraftedPacket(window: 28960, options: "mss,sok,ts,nop,ws"), "Linux 3.12-4.18"),
        (CraftedPacket(window: 43690, options: "mss,sok,ts,nop,ws", mss: 65495), "Linux 3.x-4.18 (loopback)"),
        (CraftedPacket(window: 14480, options: "mss,sok,ts,nop,ws"), "Linux 2.6.39-3.11"),
        (CraftedPacket(window: 5840, options: "mss,nop,nop,sok,nop,ws"), "Linux 2.4-2.6.38"),
        (CraftedPacket(window: 32768, options: "mss,sok,ts,nop,ws", mss: 16396), "Linux 2.6-3.x (loopback)"),
        (CraftedPacket(window: 12345, options: "mss,sok,ts,nop,ws"), "Linux"),
    ])
    func linuxVersionsByWindow(_ packet: CraftedPacket, label: String) throws {
        let verdict = TCPOSClassifier.classify(try #require(packet.signature), offer: Self.ourOffer)
        #expect(verdict.os == .linux64)
        #expect(verdict.label == label)
    }

    @Test(arguments: [
        (CraftedPacket(ttl: 125, window: 65535, options: "mss,nop,ws,sok,ts", windowScale: 8), HostOS.windows64),
        (CraftedPacket(ttl: 128, window: 8192, options: "mss,nop,ws,nop,nop,sok", windowScale: 8), .windows64),
        (CraftedPacket(ttl: 128, window: 64240, options: "mss,nop,nop,sok"), .windows64),
        (CraftedPacket(ttl: 60, window: 65535, options: "mss,nop,ws,sok,ts", windowScale: 6), .unix),
        (CraftedPacket(ttl: 64, window: 65535, options: "mss,nop,ws,nop,nop,ts,sok,eol", windowScale: 6), .unix),
        (CraftedPacket(ttl: 57, window: 49232, options: "nop,nop,ts,mss,nop,ws,nop,nop,sok", windowScale: 0), .unix),
        (CraftedPacket(ttl: 64, window: 64436, options: "sok,ts,mss,nop,ws", windowScale: 1), .unix),
        (CraftedPacket(ttl: 64, window: 32768, options: "mss,nop,nop,sok,ws,nop,nop,nop,ts", windowScale: 0), .unix),
        (CraftedPacket(ttl: 62, window: 65535, options: "mss,nop,ws,nop,nop,ts", windowScale: 2), .unix),
    ])
    func eachStackAnsweringOurSYN(_ packet: CraftedPacket, os: HostOS) throws {
        let verdict = TCPOSClassifier.classify(try #require(packet.signature), offer: Self.ourOffer)
        #expect(verdict.os == os, "\(verdict.label): \(verdict.outcome)")
        #expect(verdict.confidence >= 0.75)
    }

    @Test func labelsNameTheStack() throws {
        let cases: [(CraftedPacket, String)] = [
            (CraftedPacket(ttl: 60, window: 65535, options: "mss,nop,ws,sok,ts", windowScale: 6), "FreeBSD"),
            (CraftedPacket(window: 65535, options: "mss,nop,ws,nop,nop,ts,sok,eol", windowScale: 6), "macOS or iOS"),
            (CraftedPacket(window: 49232, options: "nop,nop,ts,mss,nop,ws,nop,nop,sok"), "Solaris 10/11"),
            (CraftedPacket(window: 32768, options: "mss,nop,nop,sok,ws,nop,nop,nop,ts"), "HP-UX 11"),
            // AIX's answer is also what macOS and FreeBSD send when SACK is off: all UNIX, named together.
            (CraftedPacket(window: 65535, options: "mss,nop,ws,nop,nop,ts"), "macOS or iOS, FreeBSD, AIX"),
        ]
        for (packet, label) in cases {
            let verdict = TCPOSClassifier.classify(try #require(packet.signature), offer: Self.ourOffer)
            #expect(verdict.label == label, "\(verdict.outcome)")
        }
    }

    @Test func mssOnlyAnswerToAFullSYNIsAMiddlebox() throws {
        // Alibaba-style SLB in front of MySQL: TTL 128, MSS only (discovery-techniques.md §2.2).
        let packet = try #require(
            CraftedPacket(ttl: 115, ipID: 3, window: 8192, sourcePort: 3306, options: "mss").signature
        )
        let verdict = TCPOSClassifier.classify(packet, offer: Self.ourOffer)
        guard case .middlebox(let reason) = verdict.outcome else {
            Issue.record("expected a middlebox, got \(verdict.outcome)")
            return
        }
        #expect(reason.contains("although the SYN offered ws,sok,ts"))
        #expect(verdict.os == nil && verdict.confidence == 0)
        #expect(verdict.evidence.contains(Evidence("os.tcp.options", "mss")))
        #expect(verdict.evidence.contains(Evidence("os.tcp.middlebox", reason)))
    }

    @Test func mssOnlyAnswerWithoutTheSYNIsStillAMiddlebox() throws {
        let packet = try #require(CraftedPacket(ttl: 64, window: 65535, sourcePort: 1521, options: "mss").signature)
        guard case .middlebox = TCPOSClassifier.classify(packet).outcome else {
            Issue.record("an MSS-only SYN-ACK must not be read as the server's stack")
            return
        }
    }

    @Test func mssOnlyAnswerToAnMSSOnlySYNShowsNothing() throws {
        let packet = try #require(CraftedPacket(window: 64240, options: "mss").signature)
        let offer = OptionOffer(windowScale: false, sackPermitted: false, timestamps: false)
        guard case .unknown(let reason) = TCPOSClassifier.classify(packet, offer: offer).outcome else {
            Issue.record("Linux answers an MSS-only SYN with its MSS alone: no verdict either way")
            return
        }
        #expect(reason.contains("offered only an MSS"))
    }

    @Test func ttl255OnADatabasePortIsALoadBalancer() throws {
        // AWS RDS PostgreSQL's SYN-ACK: Linux options and window, TTL 235.
        let packet = try #require(CraftedPacket(ttl: 235, window: 28960, options: "mss,sok,ts,nop,ws").signature)
        guard case .middlebox(let reason) = TCPOSClassifier.classify(packet, offer: Self.ourOffer).outcome else {
            Issue.record("TTL 255 on 5432 must be a middlebox")
            return
        }
        #expect(reason.contains("database port 5432"))
        let elsewhere = try #require(
            CraftedPacket(ttl: 250, window: 28960, sourcePort: 8443, options: "mss,sok,ts,nop,ws").signature
        )
        #expect(TCPOSClassifier.classify(elsewhere).os == nil)
        guard case .middlebox = TCPOSClassifier.classify(elsewhere, databasePort: true).outcome else {
            Issue.record("the caller may say the port is a database's")
            return
        }
    }

    @Test func windowsTTLWithLinuxOptionsIsASYNProxy() throws {
        let packet = try #require(CraftedPacket(ttl: 126, window: 65160, options: "mss,sok,ts,nop,ws").signature)
        let verdict = TCPOSClassifier.classify(packet, offer: Self.ourOffer)
        guard case .middlebox(let reason) = verdict.outcome else {
            Issue.record("expected a middlebox, got \(verdict.outcome)")
            return
        }
        #expect(reason.contains("initial TTL 128") && reason.contains("Linux 4.19 or newer"))
        #expect(reason.contains("SYN proxy"))
    }

    @Test func windowsOptionsWithTTL64AreNotGuessed() throws {
        // A Windows 7 SYN behind a phone's NAT (arkime os-syn/websocket.pcap): TTL 64, Windows' options and window.
        let packet = try #require(
            CraftedPacket(flags: [.syn], ack: 0, window: 8192, options: "mss,nop,ws,nop,nop,sok", windowScale: 2)
                .signature
        )
        guard case .middlebox(let reason) = TCPOSClassifier.classify(packet).outcome else {
            Issue.record("a TTL that contradicts the options must not pick either")
            return
        }
        #expect(reason.contains("Windows Vista/7/8") && reason.contains("NAT"))
    }

    @Test func stacksThatFitEquallyWellGiveNoAnswer() throws {
        // Offered only window scaling, Linux, FreeBSD and macOS all answer mss,nop,ws.
        let packet = try #require(CraftedPacket(window: 65535, options: "mss,nop,ws").signature)
        let offer = OptionOffer(windowScale: true, sackPermitted: false, timestamps: false)
        guard case .unknown(let reason) = TCPOSClassifier.classify(packet, offer: offer).outcome else {
            Issue.record("Linux and UNIX fit equally well")
            return
        }
        #expect(reason.contains("fit equally well"))
    }

    @Test func onlySYNsAndSYNACKsAreClassified() throws {
        let packet = try #require(CraftedPacket(flags: [.ack], options: "nop,nop,ts").signature)
        #expect(TCPOSClassifier.classify(packet).os == nil)
    }

    @Test func manyHopsLowerTheConfidence() throws {
        let near = try #require(CraftedPacket(ttl: 60, options: "mss,sok,ts,nop,ws").signature)
        let far = try #require(CraftedPacket(ttl: 35, options: "mss,sok,ts,nop,ws").signature)
        let nearConfidence = TCPOSClassifier.classify(near, offer: Self.ourOffer).confidence
        let farConfidence = TCPOSClassifier.classify(far, offer: Self.ourOffer).confidence
        #expect(farConfidence < nearConfidence && farConfidence > 0.5)
    }

    /// The layouts each stack writes, as the traces and nmap's OS database show them (facts, see TCPStack).
    @Test func stacksWriteTheirKnownLayouts() {
        let noSACK = OptionOffer(windowScale: true, sackPermitted: false, timestamps: true)
        let noScale = OptionOffer(windowScale: false, sackPermitted: true, timestamps: true)
        let noTimestamps = OptionOffer(windowScale: true, sackPermitted: true, timestamps: false)
        let expected: [(TCPStack, OptionOffer, String?)] = [
            (.linux, .all, "mss,sok,ts,nop,ws"), (.linux, noSACK, "mss,nop,nop,ts,nop,ws"),
            (.linux, noScale, "mss,sok,ts"), (.linux, noTimestamps, "mss,nop,nop,sok,nop,ws"),
            (.windows, .all, "mss,nop,ws,sok,ts"), (.windows, noSACK, "mss,nop,ws,nop,nop,ts"),
            (.windows, noScale, "mss,sok,ts"), (.windows, noTimestamps, "mss,nop,ws,nop,nop,sok"),
            (.freebsd, .all, "mss,nop,ws,sok,ts"), (.freebsd, noSACK, "mss,nop,ws,nop,nop,ts"),
            (.freebsd, noTimestamps, "mss,nop,ws,sok,eol"),
            (.darwin, .all, "mss,nop,ws,nop,nop,ts,sok,eol"), (.darwin, noScale, "mss,nop,nop,ts,sok,eol"),
            (.darwin, noTimestamps, nil),
            (.solaris, .all, "nop,nop,ts,mss,nop,ws,nop,nop,sok"), (.solaris, noTimestamps, "mss,nop,ws,nop,nop,sok"),
            (.solaris11, .all, "sok,ts,mss,nop,ws"), (.solaris11, noSACK, "nop,nop,ts,mss,nop,ws"),
            (.aix, noSACK, "mss,nop,ws,nop,nop,ts"), (.aix, .all, nil),
            (.hpux, .all, "mss,nop,nop,sok,ws,nop,nop,nop,ts"), (.hpux, noSACK, "mss,ws,nop,nop,nop,ts"),
        ]
        for (stack, offer, layout) in expected {
            #expect(stack.layout(for: offer)?.layoutDescription == layout, "\(stack) answering \(offer.description)")
        }
    }
}

/// Our own Linux 6.18 servers (captures/README.md): loopback (MSS 65495) and veth (MSS 1460), both TTL 64, and the
/// same stack's answers without timestamps and without SACK to nmap's probes.
@Suite("Host OS of our own Linux servers", .enabled(if: TraceFixtures.available, "needs ../shared/testdata"))
struct OSOwnCaptureTests {
    @Test(arguments: [
        ("captures/pg15-login-ok-md5-select-version.pcap", "65495", "65483", "mss,sok,ts,nop,ws"),
        ("captures/mariadb10.11-greeting-only.pcap", "65495", "65483", "mss,sok,ts,nop,ws"),
        ("captures/redis7.0-info-resp2.pcap", "65495", "65483", "mss,sok,ts,nop,ws"),
        ("captures/netns-veth-pg15-startup-protocol-4.0-rejected.pcap", "1460", "65160", "mss,sok,ts,nop,ws"),
        ("captures/netns-veth-mariadb10.11-greeting-login-ok.pcap", "1460", "65160", "mss,sok,ts,nop,ws"),
        ("captures/netns-veth-redis7.0-info.pcap", "1460", "65160", "mss,sok,ts,nop,ws"),
    ])
    func linuxServersAreLinux(_ path: String, mss: String, window: String, options: String) throws {
        let (synAck, syn) = try #require(try OSTracePackets.firstSYNACK(in: path))
        let verdict = TCPOSClassifier.classify(synAck, answering: try #require(syn))
        #expect(verdict.os == .linux64)
        #expect(verdict.label == "Linux 4.19 or newer")
        #expect(verdict.evidence.contains(Evidence("os.tcp.ttl", "64 (initial 64, 0 hops)")))
        #expect(verdict.evidence.contains(Evidence("os.tcp.mss", mss)))
        #expect(verdict.evidence.contains(Evidence("os.tcp.window", window)))
        #expect(verdict.evidence.contains(Evidence("os.tcp.options", options)))
        #expect(verdict.evidence.contains(Evidence("os.tcp.quirks", "df")))
    }

    @Test func linuxWithoutTimestampsOrSACKIsStillLinux() throws {
        let trace = try PcapTrace.shared("captures/netns-veth-nmap-sV-O-10.99.0.2.pcap")
        let signatures = trace.tcpPackets.compactMap { TCPSignature.decode(ByteBuffer(bytes: $0.headers)).value }
        var layouts: Set<String> = []
        for synAck in signatures where synAck.isSYNACK {
            let syn = OSTracePackets.syn(answeredBy: synAck, in: signatures)
            let verdict = TCPOSClassifier.classify(synAck, offer: syn.map(OptionOffer.init))
            guard synAck.layout != [.mss] else { continue }
            layouts.insert(synAck.layout.layoutDescription)
            #expect(verdict.os == .linux64, "\(synAck.layout.layoutDescription): \(verdict.outcome)")
        }
        #expect(layouts.isSuperset(of: ["mss,nop,nop,sok,nop,ws", "mss,nop,nop,ts,nop,ws", "mss,sok,ts"]))
    }
}
