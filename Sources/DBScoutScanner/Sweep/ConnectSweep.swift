import CEpoll
import DBScoutCore
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The first step at every endpoint of a scan: a nonblocking TCP connect, made on threads of its own with epoll.
///
/// Most endpoints of a sweep refuse or stay silent and need nothing more, so they never reach the event loops:
/// each costs a socket, a connect and a close, as in a C scanner. An open port's connected socket is handed on,
/// and the first probe adopts it, so the sweep adds no connection to a database.
///
/// An endpoint holds one of the scan's `concurrency` slots, and one of its host's `maxPerHost`, from its connect
/// until its port is known closed, or until the scanner releases it after the probes of an open port. The
/// kernel's work per connect is most of the cost, so the endpoints are split by address between one thread per
/// core (at most four), each with its share of the slots.
final class ConnectSweep: Sendable {
    /// How a connect ended.
    enum Result: Sendable {
        /// Refused (RST), or the network said the host or network is unreachable.
        case refused
        /// No answer within the connect deadline; tried twice when the host answered on another port.
        case timedOut
        /// Connected: the receiver owns the socket.
        case connected(AdoptedSocket)
        /// Reset as the connection was accepted: something listens there and hung up at once.
        case resetOnAccept
        /// This host could not make the connection (out of descriptors or ports, with nothing left to wait for).
        case failed(errno: CInt)

        /// The connection the sweep made, for the probes to adopt.
        var socket: AdoptedSocket? {
            if case .connected(let socket) = self { socket } else { nil }
        }
    }

    struct Event: Sendable {
        let endpoint: Endpoint
        let result: Result
    }

    /// Outcomes from one sweep thread, to be acknowledged once read.
    struct Batch: Sendable {
        fileprivate let shard: Int
        let events: [Event]
    }

    struct Limits: Sendable {
        var concurrency: Int
        var maxPerHost: Int
        var connectTimeout: Duration
    }

    private let shards: [SweepShard]
    private let limits: Limits
    private let rate: RateBudget

    init(limits: Limits, rate: RateBudget) {
        let threads = min(4, ProcessInfo.processInfo.activeProcessorCount, limits.concurrency)
        shards = (0..<max(1, threads)).map { _ in SweepShard() }
        self.limits = limits
        self.rate = rate
    }

    /// Starts the sweep over `endpoints` and returns their outcomes in the batches they came in. Each thread
    /// walks the sequence for its own share, so it must give the same endpoints every time it is iterated. The
    /// stream ends when every endpoint has an outcome, or soon after ``stop()``.
    func events(for endpoints: some Sequence<Endpoint> & Sendable) -> AsyncStream<Batch> {
        let (stream, continuation) = AsyncStream.makeStream(of: Batch.self)
        continuation.onTermination = { [self] _ in stop() }
        let running = Countdown(shards.count)
        for (index, shard) in shards.enumerated() {
            var limits = self.limits
            limits.concurrency =
                self.limits.concurrency / shards.count
                + (index < self.limits.concurrency % shards.count ? 1 : 0)
            let thread = Thread { [rate, shards, limits] in
                var loop = SweepLoop(
                    endpoints: ShardEndpoints(endpoints, shard: index, of: shards.count),
                    limits: limits,
                    rate: rate,
                    wakeup: shard.wakeup
                )
                loop.run(mailbox: shard.mailbox, deliver: { continuation.yield(Batch(shard: index, events: $0)) })
                if running.countDown() { continuation.finish() }
            }
            thread.name = "dbscout-sweep-\(index)"
            thread.start()
        }
        return stream
    }

    /// Says that a batch has been read, which lets its thread go on when too many outcomes were waiting.
    func acknowledge(_ batch: Batch) {
        shards[batch.shard].post { $0.acknowledged += batch.events.count }
    }

    /// Gives back an open endpoint's slot once the probes are done with it.
    func release(_ host: IPAddress) {
        shards[ShardEndpoints.shard(of: host, among: shards.count)].post { $0.released.append(host) }
    }

    /// Stops starting connects; the ones in flight are abandoned and the stream ends.
    func stop() {
        for shard in shards { shard.stop() }
    }
}

/// What other threads tell one sweep thread, and the descriptor that wakes it out of `epoll_wait` to read it.
final class SweepShard: Sendable {
    struct Mailbox {
        /// Hosts of open endpoints the scanner is done with, one entry per endpoint.
        var released: [IPAddress] = []
        /// Outcomes read since the thread last looked.
        var acknowledged = 0
        var stopping = false

        fileprivate var isEmpty: Bool { released.isEmpty && acknowledged == 0 && !stopping }
    }

    let mailbox = Mutex(Mailbox())
    let wakeup = eventfd(0, CInt(EFD_NONBLOCK | EFD_CLOEXEC))

    deinit {
        if wakeup >= 0 { close(wakeup) }
    }

    /// Changes the mailbox, waking the thread when it may be asleep: a mailbox that had news already has a
    /// wake-up on its way.
    func post(_ change: (inout Mailbox) -> Void) {
        let wasEmpty = mailbox.withLock { mailbox in
            defer { change(&mailbox) }
            return mailbox.isEmpty
        }
        if wasEmpty { signal() }
    }

    func stop() {
        post { $0.stopping = true }
    }

    private func signal() {
        var one: UInt64 = 1
        _ = write(wakeup, &one, MemoryLayout<UInt64>.size)
    }
}

/// Counts the sweep threads still running, so the last one to finish ends the stream.
private final class Countdown: Sendable {
    private let remaining: Mutex<Int>

    init(_ count: Int) { remaining = Mutex(count) }

    /// Returns whether this was the last one.
    func countDown() -> Bool {
        remaining.withLock { remaining in
            remaining -= 1
            return remaining == 0
        }
    }
}
