import DBScoutCore
import Foundation
import Testing

@testable import DBScoutScanner

#if canImport(Glibc)
    import Glibc
#endif

/// The connect sweep against real sockets on loopback: every endpoint gets exactly one outcome, open ports come
/// with a live connection, and the per-host limit, the rate and stopping hold.
@Suite("Connect sweep")
struct ConnectSweepTests {
    private static func limits(concurrency: Int = 64, maxPerHost: Int = 4, timeout: Duration = .seconds(1))
        -> ConnectSweep.Limits
    {
        ConnectSweep.Limits(concurrency: concurrency, maxPerHost: maxPerHost, connectTimeout: timeout)
    }

    /// Reads the whole stream, releasing every open port at once.
    private static func sweep(
        _ endpoints: [Endpoint],
        limits: ConnectSweep.Limits = limits(),
        perSecond: Int = 1_000_000
    ) async -> [Endpoint: ConnectSweep.Result] {
        let sweep = ConnectSweep(limits: limits, rate: RateBudget(perSecond: perSecond))
        var outcomes: [Endpoint: ConnectSweep.Result] = [:]
        for await batch in sweep.events(for: endpoints) {
            for event in batch.events {
                #expect(outcomes[event.endpoint] == nil, "\(event.endpoint) reported twice")
                outcomes[event.endpoint] = event.result
                if case .connected = event.result { sweep.release(event.endpoint.address) }
            }
            sweep.acknowledge(batch)
        }
        return outcomes
    }

    @Test func everyRefusedEndpointIsReportedOnceAsRefused() async throws {
        let endpoints = (1...200).flatMap { host in
            [1, 2, 3].map { Endpoint(address: .v4(0x7F15_0000 | UInt32(host)), port: UInt16($0)) }
        }
        let outcomes = await Self.sweep(endpoints)
        #expect(outcomes.count == endpoints.count)
        let notRefused = outcomes.filter { if case .refused = $0.value { false } else { true } }
        #expect(notRefused.isEmpty, "\(notRefused.prefix(3))")
    }

    @Test func anOpenPortComesWithTheConnectionItself() async throws {
        let listener = try RawListener(address: "127.21.1.1")
        defer { listener.close() }
        let open = Endpoint(address: IPAddress("127.21.1.1")!, port: listener.port)
        let closed = Endpoint(address: IPAddress("127.21.1.1")!, port: listener.port &+ 1)
        let sweep = ConnectSweep(limits: Self.limits(), rate: RateBudget(perSecond: 1000))
        var socket: AdoptedSocket?
        for await batch in sweep.events(for: [open, closed]) {
            for event in batch.events where event.endpoint == open {
                guard case .connected(let adopted) = event.result else {
                    Issue.record("open port reported as \(event.result)")
                    continue
                }
                socket = adopted
            }
            sweep.acknowledge(batch)
        }
        let descriptor = try #require(socket?.take())
        defer { Glibc.close(descriptor) }
        // The server's greeting arrives on the very connection the sweep made.
        let peer = try listener.acceptOne()
        defer { Glibc.close(peer) }
        #expect(Glibc.write(peer, "hello", 5) == 5)
        var bytes = [UInt8](repeating: 0, count: 5)
        var pollSet = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        #expect(poll(&pollSet, 1, 5000) == 1)
        #expect(Glibc.read(descriptor, &bytes, 5) == 5)
        #expect(String(decoding: bytes, as: UTF8.self) == "hello")
        #expect(socket?.isAvailable == false)
    }

    @Test func ipv6LoopbackIsSweptToo() async throws {
        let listener = try RawListener(address: "::1")
        defer { listener.close() }
        let open = Endpoint(address: IPAddress("::1")!, port: listener.port)
        let closed = Endpoint(address: IPAddress("::1")!, port: listener.port &+ 1)
        let outcomes = await Self.sweep([open, closed])
        guard case .connected = outcomes[open] else {
            Issue.record("::1 open port: \(String(describing: outcomes[open]))")
            return
        }
        guard case .refused = outcomes[closed] else {
            Issue.record("::1 closed port: \(String(describing: outcomes[closed]))")
            return
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func openPortsOfOneHostWaitForTheirHostsSlots() async throws {
        let listeners = try (0..<5).map { _ in try RawListener(address: "127.21.2.1") }
        defer { listeners.forEach { $0.close() } }
        let endpoints = listeners.map { Endpoint(address: IPAddress("127.21.2.1")!, port: $0.port) }
        let sweep = ConnectSweep(limits: Self.limits(maxPerHost: 2), rate: RateBudget(perSecond: 1_000_000))
        var iterator = sweep.events(for: endpoints).makeAsyncIterator()
        var open: [Endpoint] = []
        while open.count < 2, let batch = await iterator.next() {
            open += batch.events.map(\.endpoint)
            sweep.acknowledge(batch)
        }
        #expect(open.count == 2, "more than the host's two slots were used: \(open)")
        // Nothing more can come while both slots are held: a release lets exactly the next one through.
        for _ in 0..<3 {
            sweep.release(open[0].address)
            guard let batch = await iterator.next() else { break }
            #expect(batch.events.count == 1)
            open += batch.events.map(\.endpoint)
            sweep.acknowledge(batch)
        }
        sweep.release(open[0].address)
        sweep.release(open[0].address)
        #expect(await iterator.next() == nil)
        #expect(Set(open) == Set(endpoints))
    }

    /// A listener whose accept queue is full drops further SYNs, so the connect hears nothing. Alone, the port
    /// costs one deadline; beside a port that refuses, which shows the host is up and a lost SYN likelier than a
    /// filter, it is tried twice.
    @Test(.timeLimit(.minutes(1)), arguments: [("127.21.3.1", false, 1), ("127.21.3.2", true, 2)])
    func aSilentPortTimesOut(address: String, besideARefusal: Bool, deadlines: Int) async throws {
        let listener = try RawListener(address: address, backlog: 0)
        defer { listener.close() }
        let filler = try (0..<4).map { _ in try BlockingClient(to: address, port: listener.port) }
        defer { filler.forEach { $0.close() } }
        let silent = Endpoint(address: IPAddress(address)!, port: listener.port)
        let refusing = Endpoint(address: IPAddress(address)!, port: listener.port &+ 1)
        let deadline = Duration.milliseconds(300)
        let elapsed = try await ContinuousClock().measure {
            let endpoints = besideARefusal ? [refusing, silent] : [silent]
            let outcomes = await Self.sweep(endpoints, limits: Self.limits(timeout: deadline))
            guard case .timedOut = try #require(outcomes[silent]) else {
                Issue.record("a dropped SYN reported as \(String(describing: outcomes[silent]))")
                return
            }
        }
        #expect(elapsed >= deadline * deadlines)
    }

    @Test func theRateBoundsHowFastConnectsStart() async throws {
        let endpoints = (1...60).map { Endpoint(address: .v4(0x7F15_0400 | UInt32($0)), port: 1) }
        let elapsed = await ContinuousClock().measure {
            let outcomes = await Self.sweep(endpoints, perSecond: 100)
            #expect(outcomes.count == endpoints.count)
        }
        // 60 connects at 100 a second cannot take less than about 0.59 s, whatever the machine.
        #expect(elapsed >= .milliseconds(550), "60 connects at 100/s took \(elapsed)")
    }

    @Test(.timeLimit(.minutes(1)))
    func stoppingEndsTheStream() async throws {
        let endpoints = (0..<100_000).map { Endpoint(address: .v4(0x7F16_0000 | UInt32($0)), port: 1) }
        let sweep = ConnectSweep(limits: Self.limits(), rate: RateBudget(perSecond: 200))
        var seen = 0
        for await batch in sweep.events(for: endpoints) {
            seen += batch.events.count
            sweep.acknowledge(batch)
            if seen >= 10 { sweep.stop() }
        }
        #expect(seen >= 10)
        #expect(seen < endpoints.count)
    }
}

/// A TCP listener made with plain sockets, on an ephemeral port.
private struct RawListener {
    let descriptor: CInt
    let port: UInt16

    init(address: String, backlog: CInt = 16) throws {
        let isV6 = address.contains(":")
        let family = isV6 ? AF_INET6 : AF_INET
        let descriptor = socket(family, CInt(SOCK_STREAM.rawValue), 0)
        var storage = [UInt8](repeating: 0, count: 28)
        storage.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: UInt16(family), toByteOffset: 0, as: UInt16.self)
            _ = inet_pton(family, address, raw.baseAddress! + (isV6 ? 8 : 4))
        }
        let bound = storage.withUnsafeBytes { raw in
            bind(descriptor, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(isV6 ? 28 : 16))
        }
        guard bound == 0, listen(descriptor, backlog) == 0 else { throw SocketError(code: errno) }
        var length = socklen_t(28)
        _ = storage.withUnsafeMutableBytes { raw in
            getsockname(descriptor, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length)
        }
        self.descriptor = descriptor
        port = UInt16(storage[2]) << 8 | UInt16(storage[3])
    }

    func acceptOne() throws -> CInt {
        let peer = accept(descriptor, nil, nil)
        guard peer >= 0 else { throw SocketError(code: errno) }
        return peer
    }

    func close() { _ = Glibc.close(descriptor) }
}

/// A blocking client connection, to fill a listener's accept queue.
private struct BlockingClient {
    let descriptor: CInt

    init(to address: String, port: UInt16) throws {
        descriptor = socket(AF_INET, CInt(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue), 0)
        var storage = [UInt8](repeating: 0, count: 16)
        storage.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: UInt16(AF_INET), toByteOffset: 0, as: UInt16.self)
            raw.storeBytes(of: port.bigEndian, toByteOffset: 2, as: UInt16.self)
            _ = inet_pton(AF_INET, address, raw.baseAddress! + 4)
        }
        // Nonblocking, so that a connect the full queue ignores does not hang the test; the ones that fit finish.
        _ = storage.withUnsafeBytes { raw in
            connect(descriptor, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), 16)
        }
    }

    func close() { _ = Glibc.close(descriptor) }
}

private struct SocketError: Error {
    let code: CInt
}
