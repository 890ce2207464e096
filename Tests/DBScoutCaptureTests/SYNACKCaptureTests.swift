import DBScoutCapture
import DBScoutCore
import DBScoutProtocols
import DBScoutScanner
import DBScoutTestSupport
import Foundation
import Logging
import NIOCore
import NIOPosix
import Testing

/// The live capture of our own connects' SYN-ACKs, against the real loopback servers. Needs CAP_NET_RAW
/// (CI runs as root).
@Suite(
    "SYN-ACK capture",
    .serialized,
    .enabled(if: TestServers.available && geteuid() == 0, "needs root and scripts/test-servers.sh up")
)
struct SYNACKCaptureTests {
    @Test func theSYNACKOfOurConnectIsCaptured() async throws {
        let capture = try #require(SYNACKCapture.start(logger: Logger(label: "test")))
        defer { capture.stop() }
        let server = TestServers.postgresPlain
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: server.address.description, port: Int(server.port)).get()
        let localPort = try #require(channel.localAddress?.port)
        try await channel.close()
        let headers = try #require(await capture.synAck(from: server, toLocalPort: UInt16(localPort)))
        #expect(headers.first == 0x45, "an IPv4 header of 20 bytes")
        #expect(headers[8] == 64, "Linux's initial TTL, no hop on loopback")
        #expect(headers.count > 40, "the TCP options are kept")
        let other = await capture.synAck(from: server, toLocalPort: UInt16(localPort) &+ 1)
        #expect(other == nil, "only the SYN-ACK to our own port is ours")
    }
}

/// The scanner reading servers' TCP/IP stacks from the SYN-ACKs of its own connects.
@Suite(
    "OS from SYN-ACKs",
    .serialized,
    .enabled(if: TestServers.available && geteuid() == 0, "needs root and scripts/test-servers.sh up")
)
struct SYNACKOSTests {
    /// A local host that claims nothing, so only the SYN-ACK can give the OS.
    private let anonymousHost = LocalHost(addresses: [], os: nil, detail: "")

    private func scan(_ endpoint: Endpoint, capture: SYNACKCapture) async -> Finding? {
        let scanner = Scanner(
            options: ScanOptions(),
            logger: Logger(label: "test"),
            localHost: anonymousHost,
            synAcks: capture
        )
        let found = Found()
        await scanner.scan([endpoint], total: 1) { _, outcome, _ in
            if case .identified(let finding) = outcome { await found.set(finding) }
        }
        return await found.value
    }

    /// Loopback answers with TCP timestamps; the harness's namespace has them turned off.
    @Test(arguments: [(TestServers.postgresPlain, true), (TestServers.redisProtected, false)])
    func aLinuxServerIsLinuxByItsSYNACK(_ endpoint: Endpoint, timestamps: Bool) async throws {
        let capture = try #require(SYNACKCapture.start(logger: Logger(label: "test")))
        defer { capture.stop() }
        let finding = try #require(await scan(endpoint, capture: capture))
        #expect(finding.os == .linux64)
        #expect(finding.osSource == .tcpSignature)
        #expect(finding.evidence.contains { $0.fact == "os.tcp.verdict" && $0.value.hasPrefix("Linux") })
        #expect(!finding.evidence.contains { $0.fact == "os.local_host" })
        let options = finding.evidence.first { $0.fact == "os.tcp.options" }?.value ?? ""
        #expect(options.contains("ts") == timestamps, "options \(options)")
    }
}

private actor Found {
    var value: Finding?
    func set(_ finding: Finding) { value = finding }
}
