import DBScoutCore
import DBScoutTestSupport
import Foundation
import Logging
import Testing

@testable import DBScoutScanner

/// A thousand hostile peers scanned at once: the scan ends within its deadlines, its memory stays bounded, and it
/// reports nothing.
@Suite("Hostile peers at scale")
struct HostilePeersTests {
    private static let peerCount = 1000

    /// Deadlines longer than the dribblers' one-second pace, so that a deadline restarted by every byte would
    /// never expire; short enough for a quick test. Concurrency covers every peer, and the per-host and rate
    /// limits are lifted, so nothing but the deadlines decides how long the scan takes.
    private static let options = ScanOptions(
        connectTimeout: .seconds(2),
        readTimeout: .milliseconds(1500),
        bannerWait: .milliseconds(500),
        fallbackReadTimeout: .seconds(1),
        concurrency: peerCount,
        maxPerHost: peerCount,
        maxRate: 100_000
    )

    @Test(.timeLimit(.minutes(10)))
    func aThousandHostilePeersAtOnceStayWithinTheDeadlinesAndMemoryAndFindNothing() async throws {
        // 1,000 listeners, up to 1,000 probe connections and the decoys' 1,000 ends of them.
        try FileDescriptorLimit.raise(toAtLeast: 4 * Self.peerCount)
        let peers = try await HostilePeers.start(count: Self.peerCount)
        let outcomes = Outcomes()
        let scanner = Scanner(options: Self.options, logger: Logger(label: "hostile-peers"))
        let residentBefore = ProcessMemory.resetPeak()
        let elapsed = await ContinuousClock().measure {
            await scanner.scan(peers.peers.map(\.endpoint), total: peers.peers.count) { endpoint, outcome, _ in
                await outcomes.record(outcome, at: endpoint)
            }
        }
        let peak = ProcessMemory.peak()
        await peers.stop()
        let growth = try #require(peak.flatMap { peak in residentBefore.map { peak - $0 } }, "no /proc/self/status")

        let seen = await outcomes.byEndpoint
        #expect(seen.count == peers.peers.count, "\(peers.peers.count - seen.count) endpoints never completed")
        #expect(await outcomes.duplicates == 0)
        for kind in HostilePeers.Kind.allCases {
            let wrong = peers.peers.filter { $0.kind == kind }.compactMap { peer -> String? in
                guard let outcome = seen[peer.endpoint] else { return nil }
                if case .unidentified = outcome { return nil }
                return "\(peer.endpoint): \(outcome)"
            }
            // Every peer accepts, so each must be open and unidentified: a finding is a false one, and a closed
            // port means a connect failed (descriptors ran out, or a deadline fired before the loop ran).
            #expect(wrong.isEmpty, "\(kind): \(wrong.count) not open-and-unidentified, e.g. \(wrong.prefix(3))")
        }
        let bound = Self.deadlineBound()
        #expect(elapsed < bound, "the scan took \(elapsed), beyond what its deadlines allow (\(bound))")
        #expect(growth < Self.memoryBound, "resident memory grew by \(growth >> 20) MiB during the scan")
        print(
            "hostile peers: \(seen.count) endpoints in \(elapsed), deadline bound \(bound); "
                + "peak RSS growth \(growth >> 20) MiB (bound \(Self.memoryBound >> 20) MiB)"
        )
    }

    /// The longest the scan may take if every deadline holds. With every peer probed at once, that is one
    /// endpoint's worst case: each probe of the plain pass and of the TLS-first retry is a round, and a round is
    /// a connect and one reply deadline, since against a peer that never completes a reply every probe stops at
    /// its first unanswered read (the second looks of Redis and MongoDB follow a reset or a hang-up, which end at
    /// once). Rate spacing adds the scan's connections over `maxRate`. The margin is for timers firing late when
    /// 2,000 connections share two loaded cores. A deadline that each dribbled byte extends overshoots it, as the
    /// greeting takes 78 s to arrive.
    static func deadlineBound() -> Duration {
        let plan = ProbePlan.probes(for: HostilePeers.ports[0])
        let rounds = plan.count + plan.filter(\.probe.runsTLSFirst).count
        let round = options.connectTimeout + options.readTimeout
        let spacing = Duration.seconds(Double(rounds * peerCount) / Double(options.maxRate))
        let ideal = round * rounds + spacing
        return ideal + ideal / 2 + .seconds(10)
    }

    /// Each probe connection keeps at most `ProbeLimits.maxResponseBytes` (64 KiB) of what it receives, and NIO
    /// reads into buffers of at most 64 KiB. Only the 333 flooding peers send that much, one connection each at a
    /// time: at most 42 MiB. The decoys send from one shared 16 KiB chunk through 64 KiB socket buffers, and
    /// 2,000 channels' state is a few MiB. Measured: 41-49 MiB alone, 54 MiB with every other suite running
    /// alongside, which the bound leaves room for. A scanner that believed the announcements would keep up to
    /// 16 MiB a connection: with the byte cap and MySQL's packet-length check both taken out, growth measured
    /// 100-300 MiB within the read deadlines (the floods' pace is bound by the CPU).
    static let memoryBound = 128 << 20

    @Test func theDribbledGreetingIsOneTheScannerIdentifiesWhenItArrivesWhole() async throws {
        let decoy = try await DecoyServer.start(.greet(HostilePeers.mysqlGreeting), host: "127.8.1.1", port: 3306)
        let endpoint = decoy.endpoint
        let outcomes = Outcomes()
        let scanner = Scanner(options: Self.options, logger: Logger(label: "hostile-peers"))
        await scanner.scan([endpoint], total: 1) { endpoint, outcome, _ in
            await outcomes.record(outcome, at: endpoint)
        }
        await decoy.stop()
        guard case .identified(let finding) = await outcomes.byEndpoint[endpoint] else {
            Issue.record("the greeting the dribblers send should identify MySQL when sent at once")
            return
        }
        #expect(finding.product == .mysql)
    }
}

private actor Outcomes {
    private(set) var byEndpoint: [Endpoint: EndpointOutcome] = [:]
    private(set) var duplicates = 0

    func record(_ outcome: EndpointOutcome, at endpoint: Endpoint) {
        if byEndpoint.updateValue(outcome, forKey: endpoint) != nil { duplicates += 1 }
    }
}

/// The process's resident memory, from /proc/self/status.
private enum ProcessMemory {
    /// Resets the peak (VmHWM) to the current resident size, and returns that size in bytes. Where the kernel
    /// does not allow the reset, the later peak is still an upper bound on the growth, only a looser one.
    static func resetPeak() -> Int? {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        return field("VmRSS")
    }

    /// The peak resident size since the last reset, in bytes.
    static func peak() -> Int? { field("VmHWM") }

    private static func field(_ name: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        // "VmRSS:     123456 kB"
        let line = status.split(separator: "\n").first { $0.hasPrefix("\(name):") }
        return line?.split(separator: " ").dropFirst().first.flatMap { Int($0) }.map { $0 * 1024 }
    }
}

/// The open-file limit of the test process.
private enum FileDescriptorLimit {
    struct TooLow: Error, CustomStringConvertible {
        let limit: rlim_t
        var description: String { "the open-file limit is \(limit) and cannot be raised" }
    }

    /// Raises the soft limit to at least `needed` (and the hard limit too when it is lower, which root may do).
    static func raise(toAtLeast needed: Int) throws {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { throw TooLow(limit: 0) }
        let current = limit.rlim_cur
        let wanted = rlim_t(needed)
        if current >= wanted { return }
        limit.rlim_cur = wanted
        limit.rlim_max = max(limit.rlim_max, wanted)
        guard setrlimit(resource, &limit) == 0 else { throw TooLow(limit: current) }
    }

    private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
}
