import CEpoll
import DBScoutCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One sweep thread's state and loop: which endpoints are connecting, waiting for their host, or ready to start,
/// and when each connect's deadline passes. Confined to its thread, so nothing in it is locked.
///
/// A closed port's slot is free again as soon as its outcome is known; an open port's stays taken until the
/// scanner releases it after the probes. Outcomes go out in batches, and the loop pauses while too many are
/// still unread, so a slow reader bounds the memory rather than the other way round.
struct SweepLoop {
    /// Outcomes delivered and not yet acknowledged, beyond which no connect starts.
    private static let unreadLimit = 16_384
    /// How long an outcome may wait in the outbox for others to join its batch.
    private static let batchDelay = Duration.milliseconds(2)

    private var endpoints: ShardEndpoints
    private var exhausted = false
    private let limits: ConnectSweep.Limits
    private let rate: RateBudget
    private let wakeup: CInt
    private let poller: CInt

    /// Endpoints taken from the sequence whose slot is not free yet.
    private var held = 0
    private var waitingForHost = 0
    private var hosts: [IPAddress: HostSlots] = [:]
    private var ready = FIFO<Attempt>()
    /// The next attempt, with its rate slot, when the slot has not come yet or the host is short of resources.
    private var staged: (attempt: Attempt, slot: ContinuousClock.Instant)?
    private var starved = false
    private var connecting: [CInt: Connecting] = [:]
    private var deadlines = FIFO<Deadline>()
    private var nextSerial: UInt64 = 0
    private var outbox: [ConnectSweep.Event] = []
    private var outboxSince: ContinuousClock.Instant?
    private var outboxHasOpenPort = false
    private var unread = 0

    init(endpoints: ShardEndpoints, limits: ConnectSweep.Limits, rate: RateBudget, wakeup: CInt) {
        self.endpoints = endpoints
        self.limits = limits
        self.rate = rate
        self.wakeup = wakeup
        poller = epoll_create1(CInt(EPOLL_CLOEXEC))
        if poller >= 0, wakeup >= 0 { watch(wakeup, events: EPOLLIN.rawValue, operation: EPOLL_CTL_ADD) }
    }

    private var isFinished: Bool {
        exhausted && connecting.isEmpty && ready.isEmpty && staged == nil && waitingForHost == 0
    }

    mutating func run(mailbox: borrowing Mutex<SweepShard.Mailbox>, deliver: ([ConnectSweep.Event]) -> Void) {
        guard poller >= 0 else { return failEverything(code: errno, deliver: deliver) }
        defer { close(poller) }
        var events = [epoll_event](repeating: epoll_event(), count: 512)
        while true {
            let news = mailbox.withLock { mailbox in
                defer {
                    mailbox.released.removeAll(keepingCapacity: true)
                    mailbox.acknowledged = 0
                }
                return (released: mailbox.released, acknowledged: mailbox.acknowledged, stopping: mailbox.stopping)
            }
            if news.stopping { return abandon() }
            unread -= news.acknowledged
            for host in news.released { release(host) }
            let now = ContinuousClock.now
            // Deadlines first: a timed-out attempt that earns a retry starts with the others.
            expireDeadlines(now: now)
            if unread < Self.unreadLimit { startConnects(now: now) }
            if shouldDeliver(now: now) {
                unread += outbox.count
                deliver(outbox)
                outbox.removeAll(keepingCapacity: true)
                outboxSince = nil
                outboxHasOpenPort = false
            }
            if isFinished, outbox.isEmpty { return }
            let count = epoll_wait(poller, &events, CInt(events.count), waitMilliseconds(now: now))
            for index in 0..<max(0, Int(count)) { handle(events[index]) }
        }
    }

    // MARK: Starting connects

    private mutating func startConnects(now: ContinuousClock.Instant) {
        starved = false
        while let (attempt, slot) = staged ?? nextAttempt().map({ ($0, rate.reserve(at: now)) }) {
            staged = (attempt, slot)
            guard slot <= now else { return }
            switch NonblockingConnect.start(attempt.endpoint) {
            case .inProgress(let descriptor):
                track(descriptor, attempt, now: now)
            case .connected(let descriptor):
                open(attempt.endpoint, .connected(AdoptedSocket(descriptor: descriptor)), now: now)
            case .failed(let code) where NonblockingConnect.isLocalShortage(code):
                // Connections of our own must finish before this one can start; with none left to wait for, the
                // shortage is the machine's and the endpoint gets an outcome that says so.
                guard connecting.isEmpty, held == waitingForHost + ready.count + 1 else {
                    starved = true
                    return
                }
                closed(attempt.endpoint, .failed(errno: code), now: now)
            case .failed(let code):
                finish(attempt, code: code, now: now)
            }
            staged = nil
        }
    }

    /// The next endpoint to connect to: one that waited for its host or a retry first, then a new one while slots
    /// are free.
    private mutating func nextAttempt() -> Attempt? {
        if let attempt = ready.popFirst() { return attempt }
        while !exhausted, held < limits.concurrency {
            guard let endpoint = endpoints.next() else {
                exhausted = true
                return nil
            }
            held += 1
            var host = hosts[endpoint.address, default: HostSlots()]
            defer { hosts[endpoint.address] = host }
            guard host.active < limits.maxPerHost else {
                host.waiting.append(endpoint)
                waitingForHost += 1
                continue
            }
            host.active += 1
            return Attempt(endpoint: endpoint, isRetry: false)
        }
        return nil
    }

    private mutating func track(_ descriptor: CInt, _ attempt: Attempt, now: ContinuousClock.Instant) {
        nextSerial += 1
        connecting[descriptor] = Connecting(attempt: attempt, serial: nextSerial)
        deadlines.append(Deadline(instant: now + limits.connectTimeout, descriptor: descriptor, serial: nextSerial))
        // One-shot: a socket that has answered is never reported again, even before it is closed or handed on.
        watch(descriptor, events: EPOLLOUT.rawValue | EPOLLONESHOT.rawValue, operation: EPOLL_CTL_ADD)
    }

    // MARK: Outcomes

    private mutating func handle(_ event: epoll_event) {
        let descriptor = event.data.fd
        if descriptor == wakeup {
            var count: UInt64 = 0
            _ = read(wakeup, &count, MemoryLayout<UInt64>.size)
            return
        }
        guard let entry = connecting.removeValue(forKey: descriptor) else { return }
        let code = NonblockingConnect.outcome(of: descriptor)
        let now = ContinuousClock.now
        guard code == 0 else {
            close(descriptor)
            return finish(entry.attempt, code: code, now: now)
        }
        // The probes' event loop registers the socket with its own epoll; ours lets go of it first.
        watch(descriptor, events: 0, operation: EPOLL_CTL_DEL)
        open(entry.attempt.endpoint, .connected(AdoptedSocket(descriptor: descriptor)), now: now)
    }

    /// Reports a connect that failed with `code`.
    private mutating func finish(_ attempt: Attempt, code: CInt, now: ContinuousClock.Instant) {
        switch code {
        case ECONNREFUSED:
            hosts[attempt.endpoint.address]?.answered = true
            closed(attempt.endpoint, .refused, now: now)
        case ECONNRESET:
            open(attempt.endpoint, .resetOnAccept, now: now)
        case ETIMEDOUT:
            timedOut(attempt, now: now)
        default:
            closed(attempt.endpoint, .refused, now: now)
        }
    }

    private mutating func expireDeadlines(now: ContinuousClock.Instant) {
        while let deadline = deadlines.first, deadline.instant <= now {
            _ = deadlines.popFirst()
            guard let entry = connecting[deadline.descriptor], entry.serial == deadline.serial else { continue }
            connecting[deadline.descriptor] = nil
            close(deadline.descriptor)
            timedOut(entry.attempt, now: now)
        }
    }

    private mutating func timedOut(_ attempt: Attempt, now: ContinuousClock.Instant) {
        if !attempt.isRetry, hosts[attempt.endpoint.address]?.answered == true {
            ready.append(Attempt(endpoint: attempt.endpoint, isRetry: true))
            return
        }
        closed(attempt.endpoint, .timedOut, now: now)
    }

    /// An open port: its slot stays taken until the scanner is done with it.
    private mutating func open(_ endpoint: Endpoint, _ result: ConnectSweep.Result, now: ContinuousClock.Instant) {
        hosts[endpoint.address]?.answered = true
        outboxHasOpenPort = true
        post(.init(endpoint: endpoint, result: result), now: now)
    }

    /// A closed port: nothing more happens there, so its slot is free at once.
    private mutating func closed(_ endpoint: Endpoint, _ result: ConnectSweep.Result, now: ContinuousClock.Instant) {
        post(.init(endpoint: endpoint, result: result), now: now)
        release(endpoint.address)
    }

    private mutating func post(_ event: ConnectSweep.Event, now: ContinuousClock.Instant) {
        if outbox.isEmpty { outboxSince = now }
        outbox.append(event)
    }

    /// Open ports go out at once, for the probes to start; closed ones wait a moment for company, which saves the
    /// reader a wake-up per outcome.
    private func shouldDeliver(now: ContinuousClock.Instant) -> Bool {
        guard let outboxSince else { return false }
        return outboxHasOpenPort || outbox.count >= 512 || now - outboxSince >= Self.batchDelay || isFinished
    }

    // MARK: Slots

    /// One endpoint of `address` is done with: its slot passes to the next endpoint of the same host that
    /// waits, or back to the pool.
    private mutating func release(_ address: IPAddress) {
        held -= 1
        guard var host = hosts[address] else { return }
        if host.waiting.isEmpty {
            host.active -= 1
        } else {
            ready.append(Attempt(endpoint: host.waiting.removeFirst(), isRetry: false))
            waitingForHost -= 1
        }
        hosts[address] = host.active == 0 && host.waiting.isEmpty ? nil : host
    }

    // MARK: Waiting

    private func waitMilliseconds(now: ContinuousClock.Instant) -> CInt {
        var until = deadlines.first?.instant
        func wake(at instant: ContinuousClock.Instant) { until = min(until ?? instant, instant) }
        if let staged, !starved, unread < Self.unreadLimit { wake(at: staged.slot) }
        if let outboxSince { wake(at: outboxSince + Self.batchDelay) }
        // Without a wake-up descriptor, releases are noticed by polling; a shortage is retried the same way.
        if starved || wakeup < 0 { wake(at: now + .milliseconds(5)) }
        guard let until else { return -1 }
        let wait = until - now
        guard wait > .zero else { return 0 }
        let (seconds, attoseconds) = wait.components
        return CInt(clamping: seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
    }

    private func watch(_ descriptor: CInt, events: UInt32, operation: CInt) {
        var event = epoll_event()
        event.events = events
        event.data.fd = descriptor
        _ = epoll_ctl(poller, operation, descriptor, &event)
    }

    // MARK: Ending early

    /// Stopped: closes what is connecting and drops the rest.
    private mutating func abandon() {
        for descriptor in connecting.keys { close(descriptor) }
        connecting.removeAll()
    }

    /// Without epoll nothing can be swept: every endpoint gets the failure, so none is reported closed.
    private mutating func failEverything(code: CInt, deliver: ([ConnectSweep.Event]) -> Void) {
        var batch: [ConnectSweep.Event] = []
        while let endpoint = endpoints.next() {
            batch.append(.init(endpoint: endpoint, result: .failed(errno: code)))
            if batch.count == 512 {
                deliver(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { deliver(batch) }
    }
}

private struct Attempt {
    let endpoint: Endpoint
    /// Whether this is the second try after a timeout.
    let isRetry: Bool
}

private struct Connecting {
    let attempt: Attempt
    let serial: UInt64
}

private struct Deadline {
    let instant: ContinuousClock.Instant
    let descriptor: CInt
    let serial: UInt64
}

private struct HostSlots {
    var active = 0
    var waiting: [Endpoint] = []
    /// Whether any port of the host has answered (refused or accepted): a silent port on a live host is then
    /// more likely a lost SYN than a filter, and worth one more try.
    var answered = false
}
